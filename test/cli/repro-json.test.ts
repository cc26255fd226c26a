import { describe, expect, it } from "vitest";
import { formatVmRepro, numaReproJson, vmReproJson } from "../../src/cli/commands/repro.ts";
import type { NumaRepro, ReproRow } from "../../src/repro/numa-repro.ts";
import type { VmRow } from "../../src/repro/vm-repro.ts";

describe("repro --json rows", () => {
  it("numa: a row with a published band carries it; a row without has no band key", () => {
    const row = (id: string, extra: Partial<ReproRow>): ReproRow => ({ id, description: id, published: 1, simulated: 1.0004, tolerancePp: 2, basis: "b", ...extra });
    const r: NumaRepro = { machine: "m", rows: [row("R0", {}), row("BW_WRITE_DRAM", { band: [0.94, 1.03] })], testLoad: [], placement: [] };
    const rows = (numaReproJson(r) as { rows: Record<string, unknown>[] }).rows;
    expect(rows[0]).toEqual({ id: "R0", published: 1, simulated: 1, within: true, basis: "b" });
    expect(rows[1]).toEqual({ id: "BW_WRITE_DRAM", published: 1, band: [0.94, 1.03], simulated: 1, within: true, basis: "b" });
  });

  it("vm: a row with nothing expected has within null and no ok in the table", () => {
    const rows: VmRow[] = [
      { id: "A", description: "counted", expected: 4, simulated: 4, unit: "refs" },
      { id: "B", description: "measured only", expected: null, simulated: 7.5, unit: "ns" },
      { id: "C", description: "too high", expected: [null, 2], simulated: 3, unit: "x" },
    ];
    expect((vmReproJson("m", rows) as { rows: { within: boolean | null }[] }).rows.map((x) => x.within)).toEqual([true, null, false]);
    const ok = formatVmRepro("m", rows)
      .split("\n")
      .filter((l) => /^[ABC] /.test(l))
      .map((l) => l.trimEnd().split(/\s{2,}/).at(-1));
    expect(ok).toEqual(["yes", "-", "no"]);
  });
});
