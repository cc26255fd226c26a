import type { MachineSpec } from "../config/machine-spec.ts";
import type { WorkloadSpec } from "../config/workload-spec.ts";
import { runSimulation } from "./run-simulation.ts";

/** Bytes chased per measurement: well beyond any bundled machine's private caches. */
const CHASE_BYTES = 16 * 1024 * 1024;

/**
 * Idle load-to-use latency from every node to every node's memory, in ns: a single dependent
 * pointer chase from the first core of `from` through a region bound to `to`, on an idle machine.
 */
export function idleLatencyMatrix(spec: MachineSpec, nodes: number, accesses = 4000, seed = 1): number[][] {
  const out: number[][] = [];
  for (let from = 0; from < nodes; from++) {
    const row: number[] = [];
    for (let to = 0; to < nodes; to++) {
      const w: WorkloadSpec = {
        name: `idle-${from}-${to}`,
        description: "",
        regions: [{ name: "chase", size: CHASE_BYTES, policy: { kind: "bind", nodes: [to] }, kind: "anon" }],
        threads: [
          {
            core: { node: from, core: 0 },
            generator: "pointer-chase",
            region: "chase",
            stride: spec.lineSize,
            accesses,
            order: "random",
            gapCycles: 0,
            startNs: 0,
          },
        ],
      };
      const r = runSimulation(spec, w, seed);
      row.push(r.threads[0].meanMissLatencyNs);
    }
    out.push(row);
  }
  return out;
}

/** Distances as Linux would show them if the firmware measured: 10 x latency / local latency. */
export function measuredDistances(latencyNs: number[][]): number[][] {
  return latencyNs.map((row, i) => row.map((l) => Math.round((10 * l) / row[i])));
}

/** The distances the firmware declares: from the machine file, or 10 local and 20 remote. */
export function declaredDistances(spec: MachineSpec, nodes: number): number[][] {
  if (spec.distances !== undefined) return spec.distances;
  return Array.from({ length: nodes }, (_, i) => Array.from({ length: nodes }, (_, j) => (i === j ? 10 : 20)));
}
