/**
 * Sweep files: a base machine and workload, `--set` overrides, and the parameters to vary (a full
 * matrix product, zipped lists, seeds), with the statistics that go into points.csv and the charts
 * of the report.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ConfigError, formatPath, type ConfigProblem } from "../config/errors.ts";
import { loadConfigFile, loadRaw } from "../config/load.ts";
import { parseOverride } from "../config/overrides.ts";
import { splitOverrides } from "../cli/split-overrides.ts";
import { makeColumn, type ColumnDef, type ColumnInput } from "./columns.ts";

/** A label shown for a parameter value in points.csv and on charts. */
export const ParamLabel = z.union([z.string(), z.number(), z.boolean()]);
export type ParamLabel = z.infer<typeof ParamLabel>;

/**
 * One varied parameter: either a list of values for the `--set` key the axis is named after, or
 * `{set: [keys...], values: [...], labels: [...]}` to set several keys to each value (the axis
 * name then only names the column) and show values by their labels, or `{take: KEY, values: [N...]}`
 * to keep the first N items of a list of the machine or workload (`take: workload.threads` for a
 * thread count).
 */
export const AxisSpec = z.union([
  z.array(z.unknown()).min(1),
  z.strictObject({
    /** `--set` keys that receive each value (default: the axis name). */
    set: z.array(z.string().min(1)).min(1).optional(),
    /** A list (as a `--set` key) of which each value keeps the first N items. */
    take: z.string().min(1).optional(),
    values: z.array(z.unknown()).min(1),
    /** How each value is shown in points.csv and on charts (default: the value itself). */
    labels: z.array(ParamLabel).optional(),
  }),
]);
export type AxisSpec = z.infer<typeof AxisSpec>;

/** A column of points.csv: a statistic path, or a name with a path or an expression and a unit. */
export const ColumnSpec = z.union([
  z.string().min(1),
  z.strictObject({
    name: z.string().min(1),
    path: z.string().min(1).optional(),
    expr: z.string().min(1).optional(),
    unit: z.string().optional(),
  }),
]);
export type ColumnSpec = z.infer<typeof ColumnSpec>;

/** A chart of the report: a column against a parameter, one line (or bar colour) per value of `by`. */
export const PlotSpec = z.strictObject({
  x: z.string().min(1),
  y: z.string().min(1),
  by: z.string().min(1).optional(),
  title: z.string().optional(),
  /** Only the points whose parameters have these values (`{hops: 1}`). */
  where: z.record(z.string(), ParamLabel).optional(),
  /** Logarithmic axes. */
  logX: z.boolean().default(false),
  logY: z.boolean().default(false),
});
export type PlotSpec = z.infer<typeof PlotSpec>;

/** Names of points.csv columns that are not parameters or statistics. */
export const RESERVED_NAMES = ["point", "id", "seed", "error"] as const;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A whole sweep file. */
export const SweepSpec = z
  .strictObject({
    /** Names the output folder results/sweeps/<name>/ (default: the file's name). */
    name: z.string().regex(NAME_RE, "expected letters, digits, '.', '_' and '-' (it names a folder)").optional(),
    description: z.string().default(""),
    /** Machine file, relative to the sweep file. */
    machine: z.string().min(1),
    /** Workload file, relative to the sweep file. */
    workload: z.string().min(1),
    /** Overrides applied to every point, as for `--set`. */
    set: z.array(z.string()).default([]),
    /** Parameters whose every combination is a point. */
    matrix: z.record(z.string(), AxisSpec).default({}),
    /** Parameters varied together (lists of one length), combined with the matrix product. */
    zip: z.record(z.string(), AxisSpec).default({}),
    seeds: z.array(z.number().int().nonnegative()).min(1).optional(),
    /** Seeds 1..N. */
    replicates: z.number().int().positive().optional(),
    columns: z.array(ColumnSpec).min(1),
    plots: z.array(PlotSpec).default([]),
  })
  .superRefine((s, ctx) => {
    const issue = (p: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path: p, message });
    if (s.seeds !== undefined && s.replicates !== undefined) issue(["replicates"], "give seeds or replicates, not both");
    s.set.forEach((text, i) => {
      const problem = overrideProblem(text);
      if (problem !== undefined) issue(["set", i], problem);
    });
    const params = new Set<string>();
    for (const section of ["matrix", "zip"] as const) {
      let zipLength: { name: string; length: number } | undefined;
      for (const [name, axis] of Object.entries(s[section])) {
        if (params.has(name)) issue([section, name], `"${name}" is also in matrix`);
        params.add(name);
        if ((RESERVED_NAMES as readonly string[]).includes(name)) issue([section, name], `"${name}" is a reserved column name (${RESERVED_NAMES.join(", ")})`);
        const values = Array.isArray(axis) ? axis : axis.values;
        if (!Array.isArray(axis) && axis.take !== undefined) {
          if (axis.set !== undefined) issue([section, name, "take"], "give set or take, not both");
          const problem = overrideProblem(`${axis.take}=0`, axis.take);
          if (problem !== undefined) issue([section, name, "take"], problem);
          values.forEach((v, i) => {
            if (!(typeof v === "number" && Number.isInteger(v) && v >= 1)) issue([section, name, "values", i], `expected a number of items of at least 1, got ${JSON.stringify(v)}`);
          });
        }
        const keys = Array.isArray(axis) ? [name] : axis.take !== undefined ? [] : (axis.set ?? [name]);
        keys.forEach((key, j) => {
          const problem = overrideProblem(`${key}=0`, key);
          if (problem !== undefined) issue(Array.isArray(axis) || axis.set === undefined ? [section, name] : [section, name, "set", j], problem);
        });
        if (!Array.isArray(axis) && axis.labels !== undefined && axis.labels.length !== values.length) {
          issue([section, name, "labels"], `expected ${values.length} labels (one per value), got ${axis.labels.length}`);
        }
        if (section === "zip") {
          if (zipLength === undefined) zipLength = { name, length: values.length };
          else if (values.length !== zipLength.length) issue([section, name], `has ${values.length} values, but zip["${zipLength.name}"] has ${zipLength.length} (zipped lists must have one length)`);
        }
      }
    }
    const columns = new Set<string>();
    s.columns.forEach((c, i) => {
      if (typeof c !== "string" && c.path !== undefined && c.expr !== undefined) issue(["columns", i], "give path or expr, not both");
      let def: ColumnDef;
      try {
        def = makeColumn(c as ColumnInput);
      } catch (e) {
        issue(["columns", i], `invalid expression: ${(e as Error).message}`);
        return;
      }
      if (columns.has(def.name)) issue(["columns", i], `column "${def.name}" is listed twice`);
      if (params.has(def.name) || (RESERVED_NAMES as readonly string[]).includes(def.name)) issue(["columns", i], `column "${def.name}" has the name of a parameter`);
      columns.add(def.name);
    });
    const known = (set: Set<string>) => [...set].join(", ");
    s.plots.forEach((p, i) => {
      if (!columns.has(p.y)) issue(["plots", i, "y"], `no column named "${p.y}" (columns: ${known(columns)})`);
      if (!params.has(p.x) && !columns.has(p.x) && p.x !== "seed") issue(["plots", i, "x"], `no parameter or column named "${p.x}" (parameters: ${known(params)}, seed)`);
      if (p.by !== undefined && !params.has(p.by) && p.by !== "seed") issue(["plots", i, "by"], `no parameter named "${p.by}" (parameters: ${known(params)}, seed)`);
      for (const k of Object.keys(p.where ?? {})) if (!params.has(k) && k !== "seed") issue(["plots", i, "where", k], `no parameter named "${k}" (parameters: ${known(params)}, seed)`);
    });
  });
export type SweepSpec = z.infer<typeof SweepSpec>;

/** Why an override is malformed, or undefined when it is fine. */
function overrideProblem(text: string, key?: string): string | undefined {
  try {
    parseOverride(text);
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const message = e.problems[0]?.message ?? "invalid override";
    return key === undefined ? message : message.replace(/^invalid key path "[^"]*"/, `invalid --set key "${key}"`);
  }
}

/** A parameter of a sweep, ready to expand. */
export interface SweepAxis {
  /** Column name in points.csv. */
  name: string;
  section: "matrix" | "zip";
  /** `--set` keys each value goes to. */
  keys: string[];
  values: unknown[];
  labels?: ParamLabel[];
}

/** A loaded and checked sweep file. */
export interface Sweep {
  name: string;
  description: string;
  /** The sweep file as given. */
  file: string;
  /** Machine and workload files as written in the sweep file, and resolved to absolute paths. */
  machineRef: string;
  workloadRef: string;
  machineFile: string;
  workloadFile: string;
  set: string[];
  axes: SweepAxis[];
  seeds: number[];
  columns: ColumnInput[];
  plots: PlotSpec[];
}

/**
 * Loads a sweep file (YAML or JSON; `extends` works as for machine files) and checks it, throwing
 * one ConfigError with a problem per mistake (naming the file and field).
 */
export function loadSweepFile(file: string): Sweep {
  const spec = loadConfigFile(file, SweepSpec);
  const dir = path.dirname(path.resolve(file));
  const problems: ConfigProblem[] = [];
  const resolveRef = (field: "machine" | "workload") => {
    const abs = path.resolve(dir, spec[field]);
    let ok = false;
    try {
      ok = fs.statSync(abs).isFile();
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ file, path: field, message: `file not found: ${JSON.stringify(spec[field])} (looked for ${abs})` });
    return abs;
  };
  const machineFile = resolveRef("machine");
  const workloadFile = resolveRef("workload");
  if (problems.length > 0) throw new ConfigError(problems);
  const axes: SweepAxis[] = [];
  for (const section of ["matrix", "zip"] as const) {
    for (const [name, axis] of Object.entries(spec[section])) {
      if (Array.isArray(axis)) axes.push({ name, section, keys: [name], values: axis });
      else if (axis.take !== undefined) {
        const list = baseList(axis.take, { machineFile, workloadFile, set: spec.set }, (message, at) => problems.push({ file, path: formatPath([section, name, ...at]), message }));
        if (list === undefined) continue;
        const counts = axis.values as number[];
        counts.forEach((n, i) => {
          if (n > list.length) problems.push({ file, path: formatPath([section, name, "values", i]), message: `${axis.take} has only ${list.length} items, cannot keep ${n}` });
        });
        axes.push({ name, section, keys: [axis.take], values: counts.map((n) => list.slice(0, n)), labels: axis.labels ?? counts });
      } else {
        const a: SweepAxis = { name, section, keys: axis.set ?? [name], values: axis.values };
        if (axis.labels !== undefined) a.labels = axis.labels;
        axes.push(a);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const seeds = spec.seeds ?? Array.from({ length: spec.replicates ?? 1 }, (_, i) => i + 1);
  return {
    name: spec.name ?? path.basename(file, path.extname(file)),
    description: spec.description,
    file,
    machineRef: spec.machine,
    workloadRef: spec.workload,
    machineFile,
    workloadFile,
    set: spec.set,
    axes,
    seeds,
    columns: spec.columns as ColumnInput[],
    plots: spec.plots,
  };
}

/**
 * The list at a `--set` key (`workload.threads`) in the machine or workload with the sweep's base
 * overrides applied, for a `take` axis; undefined (with a problem reported) when it is not a list.
 */
function baseList(key: string, base: { machineFile: string; workloadFile: string; set: string[] }, problem: (message: string, at: PropertyKey[]) => void): unknown[] | undefined {
  const target = splitOverrides([`${key}=0`]);
  const toWorkload = target.workload.length === 1;
  const baseSets = splitOverrides(base.set);
  const file = toWorkload ? base.workloadFile : base.machineFile;
  const raw = loadRaw(file, { overrides: toWorkload ? baseSets.workload : baseSets.machine });
  const inner = (toWorkload ? target.workload : target.machine)[0]!;
  let cur: unknown = raw;
  for (const seg of parseOverride(inner).segments) {
    const k = seg.kind === "key" ? seg.key : seg.index;
    cur = typeof cur === "object" && cur !== null ? (cur as Record<string | number, unknown>)[k] : undefined;
  }
  if (!Array.isArray(cur)) {
    problem(`${key} is not a list in ${path.basename(file)}`, ["take"]);
    return undefined;
  }
  return cur;
}
