/** Resolving each point of a sweep to the exact machine and workload it simulates, and naming it by them. */
import path from "node:path";
import { ConfigError } from "../config/errors.ts";
import { loadBoth } from "../config/load-both.ts";
import { loadConfigFile } from "../config/load.ts";
import { MachineSpec } from "../config/machine-spec.ts";
import { UnitError } from "../config/units.ts";
import { WorkloadSpec } from "../config/workload-spec.ts";
import { splitOverrides } from "../cli/split-overrides.ts";
import { shortHash } from "./hash.ts";
import { expandSweep, type SweepPoint } from "./expand.ts";
import type { Sweep } from "./sweep-spec.ts";

/** What a worker needs to simulate a point: validated inputs, nothing to read from disk. */
export interface PointTask {
  id: string;
  seed: number;
  machine: MachineSpec;
  workload: WorkloadSpec;
  /** The workload file as shown in error messages. */
  workloadFile: string;
}

/** A point with its id and either its task or the reason its inputs could not be resolved. */
export interface PlannedPoint extends SweepPoint {
  /** Stable short hash of the resolved inputs (machine, workload, seed). */
  id: string;
  task?: PointTask;
  /** Problems with the point's inputs, one per line. */
  error?: string;
}

/** A path as shown to the user: relative to the working directory when below it. */
export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? abs : rel;
}

/**
 * The id of a point whose inputs resolved: a hash of the validated machine, workload and seed, so it
 * does not change with the way the values were written ("8ns" or "8000ps") or where the files are.
 */
export function resolvedId(machine: unknown, workload: unknown, seed: number): string {
  return shortHash({ machine, workload, seed });
}

/** Resolves one point; a problem with its overrides makes it a failed point, not an exception. */
export function planPoint(sweep: Sweep, p: SweepPoint): PlannedPoint {
  const sets = splitOverrides(p.overrides);
  const machineShown = displayPath(sweep.machineFile);
  const workloadShown = displayPath(sweep.workloadFile);
  try {
    const [machine, workload] = loadBoth(
      () => loadConfigFile(machineShown, MachineSpec, { overrides: sets.machine }),
      () => loadConfigFile(workloadShown, WorkloadSpec, { overrides: sets.workload }),
    );
    const id = resolvedId(machine, workload, p.seed);
    return { ...p, id, task: { id, seed: p.seed, machine, workload, workloadFile: workloadShown } };
  } catch (e) {
    let error: string;
    if (e instanceof ConfigError) error = e.lines().join("\n");
    else if (e instanceof UnitError) error = e.message;
    else throw e;
    const id = shortHash({ unresolved: { machine: sweep.machineRef, workload: sweep.workloadRef, overrides: p.overrides, seed: p.seed } });
    return { ...p, id, error };
  }
}

/** Expands and resolves every point of a sweep. */
export function planSweep(sweep: Sweep): PlannedPoint[] {
  return expandSweep(sweep).map((p) => planPoint(sweep, p));
}
