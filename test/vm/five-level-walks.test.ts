import { describe, expect, it } from "vitest";
import { k8, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;
const walkRefs = (r: ReturnType<typeof vmRun>) => r.stats["node0.core0.tlb.walker.walk.refs"].value as { count: number; min: number; max: number };
const tablePages = (r: ReturnType<typeof vmRun>) => r.stats["process.pagetable.bytes"].value as number;

describe("5-level paging (x86-64 LA57, optional in the issue)", () => {
  it("reads 5 entries per walk for 4 KiB pages, 4 for 2 MiB", () => {
    const r = vmRun(k8("os.pageTables.layout=x86-64-5level"), { sizeBytes: 64 * MiB, accesses: 1000 });
    expect(walkRefs(r).count).toBeGreaterThan(900);
    expect([walkRefs(r).min, walkRefs(r).max]).toEqual([5, 5]);
    const h = vmRun(k8("os.pageTables.layout=x86-64-5level"), { sizeBytes: 128 * MiB, pageSize: 2 * MiB, stride: 2 * MiB, accesses: 300 });
    expect([walkRefs(h).min, walkRefs(h).max]).toEqual([4, 4]);
  });

  it("makes the nested walk (5 + 1)(5 + 1) - 1 = 35 references with every cache off", () => {
    const r = vmRun(k8("os.pageTables.layout=x86-64-5level"), { sizeBytes: 64 * MiB, accesses: 500, guest: { paging: "nested", hostPageSize: 4096, vpid: true } });
    expect([walkRefs(r).min, walkRefs(r).max]).toEqual([35, 35]);
  });

  it("spends one more table page per process than 4-level paging", () => {
    const four = tablePages(vmRun(k8(), { sizeBytes: 4 * MiB, accesses: 100, populate: true }));
    const five = tablePages(vmRun(k8("os.pageTables.layout=x86-64-5level"), { sizeBytes: 4 * MiB, accesses: 100, populate: true }));
    expect(five - four).toBe(4096);
  });
});
