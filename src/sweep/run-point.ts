import { ConfigError } from "../config/errors.ts";
import { runSimulation } from "../machine/run-simulation.ts";
import type { PlannedPoint, PointTask } from "./plan.ts";
import type { PointResult } from "./point-record.ts";

/** What simulating a point gave: its result or the error it stopped with, and how long it took. */
export interface PointOutcome {
  id: string;
  result?: PointResult;
  error?: string;
  /** Wall-clock seconds (for progress and logs only; never written to results). */
  wallSeconds: number;
}

/**
 * Simulates one point. The same function runs in-process (`--jobs 1`) and in the worker threads,
 * so both give the same results; an exception becomes the point's error.
 */
export function runPointTask(t: PointTask): PointOutcome {
  const t0 = performance.now();
  try {
    const r = runSimulation(t.machine, t.workload, t.seed, t.workloadFile);
    const result: PointResult = {
      machine: r.machine,
      workload: r.workload,
      simulatedNs: r.simulatedNs,
      events: r.events,
      threads: r.threads,
      stats: r.stats,
      numaMaps: r.numaMaps,
    };
    return { id: t.id, result, wallSeconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    const error = e instanceof ConfigError ? e.lines().join("\n") : e instanceof Error ? e.message : String(e);
    return { id: t.id, error, wallSeconds: (performance.now() - t0) / 1000 };
  }
}

/** The outcome of a point whose inputs could not be resolved. */
export function unresolvedOutcome(p: PlannedPoint): PointOutcome {
  return { id: p.id, error: p.error ?? "no inputs", wallSeconds: 0 };
}
