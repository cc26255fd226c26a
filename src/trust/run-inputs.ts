/**
 * The `hopsim run` pipeline without its file output, for tests that feed it many inputs in one
 * process: validate (or load) both files, build the machine, bind the workload and run. What
 * happens is reported as an Outcome; an exception that is not a ConfigError is a crash and is
 * returned as such, never swallowed silently.
 */
import { ConfigError } from "../config/errors.ts";
import { loadConfigFile, resolveConfig } from "../config/load.ts";
import { loadBoth } from "../config/load-both.ts";
import { MachineSpec, socketsOf } from "../config/machine-spec.ts";
import { buildMachine } from "../machine/build-machine.ts";
import { bindWorkload } from "../machine/bind-workload.ts";
import { UnitError } from "../config/units.ts";
import { WorkloadSpec } from "../config/workload-spec.ts";
import { runSimulation, type RunResult } from "../machine/run-simulation.ts";
import { splitOverrides, WORKLOAD_PREFIX } from "../cli/split-overrides.ts";
import { TickLimitError } from "../kernel/simulator.ts";
import { OutOfMemoryError } from "../vm/address-space.ts";
import { budgetExcess, TEST_BUDGET, type BudgetExcess, type RunBudget } from "./run-budget.ts";

/** What one input did: ran to completion, was rejected with readable problems, or crashed. */
export type Outcome =
  | { kind: "ran"; result: RunResult }
  | { kind: "rejected"; lines: string[] }
  | { kind: "crashed"; error: unknown }
  | { kind: "over-budget"; excess: BudgetExcess };

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
    () => loadConfigFile(workloadFile, WorkloadSpec, { overrides: split.workload, overridePrefix: WORKLOAD_PREFIX }),
  );
  return { machine, workload };
}

/**
 * Runs `step` and classifies what happened. A ConfigError or UnitError (the two the CLI turns into
 * exit code 2) is "rejected"; any other exception is "crashed". An input that changed a built-in
 * prototype is "crashed" whatever else it did (the change is undone).
 */
export function classify(step: () => RunResult): Outcome {
  const before = PROTOTYPES.map((p) => new Set(Reflect.ownKeys(p)));
  let outcome: Outcome;
  try {
    outcome = { kind: "ran", result: step() };
  } catch (e) {
    if (e instanceof ConfigError) outcome = { kind: "rejected", lines: e.lines() };
    else if (e instanceof UnitError) outcome = { kind: "rejected", lines: [e.message] };
    // A run that passes the kernel's tick range or runs out of frames: the CLI reports it as one line.
    else if (e instanceof TickLimitError || e instanceof OutOfMemoryError) outcome = { kind: "rejected", lines: [`hopsim: ${e.message}`] };
    else outcome = { kind: "crashed", error: e };
  }
  // An input that writes into a shared prototype changes every later run in the process: undo it
  // and report it as a crash, whatever the input's own outcome was.
  const added: string[] = [];
  PROTOTYPES.forEach((p, i) => {
    for (const k of Reflect.ownKeys(p)) {
      if (before[i]!.has(k)) continue;
      added.push(`${PROTOTYPE_NAMES[i]}.${String(k)}`);
      delete (p as Record<PropertyKey, unknown>)[k];
    }
  });
  if (added.length > 0) return { kind: "crashed", error: new PrototypePollutionError(added, outcome) };
  return outcome;
}

/** The prototypes an input must never change. */
const PROTOTYPES: object[] = [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype];
const PROTOTYPE_NAMES = ["Object.prototype", "Array.prototype", "Function.prototype", "String.prototype", "Number.prototype"];

/** An input added properties to a built-in prototype (they have been removed again). */
export class PrototypePollutionError extends Error {
  /** What the input did apart from that. */
  readonly outcome: Outcome;

  constructor(added: string[], outcome: Outcome) {
    super(`prototype pollution: the input added ${added.join(", ")} (removed again); its own outcome was "${outcome.kind}"`);
    this.name = "PrototypePollutionError";
    this.outcome = outcome;
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
  // Once binding refuses regions larger than the machine's memory, such a region costs nothing.
  const memory = socketsOf(inputs.machine.topology) * inputs.machine.node.memory.size;
  const excess = budgetExcess(inputs.machine, inputs.workload, budget, bindRefusesOversizeRegions() ? { skipRegionsAbove: memory } : {});
  if (excess !== null) return { kind: "over-budget", excess };
  return classify(() => runSimulation(inputs.machine, inputs.workload, seed, workloadFile));
}

let refusesOversize: boolean | undefined;

/**
 * Whether bindWorkload refuses a region larger than the machine's memory (known gap
 * "region-beyond-memory"), found once by binding a 4 MiB region on a one-node, 1 MiB machine.
 */
export function bindRefusesOversizeRegions(): boolean {
  if (refusesOversize !== undefined) return refusesOversize;
  const machine = resolveConfig(
    {
      name: "probe",
      topology: { kind: "edges", nodes: 1, edges: [] },
      link: { widthBits: 16, clock: "1GHz", latency: "1ns" },
      node: {
        cores: 1,
        core: { clock: "1GHz", l1d: { size: "1KiB", assoc: 1, latencyCycles: 1 }, l2: { size: "2KiB", assoc: 1, latencyCycles: 1 }, requestLatency: "1ns" },
        memory: { kind: "simple", size: "1MiB", latency: "10ns", bandwidth: "1GB/s" },
        northbridge: { probeLatency: "1ns" },
      },
    },
    MachineSpec,
    "probe.yaml",
  );
  const workload = resolveConfig({ name: "probe", regions: [{ name: "big", size: "4MiB" }], threads: [{ core: 0, generator: "gups", region: "big", updates: 1 }] }, WorkloadSpec, "probe.yaml");
  try {
    bindWorkload(buildMachine(machine), workload, 1, "probe.yaml");
    refusesOversize = false;
  } catch (e) {
    refusesOversize = e instanceof ConfigError;
  }
  return refusesOversize;
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
