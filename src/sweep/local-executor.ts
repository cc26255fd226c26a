/** Running points on this machine: in-process for one job, otherwise on a pool of worker threads. */
import { availableParallelism } from "node:os";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { Piscina } from "piscina";
import type { PointTask } from "./plan.ts";
import { runPointTask, type PointOutcome } from "./run-point.ts";

/** Default number of parallel jobs: one per CPU. */
export function defaultJobs(): number {
  return availableParallelism();
}

/** Called as each point finishes (in completion order); the next results wait for it to return. */
export type OnOutcome = (outcome: PointOutcome) => void | Promise<void>;

const WORKER_URL = new URL("./sweep-worker.mjs", import.meta.url).href;

/**
 * Simulates every task with `jobs` parallel jobs and reports each outcome as it arrives. With one
 * job the points run one after another in this thread (no worker); results are the same either way.
 */
export async function runTasksLocally(tasks: readonly PointTask[], jobs: number, onOutcome: OnOutcome): Promise<void> {
  if (tasks.length === 0) return;
  if (jobs <= 1) {
    for (const t of tasks) {
      await onOutcome(runPointTask(t));
      // Lets timers (progress lines) and signals run between points.
      await yieldToEventLoop();
    }
    return;
  }
  const threads = Math.min(jobs, tasks.length);
  const pool = new Piscina({ filename: WORKER_URL, minThreads: threads, maxThreads: threads, idleTimeout: 1000 });
  // Outcomes are handled one at a time, in the order they arrive.
  let chain: Promise<void> = Promise.resolve();
  const handle = (o: PointOutcome) => {
    chain = chain.then(() => onOutcome(o));
    return chain;
  };
  try {
    await Promise.all(
      tasks.map((t) =>
        (pool.run(t) as Promise<PointOutcome>).then(handle, (e: unknown) => handle({ id: t.id, error: `worker failed: ${e instanceof Error ? e.message : String(e)}`, wallSeconds: 0 })),
      ),
    );
    await chain;
  } finally {
    await pool.destroy();
  }
}
