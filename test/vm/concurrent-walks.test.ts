import { describe, expect, it } from "vitest";
import { k8, stat, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;
const gups = (walkers: number) => vmRun(k8(`node.core.tlb.walkers=${walkers}`), { generator: "gups", sizeBytes: 64 * MiB, accesses: 3000, populate: true });

describe("concurrent page walks", () => {
  it("overlap independent TLB misses: two walkers finish random updates sooner than one", () => {
    expect(gups(2).simulatedNs).toBeLessThan(gups(1).simulatedNs * 0.9);
  });

  it("do not walk twice for a load and a store to the same page", () => {
    const r = gups(2);
    expect(stat(r, "node0.core0.tlb.walker.merged")).toBeGreaterThan(0);
    expect(stat(r, "node0.core0.tlb.walker.walks")).toBeLessThanOrEqual(3000);
  });
});
