import { describe, expect, it } from "vitest";
import { Histogram } from "../../src/stats/histogram.ts";
import { StatsRegistry } from "../../src/stats/registry.ts";

describe("histogram", () => {
  it("gives exact count, mean, min and max and percentiles within 1.6 %", () => {
    const h = new Histogram("x", "ps", "test");
    for (let v = 1; v <= 100_000; v++) h.sample(v);
    expect(h.count).toBe(100_000);
    expect(h.mean).toBeCloseTo(50_000.5, 6);
    expect(h.min).toBe(1);
    expect(h.max).toBe(100_000);
    for (const p of [50, 90, 99]) {
      const exact = (p / 100) * 100_000;
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.016);
    }
  });

  it("is exact for small integers", () => {
    const h = new Histogram("x", "cycles", "test");
    for (const v of [3, 3, 3, 12, 12, 40]) h.sample(v);
    expect(h.percentile(50)).toBe(3);
    expect(h.percentile(80)).toBe(12);
    expect(h.percentile(100)).toBe(40);
  });
});

describe("stats registry", () => {
  it("dumps every statistic in path order with unit and description, formulas computed at dump", () => {
    const s = new StatsRegistry();
    const hits = s.counter("b.hits", "count", "hits");
    const acc = s.counter("a.accesses", "count", "accesses");
    s.formula("b.hitRate", "ratio", "hits over accesses", () => hits.value / acc.value);
    acc.inc(4);
    hits.inc(3);
    const d = s.dump();
    expect(Object.keys(d)).toEqual(["a.accesses", "b.hitRate", "b.hits"]);
    expect(d["b.hitRate"]).toEqual({ unit: "ratio", desc: "hits over accesses", value: 0.75 });
  });

  it("refuses a path registered twice", () => {
    const s = new StatsRegistry();
    s.counter("x", "count", "x");
    expect(() => s.counter("x", "count", "x")).toThrowError(/twice/);
  });
});
