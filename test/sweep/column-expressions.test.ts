import { describe, expect, it } from "vitest";
import { parseColumnExpr } from "../../src/sweep/column-expr.ts";
import { columnCell, columnUnit, makeColumn, missingPaths } from "../../src/sweep/columns.ts";
import type { PointResult } from "../../src/sweep/point-record.ts";
import { parseCsv, PointsTable } from "../../src/sweep/points-csv.ts";

const thread = (index: number, nsPerAccess: number) => ({ index, core: `node0.core${index}`, node: 0, generator: "pointer-chase", regions: ["r"], loads: 10, stores: 0, timeNs: 10 * nsPerAccess, nsPerAccess, meanMissLatencyNs: nsPerAccess, remoteShare: index });
const result: PointResult = {
  machine: "m",
  workload: "w",
  simulatedNs: 2000,
  events: 100,
  threads: [thread(0, 60), thread(1, 90)],
  stats: {
    "node0.mc.bytes": { unit: "bytes", desc: "", value: 3000 },
    "node1.mc.bytes": { unit: "bytes", desc: "", value: 1000 },
    "ht.node0-node1.fwd.bytes": { unit: "bytes", desc: "", value: 64 },
    "node0.nb.missLatencyPs": { unit: "ps", desc: "", value: { mean: 70000, count: 5, p99: 80000 } },
  },
  numaMaps: [],
};
const cell = (input: Parameters<typeof makeColumn>[0]) => columnCell(makeColumn(input), result);

describe("columns of points.csv", () => {
  it("read thread fields, statistics and fields of structured statistics", () => {
    expect(cell("threads[1].nsPerAccess")).toBe(90);
    expect(cell("ht.node0-node1.fwd.bytes")).toBe(64);
    expect(cell("node0.nb.missLatencyPs.p99")).toBe(80000);
    expect(cell("threads[0].core")).toBe("node0.core0");
    expect(cell("simulatedNs")).toBe(2000);
  });

  it("evaluate arithmetic with precedence, parentheses and wildcard sums", () => {
    expect(cell({ name: "slowdown", expr: "threads[1].nsPerAccess / threads[0].nsPerAccess" })).toBe(1.5);
    expect(cell({ name: "gbs", expr: "sum(node*.mc.bytes) / simulatedNs" })).toBe(2);
    expect(cell({ name: "x", expr: "(threads[1].nsPerAccess - threads[0].nsPerAccess) * 2 + -1" })).toBe(59);
    expect(cell({ name: "n", expr: "count(threads[*].nsPerAccess)" })).toBe(2);
    expect(cell({ name: "m", expr: "max(threads[*].nsPerAccess)" })).toBe(90);
  });

  it("take units from the statistics unless the sweep file gives one", () => {
    expect(columnUnit(makeColumn("threads[0].nsPerAccess"), result)).toBe("ns");
    expect(columnUnit(makeColumn("node0.nb.missLatencyPs.count"), result)).toBe("count");
    expect(columnUnit(makeColumn({ name: "b", expr: "sum(node*.mc.bytes)" }), result)).toBe("bytes");
    expect(columnUnit(makeColumn({ name: "r", expr: "threads[1].nsPerAccess / threads[0].nsPerAccess", unit: "ratio" }), result)).toBe("ratio");
  });

  it("leave a cell empty for a path the result lacks and suggest the closest one", () => {
    expect(cell("node0.mc.byte")).toBe("");
    expect(missingPaths(makeColumn("node0.mc.byte"), result)).toEqual([{ path: "node0.mc.byte", suggestion: "node0.mc.bytes" }]);
  });

  it("are written without the noise of binary arithmetic, keeping whole numbers and real digits", () => {
    const stats = {
      ...result.stats,
      "x.noisy": { unit: "ns", desc: "", value: 106.10011800000001 },
      "x.sum": { unit: "", desc: "", value: 0.1 + 0.2 },
      "x.fine": { unit: "ns", desc: "", value: 123456789012.345 },
      "x.ratio": { unit: "", desc: "", value: (3 * 1.1) / 3.3 + 1 / 3 },
      "x.small": { unit: "", desc: "", value: 0.000123456789012 },
      "x.big": { unit: "bytes", desc: "", value: 123456789012345 },
    };
    const names = ["x.noisy", "x.sum", "x.fine", "x.ratio", "x.small", "x.big", "threads[0].core"];
    const table = new PointsTable(["seed"], names, [{ index: 0, id: "p0", params: { seed: 1 } }]);
    table.add({ id: "p0", hopsim: "0", seed: 1, result: { ...result, stats } });
    const [header, row] = parseCsv(table.text());
    expect(Object.fromEntries(header!.map((h, i) => [h, row![i]]))).toMatchObject({
      "x.noisy": "106.100118",
      "x.sum": "0.3",
      "x.fine": "123456789012.345",
      "x.ratio": "1.33333333333333",
      "x.small": "0.000123456789012",
      "x.big": "123456789012345",
      "threads[0].core": "node0.core0",
    });
  });

  it("reject malformed expressions with a one-line reason", () => {
    expect(() => parseColumnExpr("a / (b")).toThrow('expected ")" at the end');
    expect(() => parseColumnExpr("node*.mc.bytes")).toThrow("needs a function such as sum(...)");
    expect(() => parseColumnExpr("avg(a)")).toThrow('unknown function "avg"');
    expect(() => parseColumnExpr("a b")).toThrow('unexpected "b" at column 3');
  });
});
