import { describe, expect, it } from "vitest";
import { k8With, stat, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;
const PERIOD_PS = 455; // 2.2 GHz

describe("operating-system costs around translation", () => {
  it("charges each demand-paging fault's kernel time to the faulting core", () => {
    const run = (cycles: number) => vmRun(k8With(`os.pageFaultCycles=${cycles}`), { generator: "stream-write", sizeBytes: 2 * MiB });
    const base = run(0);
    const faulting = run(2000);
    const kernelPs = 512 * 2000 * PERIOD_PS; // 2 MiB of fresh 4 KiB pages
    expect(stat(faulting, "node0.core0.stallPs")).toBeGreaterThanOrEqual(kernelPs);
    expect((faulting.simulatedNs - base.simulatedNs) * 1000).toBeGreaterThan(kernelPs / 2);
  });

  it("flushes the TLBs at each context switch without address-space tags", () => {
    const r = vmRun(k8With("os.timeslice=20us", "node.core.tlb.asidBits=0"), { sizeBytes: 1 * MiB, accesses: 20_000, populate: true });
    expect(stat(r, "node0.core0.tlb.contextSwitches")).toBeGreaterThan(5);
    expect(stat(r, "node0.core0.tlb.flushes")).toBe(stat(r, "node0.core0.tlb.contextSwitches"));
  });

  it("keeps the entries across switches with tags, so it walks less than with flushes", () => {
    const walks = (bits: number) => stat(vmRun(k8With("os.timeslice=20us", `node.core.tlb.asidBits=${bits}`), { sizeBytes: 1 * MiB, accesses: 20_000, populate: true }), "node0.core0.tlb.walker.walks");
    expect(walks(12)).toBeLessThan(walks(0));
  });
});
