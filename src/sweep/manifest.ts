/**
 * `<out>/sweep.json`: what a sweep folder holds — its parameters, columns, charts and every point
 * with its id — so `hopsim sweep collect`, `plot` and `report` work from the folder alone.
 */
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { HOPSIM_VERSION } from "../version.ts";
import type { ColumnInput } from "./columns.ts";
import type { PlannedPoint } from "./plan.ts";
import type { ParamLabel, PlotSpec, Sweep } from "./sweep-spec.ts";

/** A point as listed in sweep.json. */
export interface ManifestPoint {
  index: number;
  id: string;
  seed: number;
  params: Record<string, ParamLabel>;
  overrides: string[];
}

/** The contents of sweep.json. */
export interface SweepManifest {
  hopsim: string;
  name: string;
  description: string;
  machine: string;
  workload: string;
  /** Parameter columns of points.csv, in order (seed last), with the `--set` keys they drive. */
  params: { name: string; keys: string[] }[];
  columns: ColumnInput[];
  plots: PlotSpec[];
  /** Unit of each column, once a point has a result. */
  units: Record<string, string>;
  points: ManifestPoint[];
}

/** Name of the manifest file in a sweep folder. */
export const MANIFEST_FILE = "sweep.json";

/** The manifest of a planned sweep (units still empty). */
export function makeManifest(sweep: Sweep, points: readonly PlannedPoint[]): SweepManifest {
  return {
    hopsim: HOPSIM_VERSION,
    name: sweep.name,
    description: sweep.description,
    machine: sweep.machineRef,
    workload: sweep.workloadRef,
    params: [...sweep.axes.map((a) => ({ name: a.name, keys: a.keys })), { name: "seed", keys: [] }],
    columns: sweep.columns,
    plots: sweep.plots,
    units: {},
    points: points.map((p) => ({ index: p.index, id: p.id, seed: p.seed, params: p.params, overrides: p.overrides })),
  };
}

/** Writes sweep.json atomically. */
export function writeManifest(dir: string, m: SweepManifest): void {
  writeFileAtomic(path.join(dir, MANIFEST_FILE), `${JSON.stringify(m, null, 1)}\n`);
}

/** Reads sweep.json from a sweep folder; throws an Error with a one-line message when it is absent or unreadable. */
export function readManifest(dir: string): SweepManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new Error(`${file}: not found (is ${dir} a sweep folder?)`);
  }
  try {
    return JSON.parse(text) as SweepManifest;
  } catch (e) {
    throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
  }
}
