import type { MachineSpec } from "../config/machine-spec.ts";
import type { WorkloadSpec } from "../config/workload-spec.ts";
import { runSimulation } from "./run-simulation.ts";

/** Bytes chased per measurement: well beyond any bundled machine's private caches. */
const CHASE_BYTES = 16 * 1024 * 1024;

/** Idle load-to-use latency of one dependent pointer chase from the first core of socket `from` through memory bound to node `to`, in ns. */
function idleChaseNs(spec: MachineSpec, from: number, to: number, accesses: number, seed: number): number {
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
  return runSimulation(spec, w, seed).threads[0].meanMissLatencyNs;
}

/**
 * Idle load-to-use latency from every node to every node's memory, in ns: a single dependent
 * pointer chase from the first core of `from` through a region bound to `to`, on an idle machine.
 */
export function idleLatencyMatrix(spec: MachineSpec, nodes: number, accesses = 4000, seed = 1): number[][] {
  return Array.from({ length: nodes }, (_, from) => Array.from({ length: nodes }, (_, to) => idleChaseNs(spec, from, to, accesses, seed)));
}

/** A NUMA node without CPUs: a memory-only node, or a device's memory. */
export interface CpulessNode {
  /** Node number (after the sockets: memory-only nodes first, then devices' memories). */
  node: number;
  kind: "memory-only" | "device";
  /** The socket that serves it, or the device hangs off. */
  attachTo: number;
  /** The device whose memory it is (device nodes only). */
  device?: string;
  bytes: number;
  /** The memory, as a person reads it: a DRAM preset, or "simple". */
  memory: string;
}

/** The CPU-less NUMA nodes of a machine with `sockets` sockets, in node order. */
export function cpulessNodes(spec: MachineSpec, sockets: number): CpulessNode[] {
  const memory = (m: MachineSpec["node"]["memory"]) => (m.kind === "dram" ? m.dram.preset : m.kind);
  const out: CpulessNode[] = spec.memoryNodes.map((mn, i) => ({ node: sockets + i, kind: "memory-only", attachTo: mn.attachTo, bytes: mn.memory.size, memory: memory(mn.memory) }));
  for (const d of spec.devices) {
    if (d.memory !== undefined) out.push({ node: sockets + out.length, kind: "device", attachTo: d.attachTo, device: d.name, bytes: d.memory.size, memory: `${d.memory.dram.preset}` });
  }
  return out;
}

/** Idle latency from the first core of every socket to memory bound to `node`, in ns (as idleLatencyMatrix measures). */
export function idleLatencyTo(spec: MachineSpec, sockets: number, node: number, accesses = 4000, seed = 1): number[] {
  return Array.from({ length: sockets }, (_, from) => idleChaseNs(spec, from, node, accesses, seed));
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
