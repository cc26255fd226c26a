import { loadConfigFile } from "../../../src/config/load.ts";
import { MachineSpec } from "../../../src/config/machine-spec.ts";
import type { AgentSpec, RegionSpec, ThreadSpec, WorkloadSpec } from "../../../src/config/workload-spec.ts";
import { collectResults, prepareRun, type RunContext } from "../../../src/machine/run-simulation.ts";
import type { RunResult } from "../../../src/machine/run-simulation.ts";

/** A machine file with overrides. */
export function machine(file: string, ...sets: string[]): MachineSpec {
  return loadConfigFile(file, MachineSpec, { overrides: sets });
}

/** Runs with every invariant check on, as tests always do; returns the results and the context. */
export function runChecked(m: MachineSpec, w: WorkloadSpec, seed = 1): { r: RunResult; ctx: RunContext } {
  const ctx = prepareRun(m, w, seed, "test-workload", { check: true });
  ctx.machine.sim.run();
  return { r: collectResults(ctx, m, w, seed, 0), ctx };
}

/** A stat's value (a number, or a distribution's mean). */
export function stat(r: RunResult, key: string): number {
  const s = r.stats[key];
  if (s === undefined) throw new Error(`no statistic ${key}`);
  const v = s.value as number | { mean: number };
  return typeof v === "number" ? v : v.mean;
}

/** A workload of one thread on core 0. */
export function oneThread(thread: Partial<ThreadSpec> & { generator: ThreadSpec["generator"] }, regions: RegionSpec[]): WorkloadSpec {
  return { name: `t-${thread.generator}`, description: "", regions, threads: [{ core: 0, gapCycles: 0, startNs: 0, ...thread } as ThreadSpec] };
}

/** A workload of one GPU kernel over regions of the given sizes (r0, r1, ...). */
export function oneKernel(kernel: AgentSpec["kernel"], sizes: number[], memory: AgentSpec["memory"], extra: Partial<RegionSpec> = {}): WorkloadSpec {
  const regions: RegionSpec[] = sizes.map((size, i) => ({ name: `r${i}`, size, policy: { kind: "local" }, kind: "anon", device: true, ...extra }));
  return { name: `k-${kernel}`, description: "", regions, threads: [], agents: [{ kind: "gpu-kernel", device: "gpu0", kernel, arrays: regions.map((r) => r.name), memory, elementBytes: 4, repeat: 1, startNs: 0 }] };
}

export const KiB = 1024;
export const MiB = 1024 * 1024;
