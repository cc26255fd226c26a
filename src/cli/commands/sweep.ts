import path from "node:path";
import type { Argv, CommandModule } from "yargs";
import { ConfigError } from "../../config/errors.ts";
import { runWithConfigErrors } from "../../config/exit.ts";
import { defaultJobs } from "../../sweep/local-executor.ts";
import { SweepProgress } from "../../sweep/progress.ts";
import { collectSweep, runSweep, type SweepSummary } from "../../sweep/run-sweep.ts";
import { loadSweepFile } from "../../sweep/sweep-spec.ts";
import { makeLogger } from "../logger.ts";
import { NON_NEGATIVE_WHOLE, numberOption, POSITIVE, POSITIVE_WHOLE } from "../number-option.ts";
import { tracked } from "../usage.ts";

/** Options of `hopsim sweep FILE`. */
export interface SweepArgs {
  file: string;
  jobs: number;
  out?: string;
  executor: "local" | "slurm";
  cache: boolean;
  cacheDir: string;
  taskIndex?: number;
  taskCount?: number;
  tasks: number;
  cpusPerTask: number;
  partition?: string;
  time?: string;
  sbatchArg: string[];
  poll: number;
  progress: boolean;
  report: boolean;
  logLevel: string;
}

/** Options of `hopsim sweep collect DIR`. */
export interface CollectArgs {
  dir: string;
  report: boolean;
  logLevel: string;
}

function summaryLines(s: SweepSummary, task?: { index: number; count: number }): string {
  const who = task === undefined ? `sweep ${s.name}` : `sweep ${s.name} task ${task.index}/${task.count}`;
  const cache = s.fromCache > 0 ? ` (${s.fromCache} from the cache)` : "";
  const missing = s.missing > 0 ? `, ${s.missing} missing` : "";
  const lines = [`${who}: ${s.points} point${s.points === 1 ? "" : "s"}, ${s.simulated} simulated, ${s.reused} reused${cache}, ${s.failed} failed${missing} in ${s.seconds.toFixed(1)} s`];
  for (const f of s.failures.slice(0, 10)) lines.push(`  point ${f.index} (${f.id}): ${f.error.split("\n").join("; ")}`);
  if (s.failures.length > 10) lines.push(`  ... and ${s.failures.length - 10} more (see points.csv)`);
  if (s.csv !== undefined) lines.push(`wrote ${s.csv}`);
  return `${lines.join("\n")}\n`;
}

async function writeReport(dir: string): Promise<void> {
  const { writeSweepReport } = await import("../../report/sweep-report.ts");
  const r = await writeSweepReport(dir);
  process.stdout.write(`wrote ${r.report} and ${r.charts.length} chart${r.charts.length === 1 ? "" : "s"} in ${path.join(dir, "charts")}\n`);
}

/** Runs `hopsim sweep FILE`; returns the exit code (1 when a point failed). */
export async function sweepCommand(a: SweepArgs): Promise<number> {
  const sweep = loadSweepFile(a.file);
  // Each number is checked where it is parsed (numberOption); here, how they go together.
  const problems: string[] = [];
  const taskGiven = a.taskIndex !== undefined || a.taskCount !== undefined;
  if (taskGiven && (a.taskIndex === undefined || a.taskCount === undefined)) problems.push("--task-index and --task-count go together");
  if (a.taskIndex !== undefined && a.taskCount !== undefined && a.taskIndex >= a.taskCount) {
    problems.push(`expected --task-index below --task-count, got ${a.taskIndex} and ${a.taskCount}`);
  }
  if (taskGiven && a.executor === "slurm") problems.push("an array task (--task-index) runs its points itself; leave out --executor slurm");
  if (problems.length > 0) throw new ConfigError(problems.map((message) => ({ file: "hopsim sweep", path: "", message })));
  const task = a.taskIndex !== undefined && a.taskCount !== undefined ? { index: a.taskIndex, count: a.taskCount } : undefined;
  const out = a.out ?? path.join("results", "sweeps", sweep.name);
  const progress = new SweepProgress({ name: sweep.name, quiet: !a.progress });
  const log = a.progress ? progress.logger(a.logLevel) : makeLogger(a.logLevel);
  const summary = await runSweep(sweep, {
    out,
    jobs: a.jobs,
    ...(a.cache ? { cacheDir: a.cacheDir } : {}),
    ...(task === undefined ? {} : { task }),
    executor: a.executor,
    slurm: {
      sweepFile: a.file,
      tasks: a.tasks,
      cpusPerTask: a.cpusPerTask,
      sbatchArgs: a.sbatchArg,
      pollSeconds: a.poll,
      ...(a.partition === undefined ? {} : { partition: a.partition }),
      ...(a.time === undefined ? {} : { time: a.time }),
    },
    logLevel: a.logLevel,
    progress,
    log,
  });
  process.stdout.write(summaryLines(summary, task));
  if (summary.csv !== undefined && a.report && sweep.plots.length > 0) await writeReport(out);
  return summary.failed + summary.missing > 0 ? 1 : 0;
}

/** Runs `hopsim sweep collect DIR`; returns the exit code (1 when a point failed or is missing). */
export async function collectCommand(a: CollectArgs): Promise<number> {
  let s;
  try {
    s = collectSweep(a.dir, makeLogger(a.logLevel));
  } catch (e) {
    throw ConfigError.single(a.dir, (e as Error).message.replace(`${path.join(a.dir, "sweep.json")}: `, "sweep.json: "));
  }
  process.stdout.write(`sweep ${s.name}: ${s.points} points, ${s.failed} failed, ${s.missing} missing\nwrote ${s.csv}\n`);
  if (a.report) await writeReport(a.dir);
  return s.failed + s.missing > 0 ? 1 : 0;
}

const collectModule: CommandModule<object, CollectArgs> = {
  command: "collect <dir>",
  describe: "Merge a sweep folder's point files into points.csv (after a Slurm or indexed-job run)",
  builder: (y) =>
    y
      .positional("dir", { type: "string", demandOption: true, describe: "sweep folder (results/sweeps/<name>)" })
      .option("report", { type: "boolean", default: false, describe: "also write charts/ and report.html" }) as never,
  handler: async (a) => {
    await runWithConfigErrors(async () => {
      process.exitCode = await collectCommand(a);
    });
  },
};

const runModule: CommandModule<object, SweepArgs> = {
  command: "$0 <file>",
  describe: "Run every point of a sweep file",
  builder: (y: Argv) =>
    y
      .positional("file", { type: "string", demandOption: true, describe: "sweep file (YAML or JSON)" })
      .option("jobs", numberOption("jobs", POSITIVE_WHOLE, { alias: "j", default: defaultJobs(), describe: "points simulated at once (1: in-process, no worker threads)" }))
      .option("out", { type: "string", describe: "sweep folder (default results/sweeps/<sweep name>)" })
      .option("executor", { type: "string", choices: ["local", "slurm"], default: "local", describe: "where points run: this machine, or a Slurm job array" })
      .option("cache", { type: "boolean", default: true, describe: "reuse results of unchanged points across sweep folders (--no-cache: only within the folder)" })
      .option("cache-dir", { type: "string", default: path.join("results", ".cache"), describe: "folder of cached point results" })
      .option("task-index", numberOption("task-index", NON_NEGATIVE_WHOLE, { describe: "array task: run only the points whose index % --task-count is this (e.g. $SLURM_ARRAY_TASK_ID, $JOB_COMPLETION_INDEX)" }))
      .option("task-count", numberOption("task-count", POSITIVE_WHOLE, { describe: "array task: number of tasks the points are shared among" }))
      .option("tasks", numberOption("tasks", POSITIVE_WHOLE, { default: 8, describe: "Slurm: array tasks (each runs every N-th point)" }))
      .option("cpus-per-task", numberOption("cpus-per-task", POSITIVE_WHOLE, { default: 1, describe: "Slurm: CPUs per array task (its local pool size)" }))
      .option("partition", { type: "string", describe: "Slurm: partition" })
      .option("time", { type: "string", describe: "Slurm: time limit per array task (e.g. 1:00:00)" })
      .option("sbatch-arg", { type: "string", array: true, default: [], describe: "Slurm: extra #SBATCH argument (repeatable), e.g. --mem=4G" })
      .option("poll", numberOption("poll", POSITIVE, { default: 5, describe: "Slurm: seconds between queue polls" }))
      .option("progress", { type: "boolean", default: true, describe: "show progress on stderr (a bar on a terminal)" })
      .option("report", { type: "boolean", default: true, describe: "write charts/ and report.html at the end when the sweep file lists plots" })
      .example("$0 sweep scripts/sweeps/hops.yaml", "")
      .example("$0 sweep scripts/sweeps/hops.yaml --executor slurm --tasks 16 --cpus-per-task 4", "")
      .example("$0 sweep collect results/sweeps/hops", "") as never,
  handler: async (a) => {
    await runWithConfigErrors(async () => {
      process.exitCode = await sweepCommand(a);
    });
  },
};

/** The yargs definition of `hopsim sweep FILE` and `hopsim sweep collect DIR`. */
export const sweepCommandModule: CommandModule = {
  command: "sweep",
  describe: "Run a parameter sweep (matrix of --set values) and write points.csv; `sweep collect DIR` merges point files",
  builder: (y) => y.command(tracked(collectModule, "sweep")).command(tracked(runModule, "sweep")),
  handler: () => {},
};
