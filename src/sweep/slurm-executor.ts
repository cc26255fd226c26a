/**
 * Running a sweep as a Slurm job array. Each array task runs `hopsim sweep FILE --task-index I
 * --task-count N`: the points whose index % N == I, on a local pool sized by the task's CPUs, each
 * written to `<out>/points/<id>.json` as it finishes. The submitting process waits for the array to
 * leave the queue, then collects the point files into points.csv. The index contract needs nothing
 * from Slurm but the task index, so a Kubernetes indexed job can run the same command.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { writeFileAtomic } from "../util/atomic-write.ts";

/** How the job array is shaped and submitted. */
export interface SlurmOptions {
  /** The sweep file (made absolute in the script). */
  sweepFile: string;
  /** Array tasks (each runs every N-th point). */
  tasks: number;
  cpusPerTask: number;
  partition?: string;
  time?: string;
  /** Extra `#SBATCH` arguments, such as `--mem=4G`. */
  sbatchArgs: string[];
  /** Cache folder passed to the tasks (undefined: no cache). */
  cacheDir?: string;
  logLevel: string;
  /** Seconds between queue polls. */
  pollSeconds: number;
  /** How to start hopsim (default: the way this process was started). */
  command?: string[];
}

/** The command that started this process: node, its flags (tsx's loader among them) and the entry script. */
export function currentCommand(): string[] {
  return [process.execPath, ...process.execArgv, path.resolve(process.argv[1] ?? "src/cli/main.ts")];
}

/** Quotes a word for bash. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The text of the sbatch script for a sweep writing into `out`. */
export function slurmScript(name: string, out: string, o: SlurmOptions): string {
  const outAbs = path.resolve(out);
  const command = o.command ?? currentCommand();
  const args = [
    ...command,
    "sweep",
    path.resolve(o.sweepFile),
    "--out",
    outAbs,
    "--task-index",
    "$SLURM_ARRAY_TASK_ID",
    "--task-count",
    String(o.tasks),
    "--jobs",
    "${SLURM_CPUS_PER_TASK:-1}",
    ...(o.cacheDir === undefined ? ["--no-cache"] : ["--cache-dir", path.resolve(o.cacheDir)]),
    "--no-progress",
    "--log-level",
    o.logLevel,
  ];
  const quoted = args.map((a) => (a.startsWith("$") ? `"${a}"` : shellQuote(a)));
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${shellQuote(`hopsim-${name}`)}`,
    `#SBATCH --array=0-${o.tasks - 1}`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask}`,
    `#SBATCH --output=${shellQuote(path.join(outAbs, "slurm", "task-%a.out"))}`,
    `#SBATCH --chdir=${shellQuote(process.cwd())}`,
    ...(o.partition === undefined ? [] : [`#SBATCH --partition=${shellQuote(o.partition)}`]),
    ...(o.time === undefined ? [] : [`#SBATCH --time=${shellQuote(o.time)}`]),
    ...o.sbatchArgs.map((a) => `#SBATCH ${a}`),
    `# Array task I of ${o.tasks} runs the points whose index % ${o.tasks} == I, with one job per CPU of the task.`,
    `exec ${quoted.join(" ")}`,
    "",
  ];
  return lines.join("\n");
}

/** Runs a command and returns its output; throws an Error naming it when it fails. */
function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Whether a job still has tasks in the queue (pending or running). */
function inQueue(jobId: string): boolean {
  const r = spawnSync("squeue", ["-h", "-j", jobId, "-o", "%i"], { encoding: "utf8" });
  if (r.error) throw new Error(`squeue: ${r.error.message}`);
  // squeue reports an unknown (finished and purged) job as an error.
  if (r.status !== 0) return !/Invalid job id/i.test(r.stderr);
  return r.stdout.trim() !== "";
}

/**
 * Writes the script to `<out>/slurm/sweep.sbatch`, submits it with `sbatch --parsable`, and polls
 * `squeue` until the array has left the queue, calling `onPoll` after each poll (for progress).
 * Ctrl-C cancels the job (`scancel`).
 */
export async function runOnSlurm(name: string, out: string, o: SlurmOptions, log: Logger, onPoll: () => void): Promise<{ jobId: string; script: string }> {
  const script = path.join(out, "slurm", "sweep.sbatch");
  writeFileAtomic(script, slurmScript(name, out, o));
  const jobId = run("sbatch", ["--parsable", script]).trim().split(";")[0]!;
  log.info({ jobId, script, tasks: o.tasks }, "submitted the job array");
  const cancel = () => {
    spawnSync("scancel", [jobId]);
    process.stderr.write(`cancelled Slurm job ${jobId}\n`);
    process.exit(130);
  };
  process.once("SIGINT", cancel);
  process.once("SIGTERM", cancel);
  try {
    while (inQueue(jobId)) {
      onPoll();
      await sleep(o.pollSeconds * 1000);
    }
    onPoll();
  } finally {
    process.off("SIGINT", cancel);
    process.off("SIGTERM", cancel);
  }
  log.info({ jobId }, "the job array has finished");
  return { jobId, script };
}
