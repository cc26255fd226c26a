import { describe, expect, it } from "vitest";
import { k8, vmRun } from "./helpers.ts";

describe("a walk whose entries are all in L1d (fact 4)", () => {
  it("still takes four dependent L1d hits: 4 x 3 cycles on K8", () => {
    // 64 pages, a TLB of 8 + 16 entries: every access walks, and the few table lines stay in L1d.
    const m = k8("node.core.tlb.l1.arrays[0].entries=8", "node.core.tlb.l1.arrays[1].entries=8", "node.core.tlb.l2.arrays[0].entries=16", "node.core.tlb.l2.latencyCycles=0");
    const r = vmRun(m, { sizeBytes: 64 * 4096, accesses: 3000, populate: true });
    const lat = r.stats["node0.core0.tlb.walker.walk.latencyPs"].value as { min: number; p50: number };
    expect(lat.min).toBe(12 * 455);
    expect(Math.abs(lat.p50 - 12 * 455)).toBeLessThan(12 * 455 * 0.02); // percentiles are kept to 1.6 %
  });
});
