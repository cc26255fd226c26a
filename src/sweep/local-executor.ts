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

/** Called as each point finishes (in completion order); outcomes are handled one at a time. */
export type OnOutcome = (outcome: PointOutcome) => void | Promise<void>;

const WORKER_URL = new URL("./sweep-worker.mjs", import.meta.url).href;

/**
 * Simulates points with `jobs` parallel jobs. With one job the points run one after another in this
 * thread (no worker); otherwise on up to `jobs` worker threads (each loads tsx and the simulator
 * first, most of a second). Results are the same either way.
 */
export class LocalExecutor {
  readonly jobs: number;
  private pool: Piscina | undefined;
  private poolError: Error | undefined;

  constructor(jobs: number) {
    this.jobs = jobs;
  }

  /** Simulates every task and reports each outcome as it arrives. */
  async run(tasks: readonly PointTask[], onOutcome: OnOutcome): Promise<void> {
    if (tasks.length === 0) return;
    if (this.jobs <= 1) {
      for (const t of tasks) {
        await onOutcome(runPointTask(t));
        // Lets timers (progress lines) and signals run between points.
        await yieldToEventLoop();
      }
      return;
    }
    const threads = Math.min(this.jobs, tasks.length);
    const pool = new Piscina({ filename: WORKER_URL, minThreads: threads, maxThreads: threads });
    this.pool = pool;
    // A worker that cannot start fails the tasks given to it; keep the event from crashing the process.
    pool.on("error", (e: Error) => {
      this.poolError = e;
    });
    let chain: Promise<void> = Promise.resolve();
    const handle = (o: PointOutcome) => {
      chain = chain.then(() => onOutcome(o));
      return chain;
    };
    const failed = (t: PointTask, e: unknown) => {
      const why = e instanceof Error ? e.message : String(e);
      const cause = this.poolError !== undefined && this.poolError.message !== why ? ` (${this.poolError.message})` : "";
      return handle({ id: t.id, error: `worker failed: ${why}${cause}`, wallSeconds: 0 });
    };
    await Promise.all(tasks.map((t) => (pool.run(t) as Promise<PointOutcome>).then(handle, (e: unknown) => failed(t, e))));
    await chain;
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}
