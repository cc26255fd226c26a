import { describe, expect, it } from "vitest";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";
import { skylake, stat } from "./helpers.ts";

const MiB = 2 ** 20;

/** A random-access thread whose instructions come from a code region of `codeBytes`, jumping every `jumpEvery` accesses. */
function withCode(codeBytes: number, jumpEvery: number, codePage = 4096): WorkloadSpec {
  return {
    name: "code",
    description: "",
    regions: [
      { name: "data", size: 256 * 1024, policy: { kind: "local" }, kind: "anon", populate: true },
      { name: "text", size: codeBytes, policy: { kind: "local" }, kind: "file=app", populate: true, pageSize: codePage },
    ],
    threads: [{ core: 0, generator: "gups", region: "data", updates: 4000, gapCycles: 4, startNs: 0, code: { region: "text", bytesPerAccess: 16, jumpEvery } }],
  };
}

describe("instruction fetch through the L1 ITLB (split ITLB / DTLB at L1: Drepper, What Every Programmer Should Know About Memory §4.3)", () => {
  it("misses the ITLB only on first touch when the code fits its reach", () => {
    const r = runSimulation(skylake(), withCode(256 * 1024, 8), 1);
    // 64 pages of code, 128 ITLB entries: only cold misses.
    expect(stat(r, "node0.core0.tlb.itlb.misses")).toBeLessThanOrEqual(64);
    expect(stat(r, "node0.core0.tlb.itlb.hits")).toBeGreaterThan(500);
  });

  it("misses, walks and slows the thread when the code jumps around more pages than the TLBs hold", () => {
    const small = runSimulation(skylake(), withCode(256 * 1024, 8), 1);
    const big = runSimulation(skylake(), withCode(64 * MiB, 8), 1);
    const misses = stat(big, "node0.core0.tlb.itlb.misses");
    expect(misses).toBeGreaterThan(400);
    // Past the L2 TLB's reach too (1536 entries for 16,384 pages): most fetch misses walk.
    expect(stat(big, "node0.core0.tlb.l2.misses")).toBeGreaterThan(0.5 * misses);
    expect(big.threads[0].timeNs).toBeGreaterThan(small.threads[0].timeNs * 1.2);
    // The data side is the same in both runs: the ITLB is separate from the L1 DTLB.
    expect(stat(big, "node0.core0.tlb.l1.misses")).toBeLessThan(stat(small, "node0.core0.tlb.l1.misses") * 1.5 + 100);
  });

  it("walks far less with the code on 2 MiB pages (fact 8: ELF segments aligned to 2 MB)", () => {
    const base = runSimulation(skylake(), withCode(64 * MiB, 8), 1);
    const huge = runSimulation(skylake(), withCode(64 * MiB, 8, 2 * MiB), 1);
    // 32 huge pages: the 8-entry large-page ITLB still misses, but the L2 TLB holds them all.
    expect(stat(huge, "node0.core0.tlb.l2.misses")).toBeLessThan(stat(base, "node0.core0.tlb.l2.misses") / 4);
    expect(huge.threads[0].timeNs).toBeLessThan(base.threads[0].timeNs);
    // With all the code in 8 huge pages even the ITLB holds it.
    const eight = runSimulation(skylake(), withCode(16 * MiB, 8, 2 * MiB), 1);
    expect(stat(eight, "node0.core0.tlb.itlb.misses")).toBeLessThanOrEqual(8);
  });

  it("does not fetch without a code region (the data-only model is unchanged)", () => {
    const w = withCode(256 * 1024, 8);
    delete w.threads[0].code;
    const r = runSimulation(skylake(), w, 1);
    expect(stat(r, "node0.core0.tlb.itlb.hits") + stat(r, "node0.core0.tlb.itlb.misses")).toBe(0);
  });
});
