/**
 * Running a sweep: plan the points, reuse every result that is still valid (in the folder or the
 * cache), simulate the rest locally or on Slurm, write each point file as it finishes and rewrite
 * points.csv after it, so a sweep killed at any moment loses nothing and resumes where it stopped.
 */
import fs from "node:fs";
import path from "node:path";
import pino, { type Logger } from "pino";
import { ConfigError, type ConfigProblem } from "../config/errors.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { HOPSIM_VERSION } from "../version.ts";
import { LocalExecutor } from "./local-executor.ts";
import { makeManifest, MANIFEST_FILE, readManifest, writeManifest, type SweepManifest } from "./manifest.ts";
import { expandSweep } from "./expand.ts";
import { displayPath, PointResolver, type PlannedPoint, type PointTask } from "./plan.ts";
import type { PointRecord } from "./point-record.ts";
import { PointStore } from "./point-store.ts";
import { PointsTable } from "./points-csv.ts";
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

/** The problems of points none of which could be built, each once, as one ConfigError. */
function unbuildable(points: readonly PlannedPoint[], sweepFile: string): ConfigError {
  const seen = new Map<string, ConfigProblem>();
  for (const p of points) {
    for (const problem of p.problems ?? [{ file: sweepFile, path: "", message: p.error ?? "unknown error" }]) {
      seen.set(`${problem.file}\0${problem.path}\0${problem.message}`, problem);
    }
  }
  return new ConfigError([...seen.values()]);
}

/** The points table of a manifest. */
function tableOf(m: SweepManifest): PointsTable {
  return new PointsTable(
    m.params.map((p) => p.name),
    m.columns,
    m.points,
  );
}

/** Writes points.csv atomically; at the end also the column units into sweep.json, and warnings about missing paths. */
function writeCsv(out: string, manifest: SweepManifest, table: PointsTable, log?: Logger, final = false): string {
  const csv = path.join(out, "points.csv");
  writeFileAtomic(csv, table.text());
  if (final && table.units !== undefined) {
    for (const w of table.warnings) log?.warn(w);
    writeManifest(out, { ...manifest, units: table.units });
  }
  return csv;
}

/** Runs a sweep (or an array task's share of it) and returns what it did. */
export async function runSweep(sweep: Sweep, o: RunSweepOptions): Promise<SweepSummary> {
  const t0 = Date.now();
  const log = o.log ?? pino({ level: "silent" });
  const progress = o.progress ?? new SweepProgress({ name: sweep.name, quiet: true });
  const local = o.executor === "slurm" ? undefined : new LocalExecutor(o.jobs);
  try {
    return await runWith(sweep, o, log, progress, local, t0);
  } finally {
    await local?.close();
  }
}

async function runWith(sweep: Sweep, o: RunSweepOptions, log: Logger, progress: SweepProgress, local: LocalExecutor | undefined, t0: number): Promise<SweepSummary> {
  const task = o.task;
  const mine = (p: { index: number }) => task === undefined || p.index % task.count === task.index;
  // Array tasks leave sweep.json to the submitter and resolve only their own points, but write it
  // when nobody did (a Kubernetes indexed job), which needs every point's id.
  const needManifest = task === undefined || !fs.existsSync(path.join(o.out, MANIFEST_FILE));
  const resolver = new PointResolver(sweep);
  const plan = expandSweep(sweep)
    .filter((p) => needManifest || mine(p))
    .map((p) => resolver.resolve(p));
  // A sweep none of whose points can be built is a mistake in the sweep file, not a result.
  const mineOnly = plan.filter(mine);
  if (mineOnly.length > 0 && mineOnly.every((p) => p.task === undefined)) throw unbuildable(mineOnly, displayPath(path.resolve(sweep.file)));
  fs.mkdirSync(o.out, { recursive: true });
  const manifest = needManifest ? makeManifest(sweep, plan) : readManifest(o.out);
  if (needManifest) writeManifest(o.out, manifest);
  const store = new PointStore(o.out, o.cacheDir);
  if (task === undefined) store.removeStaleTemps();

  const selected = plan.filter(mine);
  const rowsById = new Map<string, PlannedPoint[]>();
  for (const p of selected) {
    const rows = rowsById.get(p.id);
    if (rows === undefined) rowsById.set(p.id, [p]);
    else rows.push(p);
  }

  const table = tableOf(manifest);
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
      table.add(hit.record);
      summary.reused += rows.length;
      if (hit.source === "cache") summary.fromCache += rows.length;
      preDone += rows.length;
    } else if (rows[0]!.task !== undefined) toRun.push(rows[0]!.task);
    else {
      const r = unresolvedRecord(rows[0]!);
      store.write(r);
      table.add(r);
      noteFailure(id, r.error!);
      preDone += rows.length;
    }
  }
  log.info({ sweep: sweep.name, points: selected.length, toSimulate: toRun.length, reused: summary.reused, out: o.out }, "planned");

  const csvToo = o.task === undefined;
  if (csvToo) writeCsv(o.out, manifest, table, log);
  progress.start(selected.length, preDone, toRun.length, summary.failed);
  try {
    if (local !== undefined) {
      const byId = new Map(toRun.map((t) => [t.id, t]));
      await local.run(toRun, (outcome) => {
        const r = recordOf(byId.get(outcome.id)!, outcome);
        store.write(r);
        table.add(r);
        const rows = rowsById.get(r.id)!.length;
        if (r.result !== undefined) summary.simulated += rows;
        else noteFailure(r.id, r.error!);
        if (csvToo) writeCsv(o.out, manifest, table, log);
        log.debug({ id: r.id, wallSeconds: outcome.wallSeconds, failed: r.error !== undefined }, "point finished");
        progress.pointsDone(rows, r.error !== undefined, true);
      });
    } else if (toRun.length > 0) {
      if (o.slurm === undefined) throw new Error("the Slurm executor needs its options");
      const slurm: SlurmOptions = { ...o.slurm, tasks: Math.max(1, Math.min(o.slurm.tasks, selected.length)), logLevel: o.logLevel ?? "info" };
      if (o.cacheDir !== undefined) slurm.cacheDir = o.cacheDir;
      const ids = [...rowsById.keys()];
      const preFailed = summary.failed;
      await runOnSlurm(sweep.name, o.out, slurm, log, () => {
        // Progress from the point files the array tasks have written so far.
        const present = store.ids();
        let done = 0;
        let failed = preFailed;
        for (const id of ids) {
          if (!present.has(id)) continue;
          const rows = rowsById.get(id)!.length;
          done += rows;
          if (!table.has(id) && store.read(id)?.error !== undefined) failed += rows;
        }
        progress.set(done, failed, Math.max(0, done - preDone));
      });
      for (const t of toRun) {
        const r = store.read(t.id);
        if (r === undefined || r.hopsim !== HOPSIM_VERSION) continue;
        table.add(r);
        if (r.result !== undefined) summary.simulated += rowsById.get(t.id)!.length;
        else noteFailure(t.id, r.error ?? "unknown error");
      }
    }
  } finally {
    progress.stop();
  }
  for (const [id, rows] of rowsById) {
    if (table.has(id)) continue;
    summary.missing += rows.length;
    for (const p of rows) summary.failures.push({ index: p.index, id, error: "no result (its task did not finish; see the logs under slurm/)" });
  }
  summary.failures.sort((a, b) => a.index - b.index);
  if (csvToo) summary.csv = writeCsv(o.out, manifest, table, log, true);
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
  const table = tableOf(manifest);
  let failed = 0;
  let missing = 0;
  const seen = new Map<string, PointRecord | undefined>();
  for (const p of manifest.points) {
    if (!seen.has(p.id)) {
      const r = store.read(p.id);
      seen.set(p.id, r);
      if (r !== undefined) {
        table.add(r);
        if (r.result !== undefined && r.hopsim !== HOPSIM_VERSION) log?.warn(`point ${p.index}: result of hopsim ${r.hopsim} (this is ${HOPSIM_VERSION})`);
      }
    }
    const r = seen.get(p.id);
    if (r === undefined) missing++;
    else if (r.result === undefined) failed++;
  }
  const csv = writeCsv(out, manifest, table, log, true);
  return { name: manifest.name, points: manifest.points.length, failed, missing, csv };
}
