import { describe, expect, it } from "vitest";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";
import { AddressSpace } from "../../src/vm/address-space.ts";
import { FrameAllocator } from "../../src/vm/frame-allocator.ts";
import { k8With, stat } from "./helpers.ts";

const MiB = 2 ** 20;

/** Core 0 writes 2 MiB a page at a time and unmaps it, 4 times; core 1 chases through its own region. */
function churn(...sets: string[]) {
  const w: WorkloadSpec = {
    name: "churn",
    description: "",
    regions: [
      { name: "buf", size: 2 * MiB, policy: { kind: "local" }, kind: "anon" },
      { name: "other", size: 1 * MiB, policy: { kind: "local" }, kind: "anon", populate: true },
    ],
    threads: [
      { core: 0, generator: "stream-write", region: "buf", elementBytes: 4096, passes: 4, unmapEachPass: true, gapCycles: 0, startNs: 0 },
      { core: 1, generator: "pointer-chase", region: "other", stride: 64, accesses: 20_000, order: "random", gapCycles: 0, startNs: 0 },
    ],
  };
  return runSimulation(k8With(...sets), w, 1);
}

describe("munmap", () => {
  it("returns the frames, and the pages fault in again on their next touch", () => {
    const f = new FrameAllocator([0], [8 * MiB], 4096);
    const space = new AddressSpace(f, [[0]], 1 << 30);
    const r = space.map("r", "anon", 64 * 1024, { kind: "local" });
    for (let a = r.start; a < r.end; a += 4096) space.translate(a, 0, true);
    expect(f.used[0]).toBe(16);
    expect(space.unmap(r.start, 64 * 1024)).toBe(16);
    expect(f.used[0]).toBe(0);
    expect(r.pagePa[0]).toBe(-1);
    space.translate(r.start, 0, false);
    expect(f.used[0]).toBe(1);
  });

  it("shoots down the other core's TLB entries once per munmap", () => {
    const r = churn();
    expect(stat(r, "process.shootdowns")).toBe(4);
    expect(stat(r, "node0.core1.tlb.rangeFlushes")).toBe(4);
  });

  it("interrupts the other core for each shootdown", () => {
    const quiet = stat(churn("os.tlbShootdown=0ns"), "node0.core1.stallPs");
    const loud = stat(churn("os.tlbShootdown=5us"), "node0.core1.stallPs");
    expect(loud - quiet).toBeGreaterThanOrEqual(4 * 5_000_000 * 0.9);
  });

  it("writes the leaves again after each unmap (a fault per page per pass)", () => {
    expect(stat(churn(), "process.pagetable.pteWrites")).toBeGreaterThanOrEqual(4 * 512 * 2);
  });
});
