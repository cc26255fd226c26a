/**
 * Charts of a sweep: a statistic column against a parameter, one line (or bar colour) per value of
 * another parameter, compiled from vega-lite to vega and rendered to SVG in Node (no browser).
 */
import type { TopLevelSpec } from "vega-lite";
import { ConfigError } from "../config/errors.ts";
import { numericAxis, titleWithUnit } from "./quantity-axis.ts";
import type { SweepTable } from "./sweep-table.ts";

/** What to draw. */
export interface ChartRequest {
  /** Statistic column on the vertical axis. */
  y: string;
  /** Parameter (or column) on the horizontal axis. */
  x: string;
  /** Parameter whose values get a line (or bar colour) each. */
  by?: string;
  title?: string;
  /** Only rows whose parameters have these values. */
  where?: Record<string, string | number | boolean>;
  logX?: boolean;
  logY?: boolean;
}

/** Checks a request's names against a table; throws a ConfigError naming the CSV file and the option. */
export function checkChartRequest(t: SweepTable, r: ChartRequest): void {
  const problems: { file: string; path: string; message: string }[] = [];
  const list = (names: string[]) => names.join(", ");
  if (!t.columns.includes(r.y)) problems.push({ file: t.csvFile, path: "--y", message: `no statistic column named "${r.y}" (columns: ${list(t.columns)})` });
  if (!t.params.includes(r.x) && !t.columns.includes(r.x)) problems.push({ file: t.csvFile, path: "--x", message: `no parameter or column named "${r.x}" (parameters: ${list(t.params)})` });
  if (r.by !== undefined && !t.params.includes(r.by)) problems.push({ file: t.csvFile, path: "--by", message: `no parameter named "${r.by}" (parameters: ${list(t.params)})` });
  for (const k of Object.keys(r.where ?? {})) {
    if (!t.params.includes(k)) problems.push({ file: t.csvFile, path: "--where", message: `no parameter named "${k}" (parameters: ${list(t.params)})` });
  }
  if (problems.length === 0) problems.push(...whereMatchProblems(t, r));
  if (problems.length > 0) throw new ConfigError(problems);
}

/** A problem for each `where` value no point has (with the values it has), or one when only the combination matches nothing. */
function whereMatchProblems(t: SweepTable, r: ChartRequest): { file: string; path: string; message: string }[] {
  const where = Object.entries(r.where ?? {});
  if (where.length === 0 || selectedRows(t, r).length > 0) return [];
  const single = where
    .filter(([k, v]) => !t.rows.some((row) => row[k] === String(v)))
    .map(([k, v]) => ({ file: t.csvFile, path: "--where", message: `no point of the sweep has ${k}=${String(v)} (${k} has ${[...new Set(t.rows.map((row) => row[k]))].join(", ")})` }));
  if (single.length > 0) return single;
  return [{ file: t.csvFile, path: "--where", message: `no point of the sweep has ${whereText(r)} together` }];
}

/** The rows a request draws from: those matching its `where`. */
function selectedRows(t: SweepTable, r: ChartRequest): Record<string, string>[] {
  const where = Object.entries(r.where ?? {});
  return t.rows.filter((row) => where.every(([k, v]) => row[k] === String(v)));
}

/** `hops=1, policy=local`: a request's filter as text. */
function whereText(r: ChartRequest): string {
  return Object.entries(r.where ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(", ");
}

/** The vega-lite spec of a chart, with the data inline. */
export function chartSpec(t: SweepTable, r: ChartRequest): TopLevelSpec {
  checkChartRequest(t, r);
  const rows = selectedRows(t, r);
  const usable = rows.filter((row) => row["error"] === "" && row[r.y] !== "" && Number.isFinite(Number(row[r.y])));
  const skipped = rows.length - usable.length;
  const xAxis = numericAxis(usable.map((row) => row[r.x]!));
  const xUnit = xAxis?.unit ?? "";
  const yUnit = t.units[r.y] ?? "";
  // Several rows at one (x, by): other parameters or seeds vary. The line shows their mean.
  const values = usable.map((row, i) => ({ x: xAxis === undefined ? row[r.x]! : xAxis.values[i]!, y: Number(row[r.y]), by: r.by === undefined ? "" : row[r.by]! }));
  const keys = new Set(values.map((v) => `${v.x}\u0000${v.by}`));
  const repeated = keys.size < values.length;
  const order = (field: "x" | "by") => [...new Set(values.map((v) => String(v[field])))];
  const xTitle = titleWithUnit(r.x, xUnit);
  const yTitle = titleWithUnit(repeated ? `${r.y}, mean` : r.y, yUnit);
  const color = r.by === undefined ? undefined : { field: "by", type: "nominal" as const, title: r.by, sort: order("by") };
  const yEnc = { field: "y", type: "quantitative" as const, title: yTitle, aggregate: "mean" as const, ...(r.logY ? { scale: { type: "log" as const } } : {}) };
  const where = whereText(r);
  const title = r.title ?? `${r.y} vs ${r.x}${r.by === undefined ? "" : ` by ${r.by}`}${where === "" ? "" : ` (${where})`}`;
  const subtitle = skipped > 0 ? `${skipped} failed or empty point${skipped === 1 ? "" : "s"} not shown` : undefined;
  const common = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: subtitle === undefined ? title : { text: title, subtitle },
    width: 480,
    height: 300,
    data: { values },
    config: { font: "sans-serif", axis: { titleFontSize: 12, labelFontSize: 11 }, legend: { titleLimit: 400, labelLimit: 300 } },
  };
  if (xAxis === undefined) {
    const x = { field: "x", type: "nominal" as const, title: xTitle, sort: order("x"), axis: { labelAngle: 0 } };
    return { ...common, mark: { type: "bar" }, encoding: { x, y: yEnc, ...(color ? { color, xOffset: { field: "by", sort: order("by") } } : {}) } } as TopLevelSpec;
  }
  // Whole numbers (thread counts, widths) get whole-number ticks.
  const integers = xAxis.values.every((v) => Number.isInteger(v));
  const x = {
    field: "x",
    type: "quantitative" as const,
    title: xTitle,
    ...(r.logX ? { scale: { type: "log" as const } } : { scale: { zero: false } }),
    ...(integers ? { axis: { format: "d", tickMinStep: 1 } } : {}),
  };
  const line = { mark: { type: "line", point: true }, encoding: { x, y: yEnc, ...(color ? { color } : {}) } };
  const layers: object[] = [line];
  if (repeated) {
    layers.push({ mark: { type: "circle", opacity: 0.35, size: 20 }, encoding: { x, y: { field: "y", type: "quantitative", ...(r.logY ? { scale: { type: "log" } } : {}) }, ...(color ? { color } : {}) } });
  }
  return { ...common, layer: layers } as TopLevelSpec;
}

/** Renders a vega-lite spec to SVG text in Node. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The SVG of a chart of a sweep table. */
export async function chartSvg(t: SweepTable, r: ChartRequest): Promise<string> {
  return renderSvg(chartSpec(t, r));
}

/** A file name for a chart: `nsPerAccess-vs-link.latency-by-widthBits.svg`, with unsafe characters replaced. */
export function chartFileName(r: ChartRequest): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");
  const where = Object.entries(r.where ?? {}).map(([k, v]) => `-${safe(k)}-${safe(String(v))}`);
  return `${safe(r.y)}-vs-${safe(r.x)}${r.by === undefined ? "" : `-by-${safe(r.by)}`}${where.join("")}.svg`;
}

/**
 * The charts a report shows when the sweep names none: each column against the first parameter
 * that varies, one line per value of the next one that varies.
 */
export function defaultCharts(t: SweepTable): ChartRequest[] {
  const varying = t.params.filter((p) => new Set(t.rows.map((r) => r[p])).size > 1);
  const nonSeed = varying.filter((p) => p !== "seed");
  const x = nonSeed[0] ?? varying[0] ?? "seed";
  const by = nonSeed.find((p) => p !== x && new Set(t.rows.map((r) => r[p])).size <= 12);
  return t.columns
    .filter((c) => t.rows.some((r) => r["error"] === "" && r[c] !== "" && Number.isFinite(Number(r[c]))))
    .slice(0, 8)
    .map((y) => (by === undefined ? { y, x } : { y, x, by }));
}
