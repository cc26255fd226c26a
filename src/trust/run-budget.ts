/**
 * A conservative estimate of what a validated run will cost before it is built: the typed-array
 * elements the machine and the workload allocate and the memory operations the threads issue.
 * Tests that feed the simulator generated inputs check it first, so an input the validator should
 * have refused (a billion cores, a terabyte cache) is reported as a finding instead of exhausting
 * the test machine. Simulated time is not limited: a run with few events is quick however far
 * apart they are, and one that passes the kernel's tick range must end in a readable error.
 */
import { socketsOf, type MachineSpec } from "../config/machine-spec.ts";
import type { ThreadSpec, WorkloadSpec } from "../config/workload-spec.ts";
import { resolveDramParams } from "../mem/dram/dram-spec.ts";

/** What a run would cost, estimated from its specs. */
export interface RunCost {
  /** Typed-array elements allocated at build and bind time (caches, miss registers, page maps, chase permutations). */
  typedArrayElements: number;
  /** Memory operations the threads will issue. */
  operations: number;
}

/** Limits a run must stay within to be run inside a test. */
export interface RunBudget {
  typedArrayElements: number;
  operations: number;
}

/** Limits for a generated input run inside a unit test (well under a second, a few MB). */
export const TEST_BUDGET: RunBudget = { typedArrayElements: 2e7, operations: 2e5 };

/**
 * Array elements no valid input should need (8 GB of doubles): more means the validator let
 * through a size or count no machine can be simulated with, not merely a big one.
 */
export const ABSURD_ELEMENTS = 1e9;

/** Memory operations one thread issues, given the mapped size of each region (whole pages). */
export function threadOperations(t: ThreadSpec, regionBytes: (name: string) => number): number {
  const ws = (name: string, requested: number | undefined) => Math.min(requested ?? regionBytes(name), regionBytes(name));
  switch (t.generator) {
    case "pointer-chase":
      return t.accesses;
    case "stream-read":
    case "stream-write":
      return Math.max(1, Math.floor(ws(t.region, t.workingSet) / t.elementBytes)) * t.passes;
    case "stream-copy":
      return 2 * Math.max(1, Math.floor(Math.min(ws(t.src, t.workingSet), ws(t.dst, t.workingSet)) / t.elementBytes)) * t.passes;
    case "triad": {
      const elements = Math.floor(Math.min(regionBytes(t.a), regionBytes(t.b), regionBytes(t.c)) / t.elementBytes);
      return 3 * Math.floor(elements / t.chunks) * t.passes;
    }
    case "gups":
      return 2 * t.updates;
    case "dma-driver": {
      // Writing and flushing the buffer line by line, plus a few dozen register accesses per copy.
      const lines = Math.ceil((t.bytes ?? regionBytes(t.region)) / 64);
      return t.iterations * (2 * lines + 64);
    }
    case "mmio-poll":
    case "ping-pong":
      return t.iterations * 64;
  }
}

/** Options of runCost. */
export interface RunCostOptions {
  /** Leave out regions larger than this many bytes (binding refuses them before mapping them). */
  skipRegionsAbove?: number;
}

/** Estimates the cost of running `w` on `m` (see RunCost). */
export function runCost(m: MachineSpec, w: WorkloadSpec, opts: RunCostOptions = {}): RunCost {
  const nodes = socketsOf(m.topology);
  const cores = nodes * m.node.cores;
  const line = m.lineSize;
  const c = m.node.core;
  // Cache tags, states and LRU stamps; six arrays of miss registers, three each for the load window and store buffer.
  const perCore = 3 * (c.l1d.size / line + c.l2.size / line) + 6 * c.mshrs + 3 * c.loadWindow + 3 * c.storeBuffer + tlbElements(m);
  const perNode = 10 * m.node.northbridge.requestQueue + (m.node.l3 ? 3 * (m.node.l3.size / line) : 0);
  // Regions are mapped in whole pages, and generators see the mapped size.
  const sizes = new Map(w.regions.map((r) => [r.name, Math.ceil(r.size / m.pageSize) * m.pageSize] as const));
  const regionBytes = (name: string) => sizes.get(name) ?? 0;
  let elements = cores * perCore + nodes * (perNode + memoryElements(m)) + 3 * (nodes + 2) ** 2;
  const skipped = new Set(w.regions.filter((r) => opts.skipRegionsAbove !== undefined && r.size > opts.skipRegionsAbove).map((r) => r.name));
  for (const r of w.regions) if (!skipped.has(r.name)) elements += 3 * Math.ceil(r.size / m.pageSize);
  let operations = 0;
  for (const t of w.threads) {
    const uses = [t.generator === "stream-copy" ? [t.src, t.dst] : t.generator === "triad" ? [t.a, t.b, t.c] : t.generator === "mmio-poll" ? [] : [t.region]].flat();
    if (uses.some((name) => skipped.has(name))) continue;
    operations += threadOperations(t, regionBytes);
    if (t.generator === "pointer-chase") elements += 2 * Math.max(1, Math.floor(Math.min(t.workingSet ?? regionBytes(t.region), regionBytes(t.region)) / t.stride));
  }
  elements += deviceElements(m);
  // Simulated time also costs events where memory refreshes while threads wait between accesses:
  // each bank-level channel refreshes every tREFI whether or not it is used.
  const refreshPerPs = refreshEventsPerPs(m);
  if (refreshPerPs > 0) {
    const periodPs = 1000 / c.clock;
    let longestPs = 0;
    for (const t of w.threads) longestPs = Math.max(longestPs, threadOperations(t, regionBytes) * t.gapCycles * periodPs);
    operations += longestPs * refreshPerPs;
  }
  for (const a of w.agents ?? []) {
    // A kernel touches each of its arrays once per element (about one operation per 4-byte lane).
    const bytes = a.arrays.reduce((s, name) => s + regionBytes(name), 0);
    operations += Math.ceil(bytes / a.elementBytes / 16) * a.repeat;
  }
  return { typedArrayElements: elements, operations };
}

/** Refresh commands per ps of simulated time, over every bank-level memory of the machine. */
function refreshEventsPerPs(m: MachineSpec): number {
  const mems = [m.node.memory, ...m.memoryNodes.map((n) => n.memory)];
  let rate = 0;
  const nodes = socketsOf(m.topology);
  mems.forEach((mem, i) => {
    if (mem.kind !== "dram") return;
    rate += ((i === 0 ? nodes : 1) * refreshRate(mem.dram)) || 0;
  });
  for (const d of m.devices) {
    if (d.memory === undefined) continue;
    rate += refreshRate(d.memory.dram);
  }
  return rate;
}

/** Refresh commands per ps of one bank-level memory (0 for media without refresh). */
function refreshRate(spec: Parameters<typeof resolveDramParams>[0]): number {
  const p = resolveDramParams(spec);
  const interval = p.tREFIpb > 0 ? p.tREFIpb * p.tCKps : p.tREFI * p.tCKps;
  return interval > 0 ? (p.channels * p.ranks) / interval : 0;
}

/** Typed-array elements of one core's TLBs, page-walk caches and nested TLB (three arrays per table). */
function tlbElements(m: MachineSpec): number {
  const t = m.node.core.tlb;
  const levels = [t.l1, t.l2, ...(t.itlb ? [t.itlb] : [])];
  const entries = levels.reduce((n, l) => n + l.arrays.reduce((k, a) => k + a.entries, 0), 0);
  return 3 * (entries + 2 * (t.pwc.l4 + t.pwc.l3 + t.pwc.l2) + t.nestedTlb);
}

/** Typed-array elements of the devices: GPU caches, TLBs and miss registers, device DRAM, router slots. */
function deviceElements(m: MachineSpec): number {
  let n = 0;
  n += 3 * (m.iommu.iotlb.entries + m.iommu.pwc.l4 + m.iommu.pwc.l3 + m.iommu.pwc.l2);
  for (const d of m.devices) {
    n += 4 * 4096 + 8 * d.dma.outstanding;
    const g = d.gpu;
    if (g !== undefined) {
      n += 3 * g.computeUnits * (g.l1.size / m.lineSize + g.l1.mshrs + g.l1Tlb.entries) + 3 * (g.l2.size / m.lineSize + g.l2.mshrs * g.l2.banks + g.l2Tlb.entries);
      n += 8 * g.computeUnits * g.wavefrontSlots;
    }
    if (d.memory !== undefined) n += dramElements(d.memory.dram);
  }
  return n;
}

/** Typed-array elements of one node's memory controller (a DRAM keeps a dozen arrays per bank, per channel). */
function memoryElements(m: MachineSpec): number {
  const mem = m.node.memory;
  return mem.kind === "simple" ? 0 : dramElements(mem.dram);
}

/** Typed-array elements of a bank-level memory. */
function dramElements(spec: Parameters<typeof resolveDramParams>[0]): number {
  const p = resolveDramParams(spec);
  return p.channels * (12 * p.ranks * p.bankGroups * p.banksPerGroup + 4 * p.ranks + 64);
}

/** Which limits of a budget a run would exceed, each with a sentence saying by how much. */
export interface BudgetExcess {
  /** Arrays too large for a test: legal, just big. */
  allocation?: string;
  /** Arrays beyond ABSURD_ELEMENTS: the validator let through a size or count no machine can be built with. */
  absurd?: string;
  /** More memory operations than a test should run: legal, just long. */
  operations?: string;
}

/** The limits of `budget` that running `w` on `m` would exceed, or null when it fits. */
export function budgetExcess(m: MachineSpec, w: WorkloadSpec, budget: RunBudget = TEST_BUDGET, opts: RunCostOptions = {}): BudgetExcess | null {
  const cost = runCost(m, w, opts);
  const out: BudgetExcess = {};
  if (!(cost.typedArrayElements <= budget.typedArrayElements)) out.allocation = `allocates about ${cost.typedArrayElements.toExponential(2)} array elements`;
  if (!(cost.typedArrayElements <= ABSURD_ELEMENTS)) out.absurd = out.allocation;
  if (!(cost.operations <= budget.operations)) out.operations = `issues ${cost.operations.toExponential(2)} memory operations`;
  return Object.keys(out).length > 0 ? out : null;
}

/** Why running `w` on `m` would exceed `budget`, or null when it fits. */
export function overBudget(m: MachineSpec, w: WorkloadSpec, budget: RunBudget = TEST_BUDGET, opts: RunCostOptions = {}): string | null {
  const e = budgetExcess(m, w, budget, opts);
  return e === null ? null : [e.allocation, e.operations].filter((x) => x !== undefined).join("; ");
}
