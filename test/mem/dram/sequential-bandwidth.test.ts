import { describe, expect, it } from "vitest";
import { sequentialTrace } from "../../../src/mem/dram/request-trace.ts";
import { runSystemTrace } from "../../../src/mem/dram/system-bandwidth.ts";
import { runTrace } from "../../../src/mem/dram/trace-frontend.ts";
import { paramsOf } from "./helpers.ts";

describe("sequential read bandwidth", () => {
  it("ddr4-2400 with the bank-group-interleaved mapping reaches 90 % of 19.2 GB/s", () => {
    const p = paramsOf("ddr4-2400", { mapping: "row-column-rank-bank-bankgroup-channel" });
    const r = runTrace(p, sequentialTrace(60_000), { check: true });
    expect(r.bandwidthGBs).toBeGreaterThanOrEqual(0.9 * 19.2);
    expect(r.violations).toEqual([]);
  });

  it("ddr4-2400 with RoBaRaCoCh is held back by tCCD_L (one bank group at a time)", () => {
    const p = paramsOf("ddr4-2400", { mapping: "row-bank-rank-column-channel" });
    const r = runTrace(p, sequentialTrace(20_000), { check: true });
    expect(r.violations).toEqual([]);
    // Within a row every RD waits tCCD_L = 6 cycles for a 4-cycle burst (67 %); only where the
    // stream crosses into the next bank do two bank groups overlap.
    expect(r.bandwidthGBs).toBeLessThan(0.8 * 19.2);
    expect(r.bandwidthGBs).toBeGreaterThan(0.6 * 19.2);
  });

  it("an HBM2 stack with all eight channels loaded reaches 90 % of 256 GB/s", () => {
    const p = paramsOf("hbm2");
    const r = runSystemTrace(p, sequentialTrace(200_000), true);
    expect(r.peakGBs).toBe(256);
    expect(r.bandwidthGBs).toBeGreaterThanOrEqual(0.9 * 256);
    expect(r.violations).toEqual([]);
  });

  it("ddr-400 dual channel approaches the Opteron node's 6.4 GB/s", () => {
    const r = runSystemTrace(paramsOf("ddr-400"), sequentialTrace(20_000), true);
    expect(r.violations).toEqual([]);
    expect(r.peakGBs).toBeCloseTo(6.4, 6);
    expect(r.bandwidthGBs).toBeGreaterThan(0.9 * 6.4);
  });
});
