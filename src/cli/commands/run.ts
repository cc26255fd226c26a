import { basename, extname, join } from "node:path";
import type { CommandModule } from "yargs";
import { loadConfigFile, loadRaw } from "../../config/load.ts";
import { loadBoth } from "../../config/load-both.ts";
import { MachineSpec } from "../../config/machine-spec.ts";
import { WorkloadSpec } from "../../config/workload-spec.ts";
import { collectResults, prepareRun } from "../../machine/run-simulation.ts";
import { installInterruptHandler, runYielding } from "../interrupt.ts";
import { writeRunResults } from "../../machine/write-results.ts";
import { formatRunSummary } from "../../report/run-summary.ts";
import { formatNumaMaps } from "../../vm/numa-maps.ts";
import { runWithConfigErrors } from "../../config/exit.ts";
import { makeLogger } from "../logger.ts";
import { ConfigError } from "../../config/errors.ts";
import { parseTraceWindow, TraceWriter } from "../../stats/trace-writer.ts";
import { splitOverrides } from "../split-overrides.ts";

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
  const log = makeLogger(a.logLevel);
  const sets = splitOverrides(a.set);
  const [machine, workload] = loadBoth(
    () => loadConfigFile(a.machine, MachineSpec, { overrides: sets.machine }),
    () => loadConfigFile(a.workload, WorkloadSpec, { overrides: sets.workload }),
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
  log.info({ simulatedNs: r.simulatedNs, events: r.events, wallSeconds: r.wallSeconds }, "finished");
  const files = writeRunResults(dir, r, config);
  if (trace !== undefined && a.traceOut !== undefined) {
    trace.write(a.traceOut);
    files.push(a.traceOut);
  }
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ machine: r.machine, workload: r.workload, seed: r.seed, simulatedNs: r.simulatedNs, threads: r.threads, stats: r.stats }, null, 1)}\n`);
  } else {
    process.stdout.write(formatRunSummary(r));
    if (a.numaMaps) process.stdout.write(`\nnuma_maps:\n${formatNumaMaps(r.numaMaps, machine.pageSize)}\n`);
    // Accesses per second is the figure to compare: a core that runs ahead of every other event
    // takes its steps without events, so events per second alone would undersell such a run.
    const accesses = r.threads.reduce((n, t) => n + t.loads + t.stores + (t.mmio ?? 0), 0);
    process.stdout.write(`\n${(accesses / r.wallSeconds / 1e6).toFixed(2)} M accesses/s (${r.events} events), ${r.wallSeconds.toFixed(2)} s wall; wrote ${files.join(", ")}\n`);
  }
  return 0;
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
      .option("seed", { type: "number", default: 1, describe: "run seed (every random stream derives from it)" })
      .option("out", { type: "string", describe: "results folder (default results/<machine>-<workload>-s<seed>)" })
      .option("json", { type: "boolean", default: false, describe: "print the statistics as JSON on stdout" })
      .option("numa-maps", { type: "boolean", default: false, describe: "print where each region's pages landed, numa_maps style" })
      .option("check", { type: "boolean", default: false, describe: "check invariants as the run goes: one owner per line, no stale reads (value tracking), the DRAM protocol, no link over its bandwidth (slower)" })
      .option("trace-out", { type: "string", describe: "write a timeline (Chrome trace-event JSON, opens in Perfetto) of misses, requests, link transfers and memory reads" })
      .option("trace-window", { type: "string", describe: "keep only spans overlapping FROM..TO, e.g. 10us..20us (either side may be empty)" })
      .example("$0 run -m machines/opteron-4p.yaml -w workloads/triad-all.yaml --set link.latency=20ns", "")
      .example("$0 run -m machines/default.yaml -w workloads/default.yaml --set workload.threads[0].accesses=5000 --json", "") as never,
  handler: async (a) => {
    await runWithConfigErrors(async () => {
      process.exitCode = await runCommand(a);
    });
  },
};
