/** Resolving each point of a sweep to the exact machine and workload it simulates, and naming it by them. */
import path from "node:path";
import { ConfigError, type ConfigProblem } from "../config/errors.ts";
import { loadBoth } from "../config/load-both.ts";
import { loadConfigFile, loadRaw, type RawConfig } from "../config/load.ts";
import { applyOverrides } from "../config/overrides.ts";
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
  /** The same problems, each naming where it is (when the loader found them). */
  problems?: readonly ConfigProblem[];
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

/**
 * Resolves points of one sweep. The machine and workload files are read once; each point's
 * overrides are applied to copies and validated. Only when that fails are the files loaded again
 * through the loader, whose messages name the file or `--set` that supplied each bad value.
 */
export class PointResolver {
  private readonly sweep: Sweep;
  private readonly machineShown: string;
  private readonly workloadShown: string;
  private machineRaw: RawConfig | undefined;
  private workloadRaw: RawConfig | undefined;

  constructor(sweep: Sweep) {
    this.sweep = sweep;
    this.machineShown = displayPath(sweep.machineFile);
    this.workloadShown = displayPath(sweep.workloadFile);
  }

  /** Resolves one point; a problem with its overrides makes it a failed point, not an exception. */
  resolve(p: SweepPoint): PlannedPoint {
    const sets = splitOverrides(p.overrides);
    let specs: [MachineSpec, WorkloadSpec];
    try {
      specs = this.fast(sets.machine, sets.workload) ?? this.careful(sets.machine, sets.workload);
    } catch (e) {
      let error: string;
      let problems: readonly ConfigProblem[] | undefined;
      if (e instanceof ConfigError) {
        error = e.lines().join("\n");
        problems = e.problems;
      } else if (e instanceof UnitError) error = e.message;
      else throw e;
      const id = shortHash({ unresolved: { machine: this.sweep.machineRef, workload: this.sweep.workloadRef, overrides: p.overrides, seed: p.seed } });
      return problems === undefined ? { ...p, id, error } : { ...p, id, error, problems };
    }
    const [machine, workload] = specs;
    const id = resolvedId(machine, workload, p.seed);
    return { ...p, id, task: { id, seed: p.seed, machine, workload, workloadFile: this.workloadShown } };
  }

  /** The validated inputs from the files read once, or undefined when anything is wrong with them. */
  private fast(machineSets: string[], workloadSets: string[]): [MachineSpec, WorkloadSpec] | undefined {
    try {
      this.machineRaw ??= loadRaw(this.machineShown);
      this.workloadRaw ??= loadRaw(this.workloadShown);
      const machine = MachineSpec.safeParse(applyOverrides(this.machineRaw, machineSets));
      const workload = WorkloadSpec.safeParse(applyOverrides(this.workloadRaw, workloadSets));
      return machine.success && workload.success ? [machine.data, workload.data] : undefined;
    } catch {
      return undefined;
    }
  }

  /** The validated inputs through the loader, which throws a ConfigError naming every problem. */
  private careful(machineSets: string[], workloadSets: string[]): [MachineSpec, WorkloadSpec] {
    // The overrides are the sweep file's `set` and `matrix`: problems with them name that file.
    const overrideSource = `${displayPath(path.resolve(this.sweep.file))} (set and matrix)`;
    return loadBoth(
      () => loadConfigFile(this.machineShown, MachineSpec, { overrides: machineSets, overrideSource }),
      () => loadConfigFile(this.workloadShown, WorkloadSpec, { overrides: workloadSets, overrideSource }),
    );
  }
}

/** Resolves one point of a sweep. */
export function planPoint(sweep: Sweep, p: SweepPoint): PlannedPoint {
  return new PointResolver(sweep).resolve(p);
}

/** Expands and resolves every point of a sweep. */
export function planSweep(sweep: Sweep): PlannedPoint[] {
  const resolver = new PointResolver(sweep);
  return expandSweep(sweep).map((p) => resolver.resolve(p));
}
