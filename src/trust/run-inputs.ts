/**
 * The `hopsim run` pipeline without its file output, for tests that feed it many inputs in one
 * process: validate (or load) both files, build the machine, bind the workload and run. What
 * happens is reported as an Outcome; an exception that is not a ConfigError is a crash and is
 * returned as such, never swallowed silently.
 */
import { ConfigError } from "../config/errors.ts";
import { loadConfigFile, resolveConfig } from "../config/load.ts";
import { loadBoth } from "../config/load-both.ts";
import { MachineSpec } from "../config/machine-spec.ts";
import { UnitError } from "../config/units.ts";
import { WorkloadSpec } from "../config/workload-spec.ts";
import { runSimulation, type RunResult } from "../machine/run-simulation.ts";
import { splitOverrides } from "../cli/split-overrides.ts";
import { overBudget, TEST_BUDGET, type RunBudget } from "./run-budget.ts";

/** What one input did: ran to completion, was rejected with readable problems, or crashed. */
export type Outcome =
  | { kind: "ran"; result: RunResult }
  | { kind: "rejected"; lines: string[] }
  | { kind: "crashed"; error: unknown }
  | { kind: "over-budget"; reason: string };

/** Both specs of a run, validated. */
export interface ValidatedInputs {
  machine: MachineSpec;
  workload: WorkloadSpec;
}

/** Validates plain machine and workload objects (as read from files), reporting both files' problems at once. */
export function validateRaw(machineRaw: unknown, workloadRaw: unknown, machineFile = "machine.yaml", workloadFile = "workload.yaml"): ValidatedInputs {
  const [machine, workload] = loadBoth(
    () => resolveConfig(machineRaw, MachineSpec, machineFile),
    () => resolveConfig(workloadRaw, WorkloadSpec, workloadFile),
  );
  return { machine, workload };
}

/** Loads two files as `hopsim run -m machineFile -w workloadFile --set ...` does (extends, --set, validation). */
export function loadFiles(machineFile: string, workloadFile: string, sets: readonly string[] = []): ValidatedInputs {
  const split = splitOverrides(sets);
  const [machine, workload] = loadBoth(
    () => loadConfigFile(machineFile, MachineSpec, { overrides: split.machine }),
    () => loadConfigFile(workloadFile, WorkloadSpec, { overrides: split.workload }),
  );
  return { machine, workload };
}

/**
 * Runs `step` and classifies what happened. A ConfigError or UnitError (the two the CLI turns into
 * exit code 2) is "rejected"; any other exception is "crashed".
 */
export function classify(step: () => RunResult): Outcome {
  try {
    return { kind: "ran", result: step() };
  } catch (e) {
    if (e instanceof ConfigError) return { kind: "rejected", lines: e.lines() };
    if (e instanceof UnitError) return { kind: "rejected", lines: [e.message] };
    return { kind: "crashed", error: e };
  }
}

/**
 * Like `classify`, but first validates with `validate` and refuses to run an accepted input whose
 * estimated cost exceeds `budget` (reported as "over-budget": the validator let through something
 * too big to run).
 */
export function classifyGuarded(validate: () => ValidatedInputs, seed: number, workloadFile: string, budget: RunBudget = TEST_BUDGET): Outcome {
  let v: ValidatedInputs | undefined;
  const first = classify(() => {
    v = validate();
    return null as unknown as RunResult;
  });
  if (first.kind !== "ran" || v === undefined) return first;
  const inputs = v;
  const reason = overBudget(inputs.machine, inputs.workload, budget);
  if (reason !== null) return { kind: "over-budget", reason };
  return classify(() => runSimulation(inputs.machine, inputs.workload, seed, workloadFile));
}

/** Validates plain objects and runs them if they fit `budget` (see classifyGuarded). */
export function runRawGuarded(machineRaw: unknown, workloadRaw: unknown, seed = 1, budget: RunBudget = TEST_BUDGET): Outcome {
  return classifyGuarded(() => validateRaw(machineRaw, workloadRaw), seed, "workload.yaml", budget);
}

/** Loads files with overrides and runs them if they fit `budget` (see classifyGuarded). */
export function runFilesGuarded(machineFile: string, workloadFile: string, sets: readonly string[] = [], seed = 1, budget: RunBudget = TEST_BUDGET): Outcome {
  return classifyGuarded(() => loadFiles(machineFile, workloadFile, sets), seed, workloadFile, budget);
}

/** Validates and runs plain machine and workload objects in this process. */
export function runRaw(machineRaw: unknown, workloadRaw: unknown, seed = 1, workloadFile = "workload.yaml"): Outcome {
  return classify(() => {
    const v = validateRaw(machineRaw, workloadRaw, "machine.yaml", workloadFile);
    return runSimulation(v.machine, v.workload, seed, workloadFile);
  });
}

/** Loads and runs two files with `--set` overrides in this process, as `hopsim run` would. */
export function runFiles(machineFile: string, workloadFile: string, sets: readonly string[] = [], seed = 1): Outcome {
  return classify(() => {
    const v = loadFiles(machineFile, workloadFile, sets);
    return runSimulation(v.machine, v.workload, seed, workloadFile);
  });
}

/** A crash's first line and the top of its stack, for reports. */
export function describeCrash(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}\n${(error.stack ?? "").split("\n").slice(1, 6).join("\n")}`;
  return String(error);
}
