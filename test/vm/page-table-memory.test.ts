import { describe, expect, it } from "vitest";
import { FrameAllocator } from "../../src/vm/frame-allocator.ts";
import { PageTable, X86_64 } from "../../src/vm/page-table.ts";
import { k8, stat, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;

describe("page tables in memory", () => {
  it("puts each entry at its table frame plus index * 8", () => {
    const t = new PageTable("t", X86_64, new FrameAllocator([0], [64 * MiB], 4096), "local", 0);
    const va = 0x7f12_3456_7000;
    t.map(va, 12, 0);
    const pt = t.entryAddr(va, 1);
    expect(pt % 4096).toBe((Math.floor(va / 4096) % 512) * 8);
    expect(t.entryAddr(va + 4096, 1)).toBe(pt + 8);
  });

  it("writes a link per new table plus the leaf on the first mapping, then only leaves", () => {
    const t = new PageTable("t", X86_64, new FrameAllocator([0], [64 * MiB], 4096), "local", 0);
    expect(t.map(0x4000_0000, 12, 0)).toBe(4);
    expect(t.map(0x4000_1000, 12, 0)).toBe(1);
  });

  it("needs one level-1 table per 2 MiB of 4 KiB pages, and one table at each level above", () => {
    const r = vmRun(k8(), { sizeBytes: 64 * MiB, accesses: 100, populate: true });
    expect([1, 2, 3, 4].map((l) => stat(r, `process.pagetable.level${l}.pages`))).toEqual([32, 1, 1, 1]);
    expect(stat(r, "process.pagetable.bytes")).toBe(35 * 4096);
  });

  it("needs no level-1 tables for 2 MiB pages", () => {
    const r = vmRun(k8(), { sizeBytes: 64 * MiB, pageSize: 2 * MiB, accesses: 100, populate: true });
    expect(stat(r, "process.pagetable.level1.pages")).toBe(0);
  });

  it("spends more page-table memory when ASLR spreads the regions (fact 3)", () => {
    const bytes = (aslr: boolean) => stat(vmRun(k8(), { sizeBytes: 2 * MiB, regions: 8, populate: true, accesses: 10, aslr }), "process.pagetable.bytes");
    expect(bytes(true)).toBeGreaterThan(1.5 * bytes(false));
  });
});
