import { describe, expect, it } from "vitest";
import { DramSpec, resolveDramParams } from "../../../src/mem/dram/dram-spec.ts";
import { channelPeakBytesPerNs, checkDramParams } from "../../../src/mem/dram/dram-params.ts";
import { DRAM_PRESETS } from "../../../src/mem/presets/dram-presets.ts";

describe("presets and the DramSpec schema", () => {
  it.each(Object.keys(DRAM_PRESETS))("%s is a sound parameter set", (name) => {
    const r = DramSpec.safeParse({ preset: name });
    expect(r.success).toBe(true);
    expect(checkDramParams(resolveDramParams(r.data!))).toEqual([]);
  });

  it("an unknown preset is an issue on `preset` that lists the known presets", () => {
    const r = DramSpec.safeParse({ preset: "ddr6" });
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0]!;
    expect(issue.path).toEqual(["preset"]);
    for (const name of Object.keys(DRAM_PRESETS)) expect(issue.message).toContain(name);
  });

  it("unknown fields are rejected", () => {
    const r = DramSpec.safeParse({ preset: "ddr4-2400", tFOO: 1 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.code).toBe("unrecognized_keys");
  });

  it("accepts unit strings for tCK and byte sizes", () => {
    const p = resolveDramParams(DramSpec.parse({ preset: "ddr4-2400", tCK: "0.75ns", rowBytes: "4KiB" }));
    expect(p.tCKps).toBe(750);
    expect(p.rowBytes).toBe(4096);
  });

  it("keeps dependent defaults consistent with overrides", () => {
    const p = resolveDramParams(DramSpec.parse({ preset: "ddr4-2400", tRP: 20, writeQueue: 64, tREFI: 8000 }));
    expect(p.tRC).toBe(p.tRAS + 20);
    expect(p.writeHighWatermark).toBe(48);
    expect(p.writeLowWatermark).toBe(16);
    expect(p.tREFIpb).toBe(500);
  });

  it("reports cross-field problems on their field", () => {
    const r = DramSpec.safeParse({ preset: "ddr4-2400", writeLowWatermark: 30 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path[0])).toContain("writeLowWatermark");
  });

  it("a field its own schema refuses is one issue, saying what was expected and what was given", () => {
    const messages = (raw: Record<string, unknown>) => DramSpec.safeParse({ preset: "ddr4-2400", ...raw }).error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages({ tCL: -3 })).toEqual(["tCL: expected a positive number, got -3"]);
    expect(messages({ tRAS: 2.5, channels: 100 })).toEqual(["channels: expected a number of at most 64, got 100", "tRAS: expected a whole number, got 2.5"]);
    expect(messages({ refresh: "sometimes" })).toEqual(['refresh: expected one of "all-bank", "per-bank" or "none", got "sometimes"']);
  });

  it("peak bandwidths match the published figures", () => {
    const peak = (n: string) => channelPeakBytesPerNs(DRAM_PRESETS[n]!) * DRAM_PRESETS[n]!.channels;
    expect(peak("ddr-400")).toBeCloseTo(6.4, 6);
    expect(peak("ddr4-2400")).toBeCloseTo(19.2, 1);
    expect(peak("hbm2")).toBe(256);
    expect(peak("hbm3")).toBeCloseTo(819.2, 6);
    expect(peak("gddr6")).toBe(64);
    expect(peak("ddr5-4800")).toBeCloseTo(38.4, 1);
  });
});
