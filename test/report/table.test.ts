import { describe, expect, it } from "vitest";
import { formatTieringRepro } from "../../src/cli/commands/repro.ts";
import { formatNumber, formatTable } from "../../src/report/table.ts";

describe("text tables", () => {
  it("writes every number of a column with fractions to one number of decimals", () => {
    const lines = formatTable(["row", "speed-up", "count"], [["a", 1, 3], ["b", 1.0512, 40], ["c", 8.4321, 500]]).split("\n");
    expect(lines).toEqual([
      "row  speed-up  count",
      "---  --------  -----",
      "a        1.00      3",
      "b        1.05     40",
      "c        8.43    500",
    ]);
  });

  it("gives a column the decimals its smallest fraction needs", () => {
    expect(formatTable(["x"], [[250.25], [0.5]]).split("\n").slice(2)).toEqual(["250.250", "  0.500"]);
  });

  it("formats a lone number by its size, and leaves NaN as it is", () => {
    expect([formatNumber(3), formatNumber(1.23456), formatNumber(123.456), formatNumber(0.1234), formatNumber(Number.NaN)]).toEqual(["3", "1.23", "123.5", "0.123", "NaN"]);
    expect(formatNumber(1, 2)).toBe("1.00");
  });

  it("gives the tiering comparison's speed-ups two decimals, the first one included", () => {
    const row = (id: "NO_TIERING" | "TIERING" | "ALL_DRAM", timeNs: number) => ({ id, description: id, timeNs, fastShare: 0.5, promotions: 0, demotions: 0, migratedBytes: 0 });
    const text = formatTieringRepro("m", [row("NO_TIERING", 843_000), row("TIERING", 800_000), row("ALL_DRAM", 100_000)]);
    const speedUps = text.split("\n").filter((l) => /^(NO_TIERING|TIERING|ALL_DRAM) /.test(l)).map((l) => l.split(/\s{2,}/)[3]);
    expect(speedUps).toEqual(["1.00", "1.05", "8.43"]);
  });
});
