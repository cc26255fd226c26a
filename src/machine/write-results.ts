import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { HOPSIM_VERSION } from "../version.ts";
import { formatRunSummary } from "../report/run-summary.ts";
import type { RunResult } from "./run-simulation.ts";

/** The fully resolved inputs of a run, as written to config.json. */
export interface ResolvedConfig {
  machineFile: string;
  workloadFile: string;
  overrides: string[];
  seed: number;
  machine: unknown;
  workload: unknown;
}

/** What stats.json (and `hopsim run --json`) holds: version, inputs' names, seed, figures and statistics. */
export function statsDocument(r: RunResult): Record<string, unknown> {
  return {
    hopsim: HOPSIM_VERSION,
    ...(r.partial ? { partial: true, signal: r.partial.signal, stoppedAtPs: r.partial.stoppedAtPs } : {}),
    machine: r.machine,
    workload: r.workload,
    seed: r.seed,
    simulatedNs: r.simulatedNs,
    events: r.events,
    threads: r.threads,
    numaMaps: r.numaMaps,
    stats: r.stats,
  };
}

/**
 * Writes a run's stats.json (every statistic with its unit; byte-identical for the same inputs and
 * seed), summary.txt and config.json into `dir`, each atomically. Returns the paths written.
 */
export function writeRunResults(dir: string, r: RunResult, config: ResolvedConfig): string[] {
  const statsPath = join(dir, "stats.json");
  const summaryPath = join(dir, "summary.txt");
  const configPath = join(dir, "config.json");
  writeFileAtomic(statsPath, `${JSON.stringify(statsDocument(r), null, 1)}\n`);
  writeFileAtomic(summaryPath, formatRunSummary(r));
  writeFileAtomic(configPath, `${JSON.stringify({ hopsim: HOPSIM_VERSION, ...config }, null, 2)}\n`);
  return [statsPath, summaryPath, configPath];
}
