import { loadConfigFile } from "../../src/config/load.ts";
import { MachineSpec } from "../../src/config/machine-spec.ts";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";

/** A machine file with overrides applied. */
export function machine(file: string, ...sets: string[]): MachineSpec {
  return loadConfigFile(file, MachineSpec, { overrides: sets });
}

/** Idle load-to-use latency (ns) from node 0, core 0 to memory bound to `node`. */
export function idleLatencyNs(m: MachineSpec, node: number, accesses = 1500): number {
  const w: WorkloadSpec = {
    name: "chase",
    description: "",
    regions: [{ name: "r", size: 8 << 20, policy: { kind: "bind", nodes: [node] }, kind: "anon" }],
    threads: [{ core: 0, generator: "pointer-chase", region: "r", stride: 64, accesses, order: "random", gapCycles: 0, startNs: 0 }],
  };
  return runSimulation(m, w, 1).threads[0].meanMissLatencyNs;
}

/** Time (ns) of AMD's synthetic test: one thread on node 0 touching each line of 2 MiB on `node`. */
export function amdTestNs(m: MachineSpec, mode: "read" | "write", node: number): number {
  const w: WorkloadSpec = {
    name: "amd",
    description: "",
    regions: [{ name: "r", size: 2 << 20, policy: { kind: "bind", nodes: [node] }, kind: "anon" }],
    threads: [{ core: 0, generator: mode === "read" ? "stream-read" : "stream-write", region: "r", elementBytes: 64, passes: 1, dependsOn: 2, gapCycles: 0, startNs: 0 }],
  };
  return runSimulation(m, w, 1).simulatedNs;
}
