import { describe, expect, it } from "vitest";
import { GpuCache } from "../../../src/accel/gpu/gpu-cache.ts";
import { decodeKernel } from "../../../src/accel/gpu/gpu-kernel.ts";
import { GPU_DEFAULTS, resolveGpuParams } from "../../../src/accel/gpu/gpu-params.ts";
import { GpuTlb } from "../../../src/accel/gpu/gpu-tlb.ts";

describe("GpuTlb", () => {
  it("maps every byte of a page by the physical base, and misses other pages", () => {
    const t = new GpuTlb("t", 4, 4);
    t.insert(0x12345, 12, 0x7000_0000);
    expect(t.lookup(0x12000)).toBe(0x7000_0000 - 0x12000);
    expect(0x12fff + t.lookup(0x12fff)).toBe(0x7000_0fff);
    expect(Number.isNaN(t.lookup(0x13000))).toBe(true);
  });

  it("holds pages of several sizes at once", () => {
    const t = new GpuTlb("t", 8, 2);
    t.insert(0x40_0000 + 5, 21, 0x1_0000_0000);
    t.insert(0x1000, 12, 0x9000);
    expect(0x5f_ffc0 + t.lookup(0x5f_ffc0)).toBe(0x1_0000_0000 + 0x1f_ffc0);
    expect(t.lastShift).toBe(21);
    expect(0x1040 + t.lookup(0x1040)).toBe(0x9040);
    expect(t.lastShift).toBe(12);
  });

  it("evicts the least recently used entry of a set", () => {
    const t = new GpuTlb("t", 2, 2);
    t.insert(0x0000, 12, 0x10000);
    t.insert(0x1000, 12, 0x20000);
    t.lookup(0x0000); // page 1 is now the LRU
    t.insert(0x2000, 12, 0x30000);
    expect(Number.isNaN(t.lookup(0x1000))).toBe(true);
    expect(t.lookup(0x0000)).toBe(0x10000);
    expect(t.lookup(0x2000)).toBe(0x30000 - 0x2000);
  });

  it("drops the entries a range overlaps", () => {
    const t = new GpuTlb("t", 16, 16);
    for (let p = 0; p < 8; p++) t.insert(p * 4096, 12, 0x100000 + p * 4096);
    expect(t.invalidateRange(4096 + 100, 3 * 4096)).toBe(2);
    expect(t.validEntries()).toBe(6);
    t.invalidateAll();
    expect(t.validEntries()).toBe(0);
  });
});

describe("GpuCache", () => {
  it("is LRU within a set and reports a dirty victim", () => {
    const c = new GpuCache("c", 2 * 64, 2, 64); // one set of two ways
    expect(c.insert(1, true)).toBe(false);
    expect(c.insert(2, false)).toBe(false);
    c.lookup(2);
    expect(c.insert(3, false)).toBe(true);
    expect(c.victimLine).toBe(1);
    expect(c.victimDirty).toBe(true);
    expect(c.lookup(1)).toBe(-1);
    expect(c.dirtyLines()).toBe(0);
  });

  it("never holds a line twice, keeping it dirty when re-inserted clean", () => {
    const c = new GpuCache("c", 4 * 64, 4, 64);
    c.insert(1, false);
    c.insert(2, true);
    c.invalidateAll();
    c.insert(5, false);
    c.insert(2, true);
    c.insert(2, false);
    expect(c.validLines()).toBe(2);
    expect(c.dirtyLines()).toBe(1);
  });

  it("spreads a bank's lines over all its sets with a set divisor", () => {
    const banks = 4;
    const c = new GpuCache("c", 8 * 64, 1, 64, banks); // 8 sets, direct-mapped
    // Lines of bank 0 are 0, 4, 8, ...: eight of them fill eight different sets.
    for (let i = 0; i < 8; i++) expect(c.insert(i * banks, false)).toBe(false);
    expect(c.validLines()).toBe(8);
  });
});

describe("GPU parameters and kernels", () => {
  it("fills defaults and rejects inconsistent geometry", () => {
    const p = resolveGpuParams({ computeUnits: 4, l2: { banks: 8 } });
    expect(p.computeUnits).toBe(4);
    expect(p.l2.banks).toBe(8);
    expect(p.l2.sizeBytes).toBe(GPU_DEFAULTS.l2.sizeBytes);
    expect(() => resolveGpuParams({ lineBytes: 96 })).toThrow(/power of two/);
    expect(() => resolveGpuParams({ l1: { sizeBytes: 1000 } })).toThrow(/l1/);
    expect(() => resolveGpuParams({ l2Tlb: { entries: 100, assoc: 16 } })).toThrow(/l2Tlb/);
  });

  it("draws gather indices from the seed, uniformly over the table", () => {
    const k = { kind: "gather" as const, elements: 20000, workgroupSize: 64, tableElements: 1000, seed: 3, arrays: { idx: 0, table: 1 << 20, c: 2 << 20 } };
    const a = decodeKernel(k, 64, "g").indices as Int32Array;
    const b = decodeKernel(k, 64, "g").indices as Int32Array;
    expect(Array.from(a)).toEqual(Array.from(b));
    const c = decodeKernel({ ...k, seed: 4 }, 64, "g").indices as Int32Array;
    expect(Array.from(c)).not.toEqual(Array.from(a));
    let max = 0;
    let sum = 0;
    for (const v of a) {
      max = Math.max(max, v);
      sum += v;
    }
    expect(max).toBeLessThan(1000);
    expect(sum / a.length).toBeGreaterThan(450);
    expect(sum / a.length).toBeLessThan(550);
  });
});
