/** Expanding a sweep into its points: the matrix product, zipped lists, then seeds. */
import YAML from "yaml";
import type { ParamLabel, Sweep } from "./sweep-spec.ts";

/** One point of a sweep before its inputs are resolved. */
export interface SweepPoint {
  /** Position in the sweep (0-based): matrix axes vary slowest in the order written, seeds fastest. */
  index: number;
  /** Parameter values as shown in points.csv (labels where given), in axis order, then `seed`. */
  params: Record<string, ParamLabel>;
  /** Every `--set` override of the point: the sweep's `set`, then one per axis key. */
  overrides: string[];
  seed: number;
}

const PLAIN_RE = /^[A-Za-z0-9_./:+-]+$/;

/** A value written for the right-hand side of `key=value`: plain when that reads back the same, JSON (a YAML subset) otherwise. */
export function overrideValueText(value: unknown): string {
  if (typeof value === "string" && PLAIN_RE.test(value)) {
    try {
      if (YAML.parse(value) === value) return value;
    } catch {
      // Falls through to JSON.
    }
  }
  return JSON.stringify(value) ?? "null";
}

/** How a parameter value is shown when it has no label: scalars as they are, collections in YAML flow style. */
export function displayValue(value: unknown): ParamLabel {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (value === null || value === undefined) return "null";
  return YAML.stringify(value, { collectionStyle: "flow", lineWidth: 0 }).trim();
}

/** Every point of a sweep, in index order. */
export function expandSweep(sweep: Sweep): SweepPoint[] {
  const matrix = sweep.axes.filter((a) => a.section === "matrix");
  const zip = sweep.axes.filter((a) => a.section === "zip");
  // Each combination is the value index of every axis, in sweep.axes order (matrix first, then zip).
  let combos: number[][] = [[]];
  for (const axis of matrix) combos = combos.flatMap((c) => axis.values.map((_, i) => [...c, i]));
  if (zip.length > 0) {
    const n = zip[0]!.values.length;
    combos = combos.flatMap((c) => Array.from({ length: n }, (_, i) => [...c, ...zip.map(() => i)]));
  }
  const axes = [...matrix, ...zip];
  const points: SweepPoint[] = [];
  for (const combo of combos) {
    for (const seed of sweep.seeds) {
      const params: Record<string, ParamLabel> = {};
      const overrides = [...sweep.set];
      axes.forEach((axis, a) => {
        const i = combo[a]!;
        const value = axis.values[i];
        params[axis.name] = axis.labels?.[i] ?? displayValue(value);
        for (const key of axis.keys) overrides.push(`${key}=${overrideValueText(value)}`);
      });
      params["seed"] = seed;
      points.push({ index: points.length, params, overrides, seed });
    }
  }
  return points;
}
