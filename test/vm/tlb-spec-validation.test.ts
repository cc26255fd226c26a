import { describe, expect, it } from "vitest";
import { machine } from "../integration/numa-helpers.ts";

describe("TLB section of a machine file", () => {
  it("defaults to translation timing off", () => {
    expect(machine("machines/opteron-4p.yaml").node.core.tlb.enabled).toBe(false);
  });

  it("carries the Skylake presets in xeon-2s", () => {
    const t = machine("machines/xeon-2s.yaml").node.core.tlb;
    expect(t.l1.arrays.map((a) => a.entries)).toEqual([64, 32, 4]);
    expect(t.l2.arrays[0]).toEqual({ entries: 1536, assoc: 12, pageSizes: [4096, 2 ** 21] });
  });

  it("carries the Core 2 256-entry DTLB in core2-2s", () => {
    expect(machine("machines/core2-2s.yaml").node.core.tlb.l2.arrays[0].entries).toBe(256);
  });

  it("rejects ways that do not divide the entries", () => {
    expect(() => machine("machines/opteron-2p.yaml", "node.core.tlb.l2.arrays[0].assoc=3")).toThrowError(/tlb\.l2\.arrays\[0\]\.assoc: 512 entries do not divide into 3-way sets/);
  });
});

describe("page sizes a workload asks for", () => {
  it("are refused when the machine's page tables have no such page", async () => {
    const { vmRun, k8 } = await import("./helpers.ts");
    expect(() => vmRun(k8(), { sizeBytes: 8 << 20, pageSize: 4 << 20 })).toThrowError(/regions\[0\]\.pageSize: the machine's x86-64 page tables have no 4194304-byte pages/);
  });
});
