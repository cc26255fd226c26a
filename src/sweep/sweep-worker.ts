/** The task function of the sweep's worker threads (loaded through sweep-worker.mjs). */
import type { PointTask } from "./plan.ts";
import { runPointTask, type PointOutcome } from "./run-point.ts";

/** Simulates one point in a worker thread. */
export default function sweepWorker(task: PointTask): PointOutcome {
  return runPointTask(task);
}
