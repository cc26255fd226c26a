import { describe, expect, it } from "vitest";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";
import { stat } from "./helpers.ts";
import { k8With } from "./helpers.ts";

const MiB = 2 ** 20;

/** Two threads, one per socket, chasing through one shared region populated from node 0. */
function shared(replicate: boolean) {
  const w: WorkloadSpec = {
    name: "shared",
    description: "",
    regions: [{ name: "r", size: 256 * MiB, policy: { kind: "interleave" }, kind: "anon", populate: true }],
    threads: [0, 1].map((node) => ({ core: { node, core: 0 }, generator: "pointer-chase" as const, region: "r", stride: 4096, accesses: 2000, order: "random" as const, gapCycles: 0, startNs: 0 })),
  };
  return runSimulation(k8With(`os.pageTables.replicate=${replicate}`), w, 1);
}

describe("page-table replication per node (Mitosis)", () => {
  it("keeps a copy of every table on each node", () => {
    const r = shared(true);
    expect(stat(r, "process.pagetable.level1.pages")).toBe(2 * 128);
  });

  it("shortens the walks of the thread whose node did not populate the tables", () => {
    const lat = (rep: boolean) => stat(shared(rep), "node1.core0.tlb.walker.walk.latencyPs");
    expect(lat(true)).toBeLessThan(lat(false) * 0.9);
  });
});
