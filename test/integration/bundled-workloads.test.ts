import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.ts";
import { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";
import { machine } from "./numa-helpers.ts";

// The workload files a new user finds in workloads/ for the NUMA machine: each loads, runs on
// opteron-4p (scaled down) and does what its comment says.
describe("bundled NUMA workload files", () => {
  const m = machine("machines/opteron-4p.yaml");
  const run = (file: string, ...sets: string[]) => runSimulation(m, loadConfigFile(`workloads/${file}.yaml`, WorkloadSpec, { overrides: sets }), 1);

  it("pointer-chase: every load waits for the one before, so its time is the miss latency", () => {
    const r = run("pointer-chase", "threads[0].accesses=2000");
    const t = r.threads[0];
    expect(t.loads).toBe(2000);
    expect(t.meanMissLatencyNs).toBeGreaterThan(50);
    expect(r.simulatedNs / t.loads).toBeGreaterThan(0.9 * t.meanMissLatencyNs);
  });

  it("stream-read, stream-write and stream-copy use both cores of node 0, 16 bytes per access", () => {
    for (const f of ["stream-read", "stream-write"]) {
      const r = run(f, "threads[0].workingSet=256KiB", "threads[1].workingSet=256KiB");
      expect(r.threads.map((t) => t.loads + t.stores)).toEqual([16384, 16384]);
    }
    const c = run("stream-copy", "threads[0].workingSet=128KiB", "threads[1].workingSet=128KiB");
    expect(c.threads.map((t) => [t.loads, t.stores])).toEqual([[8192, 8192], [8192, 8192]]);
  });

  it("triad-all runs on all eight cores with its pages on each thread's own node", () => {
    const r = run("triad-all", "regions[0].size=384KiB", "regions[1].size=384KiB", "regions[2].size=384KiB");
    expect(r.threads).toHaveLength(8);
    for (const t of r.threads) expect(t.remoteShare).toBeLessThan(0.05);
  });

  it("gups: a striped table makes about three quarters of the updates remote on four nodes", () => {
    const r = run("gups", ...[0, 1, 2, 3].map((i) => `threads[${i}].updates=1500`));
    for (const t of r.threads) expect(t.remoteShare).toBeGreaterThan(0.6);
  });
});
