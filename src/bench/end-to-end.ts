import { bundledMachine } from "../cli/bundled.ts";
import { loadConfigFile } from "../config/load.ts";
import { MachineSpec } from "../config/machine-spec.ts";
import type { ThreadSpec, WorkloadSpec } from "../config/workload-spec.ts";
import { runSimulation } from "../machine/run-simulation.ts";

/** Simulated memory accesses per second of wall time for one workload. */
interface E2eResult {
  accessesPerSec: number;
  accesses: number;
  events: number;
  wallSeconds: number;
}

function measure(m: MachineSpec, w: WorkloadSpec, repetitions: number): E2eResult {
  const results = Array.from({ length: repetitions }, () => {
    const r = runSimulation(m, w, 1);
    const accesses = r.threads.reduce((s, t) => s + t.loads + t.stores, 0);
    return { accesses, events: r.events, wallSeconds: r.wallSeconds, accessesPerSec: Math.round(accesses / r.wallSeconds) };
  });
  results.sort((a, b) => a.accessesPerSec - b.accessesPerSec);
  return results[results.length >> 1];
}

/** The bundled machine the end-to-end benchmark runs on, found beside the code so `hopsim bench` works from any folder. */
export const E2E_MACHINE = bundledMachine("opteron-4p.yaml");

/**
 * End-to-end speed on opteron-4p: STREAM triad on all eight cores and a single-thread pointer
 * chase beyond the caches, every access through the caches and, on a miss, the northbridges,
 * links, probes and memory controllers. Reports the median of three runs after a warm-up.
 */
export function endToEndBench(print: (line: string) => void, machineFile = E2E_MACHINE): Record<string, E2eResult> {
  const m = loadConfigFile(machineFile, MachineSpec);
  const cores = 4 * m.node.cores;
  const elements = 96 * 1024;
  const size = cores * elements * 8;
  const triad: WorkloadSpec = {
    name: "bench-triad",
    description: "",
    regions: ["a", "b", "c"].map((name) => ({ name, size, policy: { kind: "local" as const }, kind: "anon" as const, populate: false })),
    threads: Array.from(
      { length: cores },
      (_, i): ThreadSpec => ({ core: i, generator: "triad", a: "a", b: "b", c: "c", chunk: i, chunks: cores, elementBytes: 8, passes: 1, gapCycles: 2, startNs: 0 }),
    ),
  };
  const chase: WorkloadSpec = {
    name: "bench-chase",
    description: "",
    regions: [{ name: "chain", size: 32 * 1024 * 1024, policy: { kind: "local" }, kind: "anon", populate: false }],
    threads: [{ core: 0, generator: "pointer-chase", region: "chain", stride: 64, accesses: 200_000, order: "random", gapCycles: 0, startNs: 0 }],
  };
  // Warm-up: let V8 compile the access path.
  runSimulation(m, { ...triad, threads: triad.threads.slice(0, 2) }, 1);
  const out: Record<string, E2eResult> = { streamTriad: measure(m, triad, 3), pointerChase: measure(m, chase, 3) };
  for (const [k, r] of Object.entries(out)) {
    print(`end to end, ${k} on ${m.name}: ${(r.accessesPerSec / 1e6).toFixed(2)} M accesses/s (${r.accesses} accesses, ${r.events} events, ${r.wallSeconds.toFixed(2)} s)`);
  }
  return out;
}
