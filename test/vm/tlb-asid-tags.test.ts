import { describe, expect, it } from "vitest";
import { TlbArray } from "../../src/vm/tlb.ts";

const K4 = 12;

describe("TLB address-space tags", () => {
  it("does not let one address space hit another's entry", () => {
    const t = new TlbArray("t", 8, 8, [K4], 12);
    t.insert(0x5000, K4, 1);
    expect(t.lookup(0x5000, 1)).toBe(K4);
    expect(t.lookup(0x5000, 2)).toBe(-1);
  });

  it("keeps both address spaces' entries across a switch (no flush needed)", () => {
    const t = new TlbArray("t", 8, 8, [K4], 12);
    t.insert(0x5000, K4, 1);
    t.insert(0x5000, K4, 2);
    expect(t.lookup(0x5000, 1)).toBe(K4);
    expect(t.lookup(0x5000, 2)).toBe(K4);
  });

  it("without tags, a stale entry would hit for the next address space: a switch must flush", () => {
    const t = new TlbArray("t", 8, 8, [K4], 0);
    t.insert(0x5000, K4, 1);
    expect(t.lookup(0x5000, 2)).toBe(K4);
    t.flushAll();
    expect(t.lookup(0x5000, 2)).toBe(-1);
  });

  it("aliases identifiers beyond the tag width (reusing an ID needs a partial flush)", () => {
    const t = new TlbArray("t", 8, 8, [K4], 1); // AMD Pacifica's 1-bit ASID
    t.insert(0x5000, K4, 1);
    expect(t.lookup(0x5000, 3)).toBe(K4);
    t.flushAsid(3);
    expect(t.lookup(0x5000, 1)).toBe(-1);
  });
});
