import { describe, expect, it } from "vitest";
import { hopsim } from "../cli/run-cli.ts";

interface Row {
  id: string;
  expected: unknown;
  simulated: number;
  within: boolean | null;
}

describe("hopsim repro vm --json", () => {
  const r = hopsim(["repro", "vm", "--json"]);
  const rows = r.code === 0 ? (JSON.parse(r.stdout) as { rows: Row[] }).rows : [];

  it("exits 0 and prints the walk rows first, with the counts the sources give", () => {
    expect(r.code).toBe(0);
    expect(rows.slice(0, 6).map((x) => (x.id === "WALK_NESTED_CACHED" ? [x.id] : [x.id, x.simulated]))).toEqual([
      ["WALK_NATIVE_4K", 4],
      ["WALK_NATIVE_2M", 3],
      ["WALK_NATIVE_1G", 2],
      ["WALK_NESTED_4K", 24],
      ["WALK_NESTED_CACHED"],
      ["WALK_SHADOW", 4],
    ]);
  });

  it("measures nested walks with caches on as shorter than the 24 of the uncached walk", () => {
    expect(rows.find((x) => x.id === "WALK_NESTED_CACHED")?.simulated).toBeLessThan(24);
  });

  it("finds every row within what is expected", () => {
    expect(rows.filter((x) => x.within === false).map((x) => x.id)).toEqual([]);
  });

  it("gives rows with nothing expected no verdict (within null), the others true or false", () => {
    expect(rows.length).toBeGreaterThan(0);
    for (const x of rows) expect(x.within).toBe(x.expected === null ? null : true);
  });
});
