import { describe, expect, it } from "vitest";
import { IntTable } from "../../src/kernel/int-table.ts";
import { RngStream } from "../../src/kernel/rng.ts";

/** Applies the same random operations to an IntTable and a Map and compares them after each. */
function against(seed: number, keySpace: (r: RngStream) => number, ops: number): void {
  const r = new RngStream(seed, "int-table");
  const t = new IntTable();
  const m = new Map<number, number>();
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok && problems.length < 5) problems.push(what);
  };
  for (let n = 0; n < ops; n++) {
    const key = keySpace(r);
    const op = r.next();
    if (op < 0.45) {
      const v = Math.floor(r.next() * 2 ** 31) - 2 ** 30;
      t.set(key, v);
      m.set(key, v);
    } else if (op < 0.9) {
      check(t.delete(key) === m.delete(key), `delete ${key}`);
    } else {
      const sum = t.addTo(key, 1);
      const v = (m.get(key) ?? 0) + 1;
      if (v === 0) m.delete(key);
      else m.set(key, v);
      check(sum === v, `addTo ${key}: ${sum}, expected ${v}`);
    }
    check(t.size === m.size, `size ${t.size}, expected ${m.size}`);
    const probe = keySpace(r);
    check(t.get(probe, -7) === (m.get(probe) ?? -7), `get ${probe}`);
    check(t.has(probe) === m.has(probe), `has ${probe}`);
  }
  for (const [k, v] of m) check(t.get(k, -7) === v, `final get ${k}`);
  expect(problems).toEqual([]);
}

describe("IntTable", () => {
  it("agrees with a Map under random sets, deletes and counts over a few keys (long probe runs, wrap-around)", () => {
    against(1, (r) => Math.floor(r.next() * 40), 20_000);
  });

  it("agrees with a Map on keys past 2^32 (byte addresses of a large machine), through growth and emptying", () => {
    against(2, (r) => 2 ** 40 + Math.floor(r.next() * 3000) * 64, 30_000);
    against(3, (r) => Math.floor(r.next() * 2 ** 53), 5_000);
  });

  it("keeps every key of a run when one in its middle is deleted", () => {
    // Keys 16 apart in a 16-slot table all hash to slots of one small set: long runs that wrap.
    const t = new IntTable(16);
    const keys = Array.from({ length: 7 }, (_, i) => i * 16 * 2 ** 32);
    keys.forEach((k, i) => t.set(k, i));
    t.delete(keys[2]);
    keys.forEach((k, i) => expect(t.get(k, -1)).toBe(i === 2 ? -1 : i));
    expect(t.size).toBe(6);
  });

  it("addTo removes a key whose count returns to zero", () => {
    const t = new IntTable();
    expect(t.addTo(5, 1)).toBe(1);
    expect(t.addTo(5, 1)).toBe(2);
    expect(t.addTo(5, -1)).toBe(1);
    expect(t.addTo(5, -1)).toBe(0);
    expect(t.has(5)).toBe(false);
    expect(t.size).toBe(0);
  });

  it("takeOne counts a key down and out, and leaves an absent key absent", () => {
    const t = new IntTable();
    t.set(9, 2);
    expect(t.takeOne(9)).toBe(2);
    expect(t.get(9, -1)).toBe(1);
    expect(t.takeOne(9)).toBe(1);
    expect(t.has(9)).toBe(false);
    expect(t.takeOne(9)).toBe(0);
    expect(t.size).toBe(0);
  });
});
