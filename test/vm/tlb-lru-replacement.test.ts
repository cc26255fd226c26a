import { describe, expect, it } from "vitest";
import { TlbArray, TlbLevel } from "../../src/vm/tlb.ts";

const K4 = 12;
const page = (n: number) => n * 4096;

describe("TLB replacement", () => {
  it("evicts the least recently used entry of a fully associative array", () => {
    const t = new TlbArray("t", 2, 2, [K4]);
    t.insert(page(1), K4, 0);
    t.insert(page(2), K4, 0);
    expect(t.lookup(page(1), 0)).toBe(K4); // page 1 is now the most recent
    t.insert(page(3), K4, 0);
    expect(t.lookup(page(2), 0)).toBe(-1);
    expect(t.lookup(page(1), 0)).toBe(K4);
    expect(t.lookup(page(3), 0)).toBe(K4);
  });

  it("keeps pages of different sets apart in a set-associative array", () => {
    const t = new TlbArray("t", 4, 2, [K4]); // 2 sets of 2 ways
    for (const p of [0, 2, 4]) t.insert(page(p), K4, 0); // all even: set 0
    t.insert(page(1), K4, 0); // set 1
    expect(t.lookup(page(0), 0)).toBe(-1);
    expect(t.lookup(page(1), 0)).toBe(K4);
    expect(t.occupancy).toBe(3);
  });

  it("hits anywhere inside a huge page", () => {
    const t = new TlbArray("t", 8, 8, [K4, 21]);
    t.insert(2 ** 21 * 5, 21, 0);
    expect(t.lookup(2 ** 21 * 5 + 123_456, 0)).toBe(21);
    expect(t.lookup(2 ** 21 * 6, 0)).toBe(-1);
  });

  it("keeps a page size no array holds as the largest smaller size (splintering)", () => {
    const l = new TlbLevel([new TlbArray("t", 8, 8, [K4, 21])], 0);
    l.insert(2 ** 30, 30, 0);
    expect(l.lookup(2 ** 30 + 4096, 0)).toBe(21);
    expect(l.lookup(2 ** 30 + 2 ** 21, 0)).toBe(-1);
  });

  it("drops only the entries overlapping a flushed range", () => {
    const t = new TlbArray("t", 8, 8, [K4]);
    for (let p = 0; p < 4; p++) t.insert(page(p), K4, 0);
    t.flushRange(page(1), 2 * 4096, 0);
    expect([0, 1, 2, 3].map((p) => t.lookup(page(p), 0) >= 0)).toEqual([true, false, false, true]);
  });
});
