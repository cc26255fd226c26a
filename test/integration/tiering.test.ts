import { describe, expect, it } from "vitest";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";
import { reproduceTiering } from "../../src/repro/tiering-repro.ts";
import { machine } from "./numa-helpers.ts";

const small = { tableBytes: 8 << 20, updatesPerThread: 60_000, threads: 1, zipfTheta: 1.3 };
const m = machine("machines/nvm-tier.yaml", "node.memory.size=2MiB", "os.tiering.epoch=20us", "os.tiering.hotThreshold=4");

describe("memory-only nodes", () => {
  it("places pages on a memory-only node when bound to it and serves them from its controller", () => {
    const w: WorkloadSpec = {
      name: "nvm",
      description: "",
      regions: [{ name: "r", size: 1 << 20, policy: { kind: "bind", nodes: [1] }, kind: "anon" }],
      threads: [{ core: 0, generator: "pointer-chase", region: "r", stride: 64, accesses: 2000, order: "random", gapCycles: 0, startNs: 0 }],
    };
    const r = runSimulation(m, w, 1);
    expect(r.numaMaps[0].perNode[0]).toBe(0);
    expect(r.numaMaps[0].perNode[1]).toBeGreaterThan(0);
    expect(r.stats["node1.mc.reads"].value).toBeGreaterThan(1000);
  });

  it("falls back from a full DRAM node to the memory-only node", () => {
    const w: WorkloadSpec = {
      name: "fill",
      description: "",
      regions: [{ name: "r", size: 4 << 20, policy: { kind: "local" }, kind: "anon", populate: true }],
      threads: [{ core: 0, generator: "pointer-chase", region: "r", stride: 64, accesses: 10, order: "random", gapCycles: 0, startNs: 0 }],
    };
    const per = runSimulation(m, w, 1).numaMaps[0].perNode;
    expect(per).toEqual([512, 512]);
  });

  it("rejects a memory-only node attached to a socket that does not exist", () => {
    expect(() => machine("machines/nvm-tier.yaml", "memoryNodes[0].attachTo=3")).toThrowError(/memoryNodes\[0\]\.attachTo: socket 3 does not exist/);
  });
});

describe("memory tiering", () => {
  const rows = reproduceTiering(m, small);
  const row = (id: string) => rows.find((r) => r.id === id)!;

  it("moves hot pages to the fast tier, so more reads are served there", () => {
    expect(row("TIERING").promotions).toBeGreaterThan(0);
    expect(row("TIERING").fastShare).toBeGreaterThan(row("NO_TIERING").fastShare + 0.05);
  });

  it("charges the moves: every promoted or demoted page is copied", () => {
    const t = row("TIERING");
    expect(t.migratedBytes).toBe((t.promotions + t.demotions) * 4096);
  });

  it("puts everything in DRAM fastest of the three", () => {
    expect(row("ALL_DRAM").timeNs).toBeLessThan(row("NO_TIERING").timeNs);
    expect(row("ALL_DRAM").timeNs).toBeLessThan(row("TIERING").timeNs);
    expect(row("ALL_DRAM").fastShare).toBe(1);
  });
});
