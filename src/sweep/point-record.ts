import type { ThreadResult } from "../machine/run-simulation.ts";
import type { DumpedStat } from "../stats/registry.ts";
import type { NumaMapsEntry } from "../vm/numa-maps.ts";

/** What a point's simulation produced: a run's results without its wall-clock time (which varies). */
export interface PointResult {
  machine: string;
  workload: string;
  /** Simulated time until the last thread finished, in ns. */
  simulatedNs: number;
  events: number;
  threads: ThreadResult[];
  stats: Record<string, DumpedStat>;
  numaMaps: NumaMapsEntry[];
}

/**
 * The file `<out>/points/<id>.json`: a point's resolved inputs and its result or error. It depends
 * only on the inputs and the hopsim version, so the same point gives the same bytes wherever it ran.
 */
export interface PointRecord {
  /** Short hash of the resolved inputs (or, when they could not be resolved, of the sweep's description of the point). */
  id: string;
  /** hopsim version that produced it. */
  hopsim: string;
  seed: number;
  /** The overrides, when the inputs could not be resolved from them. */
  overrides?: string[];
  /** The validated machine and workload, as simulated. */
  inputs?: { machine: unknown; workload: unknown };
  result?: PointResult;
  /** Why the point failed (one line per problem). */
  error?: string;
}

/** The text of a point file: stable key order, one space of indentation, a final newline. */
export function formatPointRecord(r: PointRecord): string {
  const ordered: PointRecord = { id: r.id, hopsim: r.hopsim, seed: r.seed };
  if (r.overrides !== undefined) ordered.overrides = r.overrides;
  if (r.inputs !== undefined) ordered.inputs = r.inputs;
  if (r.result !== undefined) ordered.result = r.result;
  if (r.error !== undefined) ordered.error = r.error;
  return `${JSON.stringify(ordered, null, 1)}\n`;
}

/** Parses a point file's text; undefined when it is not a point record. */
export function parsePointRecord(text: string): PointRecord | undefined {
  try {
    const v = JSON.parse(text) as PointRecord;
    if (typeof v !== "object" || v === null || typeof v.id !== "string" || typeof v.hopsim !== "string") return undefined;
    if (v.result === undefined && v.error === undefined) return undefined;
    return v;
  } catch {
    return undefined;
  }
}
