/**
 * The statistics a sweep puts into points.csv: each column is a path into a point's result or an
 * expression over such paths, with the unit it carries.
 */
import { suggestKey } from "../config/errors.ts";
import { evaluateColumnExpr, exprPaths, parseColumnExpr, type ColumnExpr, type ExprScope } from "./column-expr.ts";
import type { PointResult } from "./point-record.ts";

/** A column of points.csv, ready to evaluate. */
export interface ColumnDef {
  /** Header in points.csv. */
  name: string;
  /** The path or expression as written. */
  text: string;
  expr: ColumnExpr;
  /** Unit given in the sweep file (otherwise taken from the statistic). */
  unit?: string;
}

/** A column as written in a sweep file: a path, or a named path or expression with an optional unit. */
export type ColumnInput = string | { name: string; path?: string; expr?: string; unit?: string };

/** Builds a column; throws an Error with a one-line message when its expression is malformed. */
export function makeColumn(input: ColumnInput): ColumnDef {
  if (typeof input === "string") return { name: input, text: input, expr: parseColumnExpr(input) };
  const text = input.expr ?? input.path ?? input.name;
  const def: ColumnDef = { name: input.name, text, expr: parseColumnExpr(text) };
  if (input.unit !== undefined) def.unit = input.unit;
  return def;
}

/** Units of a thread's fields. */
const THREAD_UNITS: Record<string, string> = {
  loads: "count",
  stores: "count",
  timeNs: "ns",
  nsPerAccess: "ns",
  meanMissLatencyNs: "ns",
  remoteShare: "ratio",
};

/** Units of a result's top-level fields. */
const RESULT_UNITS: Record<string, string> = { simulatedNs: "ns", events: "count" };

const THREAD_RE = /^threads\[(\d+)\]\.([A-Za-z]+)$/;

/** The value at a path in a result: a top-level field, a thread field, a statistic or a field of one. */
export function valueAt(r: PointResult, path: string): { value: unknown; unit: string } | undefined {
  if (path in RESULT_UNITS) return { value: (r as unknown as Record<string, unknown>)[path], unit: RESULT_UNITS[path]! };
  const t = THREAD_RE.exec(path);
  if (t) {
    const thread = r.threads[Number(t[1])] as unknown as Record<string, unknown> | undefined;
    if (thread === undefined || !(t[2]! in thread)) return undefined;
    return { value: thread[t[2]!], unit: THREAD_UNITS[t[2]!] ?? "" };
  }
  const stat = r.stats[path];
  if (stat !== undefined) return { value: stat.value, unit: stat.unit };
  // A field of a structured statistic: node0.nb.missLatencyPs.mean, ...p99, ...count.
  const dot = path.lastIndexOf(".");
  if (dot > 0) {
    const parent = r.stats[path.slice(0, dot)];
    const field = path.slice(dot + 1);
    if (parent !== undefined && typeof parent.value === "object" && parent.value !== null && field in parent.value) {
      return { value: (parent.value as Record<string, unknown>)[field], unit: field === "count" ? "count" : parent.unit };
    }
  }
  return undefined;
}

function wildcardRe(pattern: string): RegExp {
  const body = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^.\\]]*");
  return new RegExp(`^${body}$`);
}

/** Every numeric path of a result, in a fixed order: result fields, thread fields, statistics. */
function numericPaths(r: PointResult): { path: string; value: number; unit: string }[] {
  const out: { path: string; value: number; unit: string }[] = [];
  for (const [k, unit] of Object.entries(RESULT_UNITS)) out.push({ path: k, value: (r as unknown as Record<string, number>)[k]!, unit });
  r.threads.forEach((t, i) => {
    for (const [k, v] of Object.entries(t)) if (typeof v === "number") out.push({ path: `threads[${i}].${k}`, value: v, unit: THREAD_UNITS[k] ?? "" });
  });
  for (const [k, s] of Object.entries(r.stats)) if (typeof s.value === "number") out.push({ path: k, value: s.value, unit: s.unit });
  return out;
}

/** The scope an expression is evaluated in for one result. */
export function resultScope(r: PointResult): ExprScope & { units(pattern: string): string[] } {
  let all: { path: string; value: number; unit: string }[] | undefined;
  const matching = (pattern: string) => {
    all ??= numericPaths(r);
    const re = wildcardRe(pattern);
    return all.filter((p) => re.test(p.path));
  };
  return {
    value(path) {
      const v = valueAt(r, path)?.value;
      return typeof v === "number" ? v : undefined;
    },
    matches: (pattern) => matching(pattern).map((p) => p.value),
    units: (pattern) => [...new Set(matching(pattern).map((p) => p.unit))],
  };
}

/** A column's cell for one result: a number, a string (for a path to text such as a thread's core), or "" when missing. */
export function columnCell(def: ColumnDef, r: PointResult): number | string {
  if (def.expr.kind === "ref") {
    const v = valueAt(r, def.expr.path)?.value;
    if (typeof v === "number" || typeof v === "string") return v;
    return v === undefined || v === null ? "" : JSON.stringify(v);
  }
  return evaluateColumnExpr(def.expr, resultScope(r)) ?? "";
}

/** A column's unit: the one given in the sweep file, else the statistic's (for a path or an aggregate of one), else "". */
export function columnUnit(def: ColumnDef, r: PointResult | undefined): string {
  if (def.unit !== undefined) return def.unit;
  if (r === undefined) return "";
  if (def.expr.kind === "ref") return valueAt(r, def.expr.path)?.unit ?? "";
  if (def.expr.kind === "fn") {
    if (def.expr.name === "count") return "count";
    const units = resultScope(r).units(def.expr.pattern);
    return units.length === 1 ? units[0]! : "";
  }
  return "";
}

/**
 * Paths a column reads that a successful result does not have, each with the closest existing
 * path, for a warning ("no statistic named ... (did you mean ...?)").
 */
export function missingPaths(def: ColumnDef, r: PointResult): { path: string; suggestion?: string }[] {
  const out: { path: string; suggestion?: string }[] = [];
  const scope = resultScope(r);
  for (const path of exprPaths(def.expr)) {
    const found = path.includes("*") ? scope.matches(path).length > 0 : valueAt(r, path) !== undefined;
    if (found) continue;
    const suggestion = suggestKey(path, numericPaths(r).map((p) => p.path));
    out.push(suggestion === undefined ? { path } : { path, suggestion });
  }
  return out;
}
