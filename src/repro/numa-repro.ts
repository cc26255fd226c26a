import type { MachineSpec } from "../config/machine-spec.ts";
import type { ThreadSpec, WorkloadSpec } from "../config/workload-spec.ts";
import { runSimulation, type RunResult } from "../machine/run-simulation.ts";

/** One row of the reproduction table: a published ratio and the simulated one. */
export interface ReproRow {
  id: string;
  description: string;
  /** Published value (relative to the row's baseline). */
  published: number;
  simulated: number;
  /** Allowed deviation in percentage points (or a band for BW_WRITE_DRAM). */
  tolerancePp: number;
  /** Inclusive band when the publication gives a range instead of a value. */
  band?: [number, number];
  /** The absolute figures the ratio comes from, as a person reads them (e.g. "48.4 ns/line"). */
  basis: string;
}

/** One placement comparison: a workload under a NUMA policy. */
export interface PlacementRow {
  workload: string;
  policy: string;
  threads: number;
  timeNs: number;
  bandwidthGBs: number;
  remoteShare: number;
}

/** The memory traffic one of AMD's test threads drives at its local node: published and simulated, GB/s. */
export interface TestLoad {
  mode: "read" | "write";
  publishedGBs: number;
  simulatedGBs: number;
}

/** The whole reproduction. */
export interface NumaRepro {
  machine: string;
  rows: ReproRow[];
  /** The absolute load behind rows R0 and W0, against AMD's own figures for it. */
  testLoad: TestLoad[];
  placement: PlacementRow[];
}

/**
 * Memory traffic of one test thread on its own node (40555 p. 31): 1.64 GB/s reading; 2.98 GB/s
 * writing, as each line written is read for ownership and later evicted dirty.
 */
const PUBLISHED_TEST_LOAD_GBS = { read: 1.64, write: 2.98 } as const;

/** Working set of the AMD synthetic test here: 8 MiB, eight times the L2 (AMD used 64 MB). */
const TEST_BYTES = 8 * 1024 * 1024;

function workload(name: string, regions: WorkloadSpec["regions"], threads: ThreadSpec[]): WorkloadSpec {
  return { name, description: "", regions, threads };
}

function bindRegion(name: string, size: number, node: number): WorkloadSpec["regions"][number] {
  return { name, size, policy: { kind: "bind", nodes: [node] }, kind: "anon" };
}

/**
 * AMD pub. 40555's synthetic test: one thread on node 0, core 0, reading or writing one word per
 * 64-byte line of an array on node `node`. The test sustains 1.64 GB/s of reads on one thread
 * (40555, p. 31), which at this machine's local latency is about two lines in flight: each access
 * waits for the one two before it.
 */
function amdTest(m: MachineSpec, mode: "read" | "write", node: number): RunResult {
  const w = workload(`amd-${mode}-${node}`, [bindRegion("array", TEST_BYTES, node)], [
    {
      core: { node: 0, core: 0 },
      generator: mode === "read" ? "stream-read" : "stream-write",
      region: "array",
      elementBytes: m.lineSize,
      passes: 1,
      dependsOn: 2,
      gapCycles: 0,
      startNs: 0,
    },
  ]);
  return runSimulation(m, w, 1);
}

/**
 * Drepper's fig. 5.4 experiment (the section 3.5.1 bandwidth test, multi-threaded): every core
 * of node 0 streams 8-byte words sequentially through its own part of a working set on node
 * `node` (cold, one pass), reading or writing; returns the total bytes per ns.
 */
export function streamBandwidth(m: MachineSpec, mode: "read" | "write", node: number, bytes: number): number {
  const cores = m.node.cores;
  const part = Math.floor(bytes / cores);
  const regions = Array.from({ length: cores }, (_, i) => bindRegion(`buf${i}`, part, node));
  const threads: ThreadSpec[] = Array.from({ length: cores }, (_, i) => ({
    core: { node: 0, core: i },
    generator: mode === "read" ? "stream-read" : "stream-write",
    region: `buf${i}`,
    elementBytes: 8,
    passes: 1,
    dependsOn: 0,
    gapCycles: 0,
    startNs: 0,
  }));
  const r = runSimulation(m, workload(`bw-${mode}-${node}`, regions, threads), 1);
  return (part * cores) / r.simulatedNs;
}

/** STREAM triad on every core, arrays placed by `policy`; returns the placement row. */
function triadAll(m: MachineSpec, nodes: number, policy: "local" | "interleave", elementsPerThread: number): PlacementRow {
  const threads = nodes * m.node.cores;
  const bytes = threads * elementsPerThread * 8;
  const regions = ["a", "b", "c"].map((name) => ({ name, size: bytes, policy: { kind: policy } as const, kind: "anon" as const }));
  const ts: ThreadSpec[] = Array.from({ length: threads }, (_, i) => ({
    core: i,
    generator: "triad" as const,
    a: "a",
    b: "b",
    c: "c",
    chunk: i,
    chunks: threads,
    elementBytes: 8,
    passes: 1,
    gapCycles: 2,
    startNs: 0,
  }));
  const r = runSimulation(m, workload(`triad-${policy}`, regions, ts), 1);
  const remote = sum(r.threads.map((t) => t.remoteShare * (t.loads + t.stores))) / sum(r.threads.map((t) => t.loads + t.stores));
  // STREAM counts 24 bytes per element (two reads, one write).
  return { workload: "stream-triad", policy: policyName(policy), threads, timeNs: r.simulatedNs, bandwidthGBs: (bytes * 3) / r.simulatedNs, remoteShare: remote };
}

/** A single-thread pointer chase from node 0 through 16 MiB placed by `policy`. */
function chase(m: MachineSpec, policy: "local" | "interleave", accesses: number): PlacementRow {
  const w = workload(`chase-${policy}`, [{ name: "chain", size: 16 * 1024 * 1024, policy: { kind: policy }, kind: "anon" }], [
    { core: 0, generator: "pointer-chase", region: "chain", stride: m.lineSize, accesses, order: "random", gapCycles: 0, startNs: 0 },
  ]);
  const r = runSimulation(m, w, 1);
  const t = r.threads[0];
  return { workload: "pointer-chase", policy: policyName(policy), threads: 1, timeNs: r.simulatedNs, bandwidthGBs: (accesses * m.lineSize) / r.simulatedNs, remoteShare: t.remoteShare };
}

function policyName(p: "local" | "interleave"): string {
  return p === "local" ? "local (first touch)" : "interleave (striped)";
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** Options of the reproduction. */
export interface NumaReproOptions {
  /** Elements per thread for STREAM triad. */
  triadElementsPerThread: number;
  /** Loads of the placement pointer chase. */
  chaseAccesses: number;
  /** Called with a line of progress. */
  progress?: (line: string) => void;
}

/**
 * Reproduces the remote-access costs of Drepper, "What Every Programmer Should Know About Memory"
 * (2007) §5.4, figs. 5.2-5.4, on a machine: AMD's read and write times from node 0 to every node
 * (AMD pub. 40555, figs. 4-5), Drepper's remote/local bandwidth ratios, and striped vs local
 * placement.
 */
export function reproduceNuma(m: MachineSpec, nodes: number, o: NumaReproOptions): NumaRepro {
  const say = o.progress ?? (() => {});
  const rows: ReproRow[] = [];
  const hopNodes: [string, number][] = [
    ["0", 0],
    ["1", 1],
    ["1b", 2],
    ["2", 3],
  ];
  const published = { R0: 1.0, R1: 1.08, R1b: 1.09, R2: 1.3, W0: 1.13, W1: 1.27, W1b: 1.29, W2: 1.49 } as Record<string, number>;
  say("AMD synthetic test: reads and writes from node 0 to nodes 0-3");
  const times = new Map<string, number>();
  const testLoad: TestLoad[] = [];
  const lines = TEST_BYTES / m.lineSize;
  for (const mode of ["read", "write"] as const) {
    for (const [label, node] of hopNodes) {
      if (node >= nodes) continue;
      const r = amdTest(m, mode, node);
      times.set(`${mode === "read" ? "R" : "W"}${label}`, r.simulatedNs);
      if (node === 0) testLoad.push({ mode, publishedGBs: PUBLISHED_TEST_LOAD_GBS[mode], simulatedGBs: (r.stats["node0.mc.bandwidthGBs"]?.value as number | undefined) ?? Number.NaN });
    }
  }
  const r0 = times.get("R0") as number;
  for (const [id, t] of times) {
    const hop = id.slice(1).replace("b", "");
    rows.push({
      id,
      description: `${id.startsWith("R") ? "read" : "write"} time, ${hop} hop${hop === "1" ? "" : "s"} (node ${hopNodes.find(([l]) => l === id.slice(1))?.[1]}), relative to a 0-hop read`,
      published: published[id],
      simulated: t / r0,
      tolerancePp: 2,
      basis: `${(t / lines).toFixed(1)} ns/line`,
    });
  }
  say("fig. 5.4: remote (1 hop) over local bandwidth");
  const big = 8 * 1024 * 1024;
  const inCache = Math.floor(m.node.core.l2.size / 2);
  const bwRow = (id: string, description: string, mode: "read" | "write", bytes: number, band?: [number, number]): ReproRow => {
    const remote = streamBandwidth(m, mode, 1, bytes);
    const local = streamBandwidth(m, mode, 0, bytes);
    return { id, description, published: band ? 1.0 : 0.8, simulated: remote / local, tolerancePp: 3, band, basis: `${remote.toFixed(2)} / ${local.toFixed(2)} GB/s` };
  };
  rows.push(bwRow("BW_READ", "sequential read bandwidth beyond the cache, remote / local", "read", big));
  rows.push(bwRow("BW_WRITE_CACHE", "write bandwidth, working set in cache, remote / local", "write", inCache));
  rows.push(bwRow("BW_WRITE_DRAM", "write bandwidth beyond the cache, remote / local", "write", big, [0.94, 1.03]));
  say("placement: striped vs local");
  const placement: PlacementRow[] = [];
  for (const p of ["local", "interleave"] as const) placement.push(triadAll(m, nodes, p, o.triadElementsPerThread));
  for (const p of ["local", "interleave"] as const) placement.push(chase(m, p, o.chaseAccesses));
  return { machine: m.name, rows, testLoad, placement };
}

/** True when a row's simulated value is within its tolerance (or band). */
export function rowWithin(r: ReproRow): boolean {
  if (r.band) return r.simulated >= r.band[0] && r.simulated <= r.band[1];
  return Math.abs(r.simulated - r.published) * 100 <= r.tolerancePp + 1e-9;
}
