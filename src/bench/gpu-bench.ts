import { bundledMachine } from "../cli/bundled.ts";
import { loadConfigFile } from "../config/load.ts";
import { MachineSpec } from "../config/machine-spec.ts";
import type { WorkloadSpec } from "../config/workload-spec.ts";
import { runSimulation } from "../machine/run-simulation.ts";

/** Simulated GPU line requests per second of wall time, and events per second. */
export interface GpuBenchResult {
  linesPerSec: number;
  eventsPerSec: number;
  lines: number;
  events: number;
  wallSeconds: number;
}

/** The bundled machine the GPU benchmark runs on, found beside the code so `hopsim bench` works from any folder. */
export const GPU_BENCH_MACHINE = bundledMachine("gpu-node.yaml");

/**
 * End-to-end speed of the device path on gpu-node: a vector add over 3 x 8 MiB in HBM (every
 * line through the coalescer, the TLBs, L1, L2, the router and the DRAM channels). Median of three
 * runs after a warm-up.
 */
export function gpuBench(print: (line: string) => void, machineFile = GPU_BENCH_MACHINE): GpuBenchResult {
  const m = loadConfigFile(machineFile, MachineSpec);
  const w = (mib: number): WorkloadSpec => ({
    name: "bench-gpu",
    description: "",
    regions: ["a", "b", "c"].map((name) => ({ name, size: mib * 2 ** 20, policy: { kind: "local" as const }, kind: "anon" })),
    threads: [],
    agents: [{ kind: "gpu-kernel", device: m.devices[0].name, kernel: "vector-add", arrays: ["a", "b", "c"], memory: "device", elementBytes: 4, repeat: 1, startNs: 0 }],
  });
  runSimulation(m, w(1), 1);
  const runs = Array.from({ length: 3 }, () => {
    const r = runSimulation(m, w(8), 1);
    const lines = r.stats[`${m.devices[0].name}.gpu.lineRequests`].value as number;
    return { lines, events: r.events, wallSeconds: r.wallSeconds, linesPerSec: Math.round(lines / r.wallSeconds), eventsPerSec: Math.round(r.events / r.wallSeconds) };
  }).sort((a, b) => a.linesPerSec - b.linesPerSec);
  const r = runs[1];
  print(`end to end, GPU vector add on ${m.name}: ${(r.linesPerSec / 1e6).toFixed(2)} M lines/s, ${(r.eventsPerSec / 1e6).toFixed(2)} M events/s (${r.lines} lines, ${r.events} events, ${r.wallSeconds.toFixed(2)} s)`);
  return r;
}
