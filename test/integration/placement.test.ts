import { describe, expect, it } from "vitest";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";
import { machine } from "./numa-helpers.ts";

const m = machine("machines/opteron-4p.yaml", "node.memory.size=4MiB");

function regionRun(policy: WorkloadSpec["regions"][number]["policy"], size = 1 << 20, core = 2) {
  const w: WorkloadSpec = {
    name: "p",
    description: "",
    regions: [{ name: "r", size, policy, kind: "heap" }],
    threads: [{ core, generator: "stream-write", region: "r", elementBytes: 64, passes: 1, dependsOn: 0, gapCycles: 0, startNs: 0 }],
  };
  return runSimulation(m, w, 1);
}

describe("OS placement policies", () => {
  it("places pages on the first-touching thread's node by default", () => {
    const r = regionRun({ kind: "local" });
    expect(r.numaMaps[0].perNode).toEqual([0, 256, 0, 0]);
    expect(r.threads[0].remoteShare).toBe(0);
  });

  it("stripes pages evenly over all nodes with interleave", () => {
    const r = regionRun({ kind: "interleave" });
    expect(r.numaMaps[0].perNode).toEqual([64, 64, 64, 64]);
    expect(r.threads[0].remoteShare).toBeCloseTo(0.75, 2);
  });

  it("stripes over the given nodes only", () => {
    expect(regionRun({ kind: "interleave", nodes: [2, 3] }).numaMaps[0].perNode).toEqual([0, 0, 128, 128]);
  });

  it("binds every page to the given node", () => {
    expect(regionRun({ kind: "bind", nodes: [3] }).numaMaps[0].perNode).toEqual([0, 0, 0, 256]);
  });

  it("falls back from a full preferred node to the nearest one with free frames", () => {
    // 4 MiB per node = 1024 frames; ask for 5 MiB preferred on node 3.
    const r = regionRun({ kind: "preferred", node: 3 }, 5 << 20);
    const per = r.numaMaps[0].perNode;
    expect(per[3]).toBe(1024);
    expect(per[0] + per[1] + per[2]).toBe(256);
    // Node 3's neighbours (1 and 2) are one hop away; node 0 is two.
    expect(per[0]).toBe(0);
  });

  it("spreads a line-interleaved region over every node line by line", () => {
    const r = regionRun({ kind: "interleave-line" });
    expect(r.threads[0].remoteShare).toBeCloseTo(0.75, 2);
    expect(r.numaMaps[0].policy).toBe("interleave-line:0-3");
  });

  it("prints numa_maps lines with policy, kind, counts and pages per node", () => {
    const r = regionRun({ kind: "interleave" });
    const e = r.numaMaps[0];
    expect(e.kind).toBe("heap");
    expect(e.policy).toBe("interleave:0-3");
    expect(e.mapped).toBe(256);
    expect(e.dirty).toBe(256);
  });

  it("makes STREAM triad on all cores faster with local placement than striped", () => {
    const run = (kind: "local" | "interleave") => {
      const w: WorkloadSpec = {
        name: "t",
        description: "",
        regions: ["a", "b", "c"].map((name) => ({ name, size: 8 * 8192 * 8, policy: { kind }, kind: "anon" as const })),
        threads: Array.from({ length: 8 }, (_, i) => ({ core: i, generator: "triad" as const, a: "a", b: "b", c: "c", chunk: i, chunks: 8, elementBytes: 8, passes: 1, gapCycles: 2, startNs: 0 })),
      };
      return runSimulation(m, w, 1).simulatedNs;
    };
    expect(run("local")).toBeLessThan(run("interleave"));
  });
});
