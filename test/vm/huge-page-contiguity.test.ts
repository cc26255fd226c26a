import { describe, expect, it } from "vitest";
import { AddressSpace } from "../../src/vm/address-space.ts";
import { FrameAllocator } from "../../src/vm/frame-allocator.ts";
import { skylake, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;

/** One node of 8 MiB (2048 frames); every other frame left in use, so no 512-frame run is free. */
function fragmented(): FrameAllocator {
  const f = new FrameAllocator([0], [8 * MiB], 4096);
  const pas: number[] = [];
  for (let i = 0; i < 2048; i++) pas.push(f.alloc(0));
  for (let i = 0; i < 2048; i += 2) f.release(0, pas[i]);
  return f;
}

describe("huge pages need contiguous frames (fact 8)", () => {
  it("takes 512 contiguous, 2 MiB-aligned frames for a 2 MiB page", () => {
    const f = new FrameAllocator([0], [8 * MiB], 4096);
    f.alloc(0);
    const pa = f.allocContiguous(0, 512);
    expect(pa % (2 * MiB)).toBe(0);
    expect(f.used[0]).toBe(513);
  });

  it("finds no 2 MiB page in fragmented memory even with half the frames free", () => {
    const f = fragmented();
    expect(f.free(0)).toBe(1024);
    expect(f.allocContiguous(0, 512)).toBe(-1);
  });

  it("finds a 2 MiB page again once an aligned run has been freed", () => {
    const f = new FrameAllocator([0], [8 * MiB], 4096);
    const pas: number[] = [];
    for (let i = 0; i < 2048; i++) pas.push(f.alloc(0));
    for (let i = 512; i < 1024; i++) f.release(0, pas[i]);
    expect(f.allocContiguous(0, 512)).toBe(2 * MiB);
  });

  it("falls back to base pages when fragmentation leaves no run", () => {
    const space = new AddressSpace(fragmented(), [[0]], 1 << 30);
    const r = space.map("r", "anon", 2 * MiB, { kind: "local" }, 2 * MiB);
    space.translate(r.start, 0, false);
    expect(space.hugePages).toBe(0);
    expect(space.hugeFallbacks).toBe(1);
  });

  it("serves huge pages from a pool reserved at boot, before memory fragments", () => {
    const f = new FrameAllocator([0], [8 * MiB], 4096);
    const space = new AddressSpace(f, [[0]], 1 << 30);
    expect(space.reserveHugePages(2, 2 * MiB)).toEqual([2]);
    for (let i = 0; i < 1000; i++) f.alloc(0); // most of the rest goes to base pages
    const r = space.map("r", "anon", 4 * MiB, { kind: "local" }, 2 * MiB);
    space.translate(r.start, 0, false);
    space.translate(r.start + 2 * MiB, 0, false);
    expect(space.hugePages).toBe(2);
    expect(space.hugeFallbacks).toBe(0);
  });

  it("maps a whole 2 MiB page contiguously on its first touch", () => {
    const space = new AddressSpace(new FrameAllocator([0], [8 * MiB], 4096), [[0]], 1 << 30);
    const r = space.map("r", "anon", 2 * MiB, { kind: "local" }, 2 * MiB);
    const pa = space.translate(r.start + 4096 * 7 + 5, 0, false);
    expect(pa % 4096).toBe(5);
    expect(r.pagePa[511] - r.pagePa[0]).toBe(511 * 4096);
  });

  it("makes far fewer page walks with 2 MiB pages than with 4 KiB pages for random access (Skylake TLBs)", () => {
    const walks = (pageSize: number) => vmRun(skylake(), { generator: "gups", sizeBytes: 32 * MiB, pageSize, accesses: 4000, populate: true }).stats["node0.core0.tlb.walker.walks"].value as number;
    expect(walks(2 * MiB) * 20).toBeLessThan(walks(4096));
  });
});
