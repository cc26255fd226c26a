import { basename, extname, join } from "node:path";
import type { CommandModule } from "yargs";
import { loadConfigFile, loadRaw } from "../../config/load.ts";
import { loadBoth } from "../../config/load-both.ts";
import { MachineSpec } from "../../config/machine-spec.ts";
import { WorkloadSpec } from "../../config/workload-spec.ts";
import { collectResults, prepareRun } from "../../machine/run-simulation.ts";
import { installInterruptHandler, runYielding } from "../interrupt.ts";
import { statsDocument, writeRunResults } from "../../machine/write-results.ts";
import { formatRunSummary } from "../../report/run-summary.ts";
import { formatNumaMaps } from "../../vm/numa-maps.ts";
import { runWithConfigErrors } from "../../config/exit.ts";
import { makeLogger } from "../logger.ts";
import { ConfigError } from "../../config/errors.ts";
import { parseTraceWindow, TraceWriter } from "../../stats/trace-writer.ts";
import { splitOverrides, WORKLOAD_PREFIX } from "../split-overrides.ts";
import { numberOption, SEED } from "../number-option.ts";
import type { RunResult } from "../../machine/run-simulation.ts";

/** Options of `hopsim run`. */
export interface RunArgs {
  machine: string;
  workload: string;
  set: string[];
  seed: number;
  out?: string;
  json: boolean;
  numaMaps: boolean;
  logLevel: string;
  traceOut?: string;
  traceWindow?: string;
  check: boolean;
}

/**
 * Runs one simulation from files and writes results/<run>/; returns the process exit code. On
 * SIGINT or SIGTERM it stops after the current event, writes what it has marked partial, says
 * where it stopped, and exits with 130 or 143.
 */
export async function runCommand(a: RunArgs): Promise<number> {
  if (a.traceWindow !== undefined && a.traceOut === undefined) throw ConfigError.single("--trace-window", "narrows the trace that --trace-out writes, and no --trace-out was given");
  const log = makeLogger(a.logLevel);
  const sets = splitOverrides(a.set);
  const [machine, workload] = loadBoth(
    () => loadConfigFile(a.machine, MachineSpec, { overrides: sets.machine }),
    () => loadConfigFile(a.workload, WorkloadSpec, { overrides: sets.workload, overridePrefix: WORKLOAD_PREFIX }),
  );
  const machineRaw = loadRaw(a.machine, { overrides: sets.machine });
  const workloadRaw = loadRaw(a.workload, { overrides: sets.workload });
  log.info({ machine: machine.name, workload: workload.name, seed: a.seed }, "running");
  const dir = a.out ?? join("results", `${stem(a.machine)}-${stem(a.workload)}-s${a.seed}`);
  const config = { machineFile: a.machine, workloadFile: a.workload, overrides: a.set, seed: a.seed, machine: machineRaw, workload: workloadRaw };
  const trace = a.traceOut !== undefined ? new TraceWriter(traceWindow(a.traceWindow)) : undefined;
  const ctx = prepareRun(machine, workload, a.seed, a.workload, { trace, check: a.check });
  const sim = ctx.machine.sim;
  const t0 = performance.now();
  const interrupt = installInterruptHandler(sim, (signal) => {
    const partial = collectResults(ctx, machine, workload, a.seed, (performance.now() - t0) / 1000, { signal, stoppedAtPs: sim.now });
    const written = writeRunResults(dir, partial, config);
    process.stderr.write(`hopsim: stopped by ${signal} at ${sim.now} ps (${(sim.now / 1e6).toFixed(3)} us simulated); partial results in ${written.join(", ")}\n`);
  });
  await runYielding(sim);
  interrupt.dispose();
  const r = collectResults(ctx, machine, workload, a.seed, (performance.now() - t0) / 1000);
  log.info({ simulatedNs: r.simulatedNs, events: r.events, wallSeconds: Math.round(r.wallSeconds * 1000) / 1000 }, "finished");
  const files = writeRunResults(dir, r, config);
  if (trace !== undefined && a.traceOut !== undefined) {
    trace.write(a.traceOut);
    files.push(a.traceOut);
    if (trace.size === 0 && trace.dropped === 0) process.stderr.write(`${emptyTraceWarning(a.traceOut, a.traceWindow, r.simulatedNs)}\n`);
  }
  if (a.json) {
    process.stdout.write(`${JSON.stringify(statsDocument(r), null, 1)}\n`);
  } else {
    process.stdout.write(formatRunSummary(r));
    if (a.numaMaps) process.stdout.write(`\nnuma_maps:\n${formatNumaMaps(r.numaMaps, machine.pageSize)}\n`);
    process.stdout.write(`\n${speedLine(r)}; wrote ${files.join(", ")}\n`);
  }
  return 0;
}

/**
 * How fast the run went, in the figures that mean something for it: core accesses per second when
 * cores made accesses (a core that runs ahead of every other event takes its steps without
 * events, so events per second alone would undersell such a run), device line requests per
 * second when GPU kernels ran (what `hopsim bench` reports for the device path), and events per
 * second when there is nothing else to count; always with the wall time.
 */
export function speedLine(r: Pick<RunResult, "threads" | "stats" | "events" | "wallSeconds">): string {
  const rate = (n: number, what: string) => `${(n / r.wallSeconds / 1e6).toFixed(2)} M ${what}/s`;
  const accesses = r.threads.reduce((n, t) => n + t.loads + t.stores + (t.mmio ?? 0), 0);
  const lines = Object.entries(r.stats)
    .filter(([k]) => /^[^.]+\.gpu\.lineRequests$/.test(k))
    .reduce((n, [, s]) => n + (typeof s.value === "number" ? s.value : 0), 0);
  const rates: string[] = [];
  const counts: string[] = [];
  if (accesses > 0) rates.push(rate(accesses, "accesses"));
  if (lines > 0) {
    rates.push(rate(lines, "GPU line requests"));
    counts.push(`${lines} line requests`);
  }
  if (accesses === 0) rates.push(rate(r.events, "events"));
  counts.push(`${r.events} events`);
  return `${rates.join(", ")} (${counts.join(", ")}), ${r.wallSeconds.toFixed(2)} s wall`;
}

/** The warning for a trace that holds no span, saying why when a window was given. */
function emptyTraceWarning(file: string, window: string | undefined, simulatedNs: number): string {
  const why = window === undefined ? "no component recorded a span" : `--trace-window ${window} held nothing (the run ended at ${(simulatedNs / 1000).toFixed(3)} us simulated)`;
  return `hopsim: warning: ${file} is an empty trace: ${why}`;
}

/** The --trace-window option, or one readable problem line. */
function traceWindow(text: string | undefined): { fromPs?: number; toPs?: number } {
  try {
    return parseTraceWindow(text ?? "..");
  } catch (e) {
    throw ConfigError.single("--trace-window", (e as Error).message);
  }
}

function stem(p: string): string {
  return basename(p, extname(p));
}

/** The yargs definition of `hopsim run`. */
export const runCommandModule: CommandModule<object, RunArgs> = {
  command: "run",
  describe: "Run one simulation of a workload on a machine and write results/<run>/",
  builder: (y) =>
    y
      .option("machine", { alias: "m", type: "string", demandOption: true, describe: "machine file (YAML or JSON)" })
      .option("workload", { alias: "w", type: "string", demandOption: true, describe: "workload file (YAML or JSON)" })
      .option("set", {
        type: "string",
        array: true,
        default: [],
        describe: "override a field: key.path=value (machine fields; prefix workload. for the workload file)",
      })
      .option("seed", numberOption("seed", SEED, { default: 1, describe: "run seed, a whole number from 0 (every random stream derives from it)" }))
      .option("out", { type: "string", describe: "results folder (default results/<machine>-<workload>-s<seed>)" })
      .option("json", { type: "boolean", default: false, describe: "print the statistics as JSON on stdout" })
      .option("numa-maps", { type: "boolean", default: false, describe: "print where each region's pages landed, numa_maps style" })
      .option("check", { type: "boolean", default: false, describe: "check invariants as the run goes: one owner per line, no stale reads (value tracking), the DRAM protocol, no link over its bandwidth (slower)" })
      .option("trace-out", { type: "string", describe: "write a timeline (Chrome trace-event JSON, opens in Perfetto) of misses, requests, link transfers and memory reads" })
      .option("trace-window", { type: "string", describe: "with --trace-out: keep only spans overlapping FROM..TO, e.g. 10us..20us (either side may be empty)" })
      // Each example breaks (as a shell would continue it) before --set, so no terminal width
      // wraps one between an option and its value.
      .example("$0 run -m machines/opteron-4p.yaml -w workloads/triad-all.yaml \\\n--set link.latency=20ns", "")
      .example("$0 run -m machines/default.yaml -w workloads/default.yaml --json \\\n--set workload.threads[0].accesses=5000", "") as never,
  handler: async (a) => {
    await runWithConfigErrors(async () => {
      process.exitCode = await runCommand(a);
    });
  },
};
