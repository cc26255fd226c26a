/**
 * Running a sweep: plan the points, reuse every result that is still valid (in the folder or the
 * cache), simulate the rest locally or on Slurm, write each point file as it finishes and rewrite
 * points.csv after it, so a sweep killed at any moment loses nothing and resumes where it stopped.
 */
import fs from "node:fs";
import path from "node:path";
import pino, { type Logger } from "pino";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { HOPSIM_VERSION } from "../version.ts";
import { columnUnit, makeColumn, missingPaths } from "./columns.ts";
import { runTasksLocally } from "./local-executor.ts";
import { makeManifest, MANIFEST_FILE, readManifest, writeManifest, type ManifestPoint, type SweepManifest } from "./manifest.ts";
import { planSweep, type PlannedPoint, type PointTask } from "./plan.ts";
import type { PointRecord } from "./point-record.ts";
import { PointStore } from "./point-store.ts";
import { formatPointsCsv } from "./points-csv.ts";
import { SweepProgress } from "./progress.ts";
import type { PointOutcome } from "./run-point.ts";
import { runOnSlurm, type SlurmOptions } from "./slurm-executor.ts";
import type { Sweep } from "./sweep-spec.ts";

/** How to run a sweep. */
export interface RunSweepOptions {
  /** The sweep folder. */
  out: string;
  /** Parallel jobs on this machine (1: in-process, no worker threads). */
  jobs: number;
  /** Shared cache of point files (undefined: none). */
  cacheDir?: string;
  /** Run only the points whose index % count == index, and write no points.csv (array tasks). */
  task?: { index: number; count: number };
  executor?: "local" | "slurm";
  slurm?: Omit<SlurmOptions, "cacheDir" | "logLevel">;
  logLevel?: string;
  progress?: SweepProgress;
  log?: Logger;
}

/** What a sweep did. */
export interface SweepSummary {
  name: string;
  out: string;
  /** Points this run was responsible for (all of them, or a task's share). */
  points: number;
  /** Points simulated now. */
  simulated: number;
  /** Points whose earlier result was reused (from the folder or the cache). */
  reused: number;
  /** Of the reused points, those found in the cache. */
  fromCache: number;
  failed: number;
  /** Points without a result at the end (a Slurm task that died). */
  missing: number;
  failures: { index: number; id: string; error: string }[];
  /** points.csv, when written. */
  csv?: string;
  seconds: number;
}

/** A short description of a point's varied parameters: `link.latency=8ns widthBits=16`. */
export function describePoint(p: { index: number; params: Record<string, unknown> }): string {
  const parts = Object.entries(p.params).map(([k, v]) => `${k}=${String(v)}`);
  return `point ${p.index} (${parts.join(" ")})`;
}

function recordOf(task: PointTask, o: PointOutcome): PointRecord {
  const r: PointRecord = { id: task.id, hopsim: HOPSIM_VERSION, seed: task.seed, inputs: { machine: task.machine, workload: task.workload } };
  if (o.result !== undefined) r.result = o.result;
  else r.error = o.error ?? "unknown error";
  return r;
}

function unresolvedRecord(p: PlannedPoint): PointRecord {
  return { id: p.id, hopsim: HOPSIM_VERSION, seed: p.seed, overrides: p.overrides, error: p.error ?? "unknown error" };
}

/**
 * Writes points.csv for a manifest from the records at hand, and the column units into sweep.json
 * (from the first point with a result); warns once about column paths no result has.
 */
export function writePointsCsv(out: string, manifest: SweepManifest, records: ReadonlyMap<string, PointRecord>, log?: Logger, final = false): string {
  const params = manifest.params.map((p) => p.name);
  const csv = path.join(out, "points.csv");
  writeFileAtomic(csv, formatPointsCsv(params, manifest.columns, manifest.points, records));
  if (final) {
    const first = manifest.points.map((p) => records.get(p.id)?.result).find((r) => r !== undefined);
    if (first !== undefined) {
      const units: Record<string, string> = {};
      for (const input of manifest.columns) {
        const def = makeColumn(input);
        units[def.name] = columnUnit(def, first);
        for (const m of missingPaths(def, first)) {
          const hint = m.suggestion === undefined ? "" : ` (did you mean "${m.suggestion}"?)`;
          log?.warn(`column "${def.name}": no statistic named "${m.path}"${hint}; its cells are empty`);
        }
      }
      writeManifest(out, { ...manifest, units });
    }
  }
  return csv;
}

/** Runs a sweep (or an array task's share of it) and returns what it did. */
export async function runSweep(sweep: Sweep, o: RunSweepOptions): Promise<SweepSummary> {
  const t0 = Date.now();
  const log = o.log ?? pino({ level: "silent" });
  const progress = o.progress ?? new SweepProgress({ name: sweep.name, quiet: true });
  const plan = planSweep(sweep);
  fs.mkdirSync(o.out, { recursive: true });
  const manifest = makeManifest(sweep, plan);
  // Array tasks leave sweep.json to the submitter, but write it when nobody did (a Kubernetes indexed job).
  if (o.task === undefined || !fs.existsSync(path.join(o.out, MANIFEST_FILE))) writeManifest(o.out, manifest);
  const store = new PointStore(o.out, o.cacheDir);
  if (o.task === undefined) store.removeStaleTemps();

  const selected = o.task === undefined ? plan : plan.filter((p) => p.index % o.task!.count === o.task!.index);
  const rowsById = new Map<string, PlannedPoint[]>();
  for (const p of selected) {
    const rows = rowsById.get(p.id);
    if (rows === undefined) rowsById.set(p.id, [p]);
    else rows.push(p);
  }

  const records = new Map<string, PointRecord>();
  const summary: SweepSummary = { name: sweep.name, out: o.out, points: selected.length, simulated: 0, reused: 0, fromCache: 0, failed: 0, missing: 0, failures: [], seconds: 0 };
  const toRun: PointTask[] = [];
  const noteFailure = (id: string, error: string) => {
    for (const p of rowsById.get(id) ?? []) {
      summary.failed++;
      summary.failures.push({ index: p.index, id, error });
      progress.line(`${describePoint(p)} failed: ${error.split("\n").join("; ")}`);
    }
  };
  let preDone = 0;
  for (const [id, rows] of rowsById) {
    const hit = store.reusable(id);
    if (hit !== undefined) {
      records.set(id, hit.record);
      summary.reused += rows.length;
      if (hit.source === "cache") summary.fromCache += rows.length;
      preDone += rows.length;
    } else if (rows[0]!.task !== undefined) toRun.push(rows[0]!.task);
    else {
      const r = unresolvedRecord(rows[0]!);
      store.write(r);
      records.set(id, r);
      noteFailure(id, r.error!);
      preDone += rows.length;
    }
  }
  log.info({ sweep: sweep.name, points: selected.length, toSimulate: toRun.length, reused: summary.reused, out: o.out }, "planned");

  const writeCsv = o.task === undefined;
  if (writeCsv) writePointsCsv(o.out, manifest, records, log);
  progress.start(selected.length, preDone, toRun.length);
  try {
    if (o.executor === "slurm" && toRun.length > 0) {
      if (o.slurm === undefined) throw new Error("the Slurm executor needs its options");
      const ids = [...rowsById.keys()];
      const slurm: SlurmOptions = { ...o.slurm, tasks: Math.max(1, Math.min(o.slurm.tasks, selected.length)), logLevel: o.logLevel ?? "info" };
      if (o.cacheDir !== undefined) slurm.cacheDir = o.cacheDir;
      await runOnSlurm(sweep.name, o.out, slurm, log, () => {
        const present = store.ids();
        let done = 0;
        let failed = 0;
        for (const id of ids) {
          if (!present.has(id)) continue;
          const rows = rowsById.get(id)!.length;
          done += rows;
          if (records.get(id)?.result === undefined && store.read(id)?.error !== undefined) failed += rows;
        }
        progress.set(done, failed, Math.max(0, done - preDone));
      });
      const runIds = new Set(toRun.map((t) => t.id));
      for (const id of runIds) {
        const r = store.read(id);
        if (r !== undefined && r.hopsim === HOPSIM_VERSION) {
          records.set(id, r);
          if (r.result !== undefined) summary.simulated += rowsById.get(id)!.length;
          else noteFailure(id, r.error ?? "unknown error");
        }
      }
    } else {
      await runTasksLocally(toRun, o.jobs, (outcome) => {
        const task = toRun.find((t) => t.id === outcome.id)!;
        const r = recordOf(task, outcome);
        store.write(r);
        records.set(r.id, r);
        const rows = rowsById.get(r.id)!.length;
        if (r.result !== undefined) summary.simulated += rows;
        else noteFailure(r.id, r.error!);
        if (writeCsv) writePointsCsv(o.out, manifest, records, log);
        log.debug({ id: r.id, wallSeconds: outcome.wallSeconds, failed: r.error !== undefined }, "point finished");
        progress.pointsDone(rows, r.error !== undefined, true);
      });
    }
  } finally {
    progress.stop();
  }
  for (const [id, rows] of rowsById) {
    if (records.has(id)) continue;
    summary.missing += rows.length;
    for (const p of rows) summary.failures.push({ index: p.index, id, error: "no result (its task did not finish; see the logs under slurm/)" });
  }
  summary.failures.sort((a, b) => a.index - b.index);
  if (writeCsv) summary.csv = writePointsCsv(o.out, manifest, records, log, true);
  summary.seconds = (Date.now() - t0) / 1000;
  return summary;
}

/** What `hopsim sweep collect` found. */
export interface CollectSummary {
  name: string;
  points: number;
  failed: number;
  missing: number;
  csv: string;
}

/** Rebuilds points.csv of a sweep folder from its point files (after an array job, or with new columns). */
export function collectSweep(out: string, log?: Logger): CollectSummary {
  const manifest = readManifest(out);
  const store = new PointStore(out);
  const records = new Map<string, PointRecord>();
  let failed = 0;
  let missing = 0;
  const seen = new Map<string, PointRecord | undefined>();
  for (const p of manifest.points as ManifestPoint[]) {
    if (!seen.has(p.id)) seen.set(p.id, store.read(p.id));
    const r = seen.get(p.id);
    if (r === undefined) missing++;
    else {
      records.set(p.id, r);
      if (r.result === undefined) failed++;
      else if (r.hopsim !== HOPSIM_VERSION) log?.warn(`point ${p.index}: result of hopsim ${r.hopsim} (this is ${HOPSIM_VERSION})`);
    }
  }
  const csv = writePointsCsv(out, manifest, records, log, true);
  return { name: manifest.name, points: manifest.points.length, failed, missing, csv };
}
