import { describe, expect, it } from "vitest";
import { machine } from "../integration/numa-helpers.ts";
import { stat, vmRun } from "./helpers.ts";
import { withTlb } from "../../src/repro/vm-repro.ts";

const MiB = 2 ** 20;

describe("translation timing switch", () => {
  it("is off in the bundled machines: no TLB statistics and no page tables", () => {
    const r = vmRun(machine("machines/opteron-2p.yaml"), { sizeBytes: 16 * MiB, accesses: 500 });
    expect(Object.keys(r.stats).filter((k) => k.includes(".tlb.") || k.startsWith("process."))).toEqual([]);
  });

  it("makes a chase over more pages than the TLBs reach slower when on", () => {
    const m = machine("machines/opteron-2p.yaml");
    const off = vmRun(m, { sizeBytes: 64 * MiB, accesses: 2000 }).simulatedNs;
    const on = vmRun(withTlb(m), { sizeBytes: 64 * MiB, accesses: 2000 }).simulatedNs;
    expect(on).toBeGreaterThan(off * 1.05);
  });

  it("costs nothing beyond the first walk when every access hits one page", () => {
    const r = vmRun(withTlb(machine("machines/opteron-2p.yaml")), { sizeBytes: 4096, stride: 64, accesses: 2000 });
    expect(stat(r, "node0.core0.tlb.walker.walks")).toBe(1);
  });
});
