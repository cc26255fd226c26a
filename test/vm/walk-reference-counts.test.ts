import { describe, expect, it } from "vitest";
import { k8, k8With, refsPerWalk, stat, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const walkRefs = (r: ReturnType<typeof vmRun>) => r.stats["node0.core0.tlb.walker.walk.refs"].value as { count: number; min: number; max: number };

describe("references per page walk (every walk-shortening cache off)", () => {
  it("reads one entry per level of a 4-level table for 4 KiB pages (fact 4)", () => {
    const r = vmRun(k8(), { sizeBytes: 64 * MiB, accesses: 1000 });
    expect(walkRefs(r).count).toBeGreaterThan(900);
    expect([walkRefs(r).min, walkRefs(r).max]).toEqual([4, 4]);
  });

  it("reads 3 entries for 2 MiB pages (the leaf sits one level up)", () => {
    const r = vmRun(k8(), { sizeBytes: 128 * MiB, pageSize: 2 * MiB, stride: 2 * MiB, accesses: 300 });
    expect(walkRefs(r).count).toBeGreaterThan(30);
    expect([walkRefs(r).min, walkRefs(r).max]).toEqual([3, 3]);
  });

  it("reads 2 entries for 1 GiB pages", () => {
    const r = vmRun(k8("node.memory.size=4GiB"), { sizeBytes: 2 * GiB, pageSize: GiB, stride: 256 * MiB, accesses: 50 });
    expect(walkRefs(r).count).toBeGreaterThan(0);
    expect([walkRefs(r).min, walkRefs(r).max]).toEqual([2, 2]);
  });

  it("reads 1 entry in the one-level x86 4 MiB mode (fact 1)", () => {
    const r = vmRun(k8("os.pageTables.layout=x86-4M"), { sizeBytes: 256 * MiB, pageSize: 4 * MiB, stride: 4 * MiB, accesses: 300 });
    expect(walkRefs(r).count).toBeGreaterThan(30);
    expect([walkRefs(r).min, walkRefs(r).max]).toEqual([1, 1]);
  });

  it("reads 24 entries in a nested 2D walk of two 4-level tables (fact 10)", () => {
    const r = vmRun(k8(), { sizeBytes: 64 * MiB, accesses: 500, guest: { paging: "nested", hostPageSize: 4096, vpid: true } });
    expect([walkRefs(r).min, walkRefs(r).max]).toEqual([24, 24]);
  });

  it("reads 4 * (3 + 1) + 3 = 19 entries when the host maps guest memory with 2 MiB pages", () => {
    const r = vmRun(k8(), { sizeBytes: 64 * MiB, accesses: 500, guest: { paging: "nested", hostPageSize: 2 * MiB, vpid: true } });
    expect(refsPerWalk(r)).toBe(19);
  });

  it("reads 4 entries of the shadow table under shadow paging (fact 11)", () => {
    const r = vmRun(k8(), { sizeBytes: 64 * MiB, accesses: 500, guest: { paging: "shadow", hostPageSize: 4096, vpid: true } });
    expect([walkRefs(r).min, walkRefs(r).max]).toEqual([4, 4]);
  });

  it("reads fewer entries when page-walk caches hold the upper levels", () => {
    const r = vmRun(k8With("node.core.tlb.pwc.l4=2", "node.core.tlb.pwc.l3=4", "node.core.tlb.pwc.l2=32"), { sizeBytes: 16 * MiB, accesses: 1000 });
    expect(refsPerWalk(r)).toBeLessThan(1.5);
    expect(stat(r, "node0.core0.tlb.pwc.hits")).toBeGreaterThan(900);
  });

  it("reads fewer than 24 entries per nested walk with page-walk caches and a nested TLB", () => {
    const m = k8With("node.core.tlb.pwc.l4=2", "node.core.tlb.pwc.l3=4", "node.core.tlb.pwc.l2=32", "node.core.tlb.nestedTlb=16");
    const r = vmRun(m, { sizeBytes: 64 * MiB, accesses: 500, guest: { paging: "nested", hostPageSize: 4096, vpid: true } });
    expect(refsPerWalk(r)).toBeLessThan(12);
    expect(stat(r, "node0.core0.tlb.ntlb.hits")).toBeGreaterThan(0);
  });
});
