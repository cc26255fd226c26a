import { describe, expect, it } from "vitest";
import { ClockDomain } from "../../src/kernel/clock-domain.ts";

describe("clock domains", () => {
  it("rounds the period once to whole picoseconds", () => {
    expect(new ClockDomain(1).periodPs).toBe(1000);
    expect(new ClockDomain(2.6).periodPs).toBe(385);
    expect(new ClockDomain(0.2).periodPs).toBe(5000);
    expect(new ClockDomain(3).periodPs).toBe(333);
  });

  it("converts cycles to ticks exactly as cycles times the period", () => {
    const c = new ClockDomain(2.6);
    expect(c.cyclesToTicks(12)).toBe(12 * 385);
    expect(c.ticksToCycles(12 * 385)).toBe(12);
    expect(c.ticksToCycles(12 * 385 + 1)).toBe(13);
  });

  it("finds the next clock edge", () => {
    const c = new ClockDomain(1);
    expect(c.nextEdge(0)).toBe(0);
    expect(c.nextEdge(1)).toBe(1000);
    expect(c.nextEdge(2000)).toBe(2000);
  });

  it("refuses a non-positive frequency", () => {
    expect(() => new ClockDomain(0)).toThrowError(/positive/);
  });
});
