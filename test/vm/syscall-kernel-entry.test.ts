import { describe, expect, it } from "vitest";
import { k8With, stat, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;
const run = (...sets: string[]) => vmRun(k8With("os.syscallEvery=10us", "os.syscallCycles=500", ...sets), { sizeBytes: 1 * MiB, accesses: 20_000, populate: true });

// Drepper, "What Every Programmer Should Know About Memory" §4.3.1: entering the kernel changes the page-table tree only where the kernel has a tree
// of its own; then it costs a full TLB flush unless the TLB carries address-space tags.
describe("system calls and the TLB", () => {
  it("counts kernel entries and charges their time", () => {
    const r = run();
    expect(stat(r, "node0.core0.tlb.syscalls")).toBeGreaterThan(5);
    const quiet = vmRun(k8With(), { sizeBytes: 1 * MiB, accesses: 20_000, populate: true });
    expect(r.simulatedNs).toBeGreaterThan(quiet.simulatedNs);
  });

  it("flushes nothing when the kernel shares the process's page tables", () => {
    expect(stat(run("os.kernelPageTables=shared", "node.core.tlb.asidBits=0"), "node0.core0.tlb.flushes")).toBe(0);
  });

  it("flushes at every entry when the kernel has its own tree and the TLB has no tags", () => {
    const r = run("os.kernelPageTables=separate", "node.core.tlb.asidBits=0");
    expect(stat(r, "node0.core0.tlb.flushes")).toBe(stat(r, "node0.core0.tlb.syscalls"));
  });

  it("walks less with tags (PCID) than with flushes when the kernel has its own tree", () => {
    const walks = (bits: number) => stat(run("os.kernelPageTables=separate", `node.core.tlb.asidBits=${bits}`), "node0.core0.tlb.walker.walks");
    expect(walks(12)).toBeLessThan(walks(0));
  });
});
