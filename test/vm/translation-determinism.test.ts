import { describe, expect, it } from "vitest";
import { k8With, vmRun } from "./helpers.ts";

describe("translation timing is deterministic", () => {
  it("gives byte-identical statistics for the same inputs, nested paging and ASLR included", () => {
    const run = () => JSON.stringify(vmRun(k8With("node.core.tlb.pwc.l2=8", "node.core.tlb.nestedTlb=8"), { sizeBytes: 32 << 20, regions: 3, accesses: 1500, aslr: true, guest: { paging: "nested", hostPageSize: 4096, vpid: true } }).stats);
    expect(run()).toBe(run());
  });
});
