/**
 * A conservative estimate of what a validated run will cost before it is built: the typed-array
 * elements the machine and the workload allocate, the memory operations the threads issue, and an
 * upper bound on the simulated time. Tests that feed the simulator generated inputs check it first,
 * so an input the validator should have refused (a billion cores, a terabyte cache) is reported
 * as a finding instead of exhausting the test machine.
 */
import { socketsOf, type MachineSpec } from "../config/machine-spec.ts";
import type { ThreadSpec, WorkloadSpec } from "../config/workload-spec.ts";
import { MAX_TICK } from "../kernel/tick.ts";
import { resolveDramParams } from "../mem/dram/dram-spec.ts";

/** What a run would cost, estimated from its specs. */
export interface RunCost {
  /** Typed-array elements allocated at build and bind time (caches, miss registers, page maps, chase permutations). */
  typedArrayElements: number;
  /** Memory operations the threads will issue. */
  operations: number;
  /** An upper bound on the simulated time in ps, as if every operation ran alone at its slowest. */
  horizonPs: number;
}

/** Limits a run must stay within to be run inside a test. */
export interface RunBudget {
  typedArrayElements: number;
  operations: number;
  horizonPs: number;
}

/** Limits for a generated input run inside a unit test (well under a second, a few MB). */
export const TEST_BUDGET: RunBudget = { typedArrayElements: 2e7, operations: 2e5, horizonPs: MAX_TICK };

/** Memory operations one thread issues. */
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
  }
}

/** Estimates the cost of running `w` on `m` (see RunCost). */
export function runCost(m: MachineSpec, w: WorkloadSpec): RunCost {
  const nodes = socketsOf(m.topology);
  const cores = nodes * m.node.cores;
  const line = m.lineSize;
  const c = m.node.core;
  // Cache tags, states and LRU stamps; six arrays of miss registers, three each for the load window and store buffer.
  const perCore = 3 * (c.l1d.size / line + c.l2.size / line) + 6 * c.mshrs + 3 * c.loadWindow + 3 * c.storeBuffer;
  const perNode = 10 * m.node.northbridge.requestQueue + (m.node.l3 ? 3 * (m.node.l3.size / line) : 0);
  const sizes = new Map(w.regions.map((r) => [r.name, r.size] as const));
  const regionBytes = (name: string) => sizes.get(name) ?? 0;
  let elements = cores * perCore + nodes * perNode + 3 * (nodes + 2) ** 2;
  for (const r of w.regions) elements += 3 * Math.ceil(r.size / m.pageSize);
  let operations = 0;
  let maxGap = 0;
  let maxStartPs = 0;
  for (const t of w.threads) {
    operations += threadOperations(t, regionBytes);
    if (t.generator === "pointer-chase") elements += 2 * Math.max(1, Math.floor(Math.min(t.workingSet ?? regionBytes(t.region), regionBytes(t.region)) / t.stride));
    maxGap = Math.max(maxGap, t.gapCycles);
    maxStartPs = Math.max(maxStartPs, t.startNs * 1000);
  }
  // Slowest single operation: core cycles, the request path both ways, a route across every node
  // and back carrying the largest packet, probes, the directory and memory, all added up.
  const periodPs = Math.max(1, Math.round(1000 / c.clock));
  const linkBytesPerNs = (m.link.widthBits / 8) * m.link.clock * m.link.transfersPerClock;
  const packet = line + Math.max(m.packets.request, m.packets.probe, m.packets.probeResponse, m.packets.dataHeader, m.packets.done);
  const corePathPs = 2 * c.requestLatency + (2 * packet * 1000) / (c.requestBytesPerCycle * c.clock);
  const hopPs = m.link.latency + (packet * 1000) / linkBytesPerNs + (m.topology.kind === "crossbar" ? m.topology.switchLatency : 0);
  const memPs = memoryAccessBoundPs(m, packet);
  const perOpPs =
    periodPs * (maxGap + c.l1d.latencyCycles + c.l2.latencyCycles + (m.node.l3?.latencyCycles ?? 0) + 4) +
    corePathPs +
    4 * nodes * hopPs +
    2 * m.node.northbridge.probeLatency +
    m.directoryLatency +
    2 * memPs;
  // Every operation of every thread one after another, twice over (write-backs, refused sends).
  const horizonPs = maxStartPs + 2 * operations * perOpPs;
  return { typedArrayElements: elements, operations, horizonPs };
}

/** A generous bound on one memory access: every timing of the device added up (refresh included). */
function memoryAccessBoundPs(m: MachineSpec, packetBytes: number): number {
  const mem = m.node.memory;
  if (mem.kind === "simple") return mem.latency + mem.writeToRead + (packetBytes * 1000) / (mem.bandwidth * mem.efficiency);
  const p = resolveDramParams(mem.dram);
  let cycles = p.burstLength;
  for (const k of ["tCL", "tCWL", "tRCD", "tRP", "tRAS", "tRC", "tCCD_L", "tRRD_L", "tFAW", "tWTR_L", "tWR", "tRTP", "tRTRS", "tRFC", "tRFCpb"] as const) cycles += p[k];
  return cycles * p.tCKps;
}

/** Why running `w` on `m` would exceed `budget`, or null when it fits. */
export function overBudget(m: MachineSpec, w: WorkloadSpec, budget: RunBudget = TEST_BUDGET): string | null {
  const cost = runCost(m, w);
  const reasons: string[] = [];
  if (!(cost.typedArrayElements <= budget.typedArrayElements)) reasons.push(`allocates about ${cost.typedArrayElements.toExponential(2)} array elements`);
  if (!(cost.operations <= budget.operations)) reasons.push(`issues ${cost.operations.toExponential(2)} memory operations`);
  if (!(cost.horizonPs < budget.horizonPs)) reasons.push(`may run ${cost.horizonPs.toExponential(2)} ps of simulated time (the kernel stops at ${budget.horizonPs.toExponential(2)})`);
  return reasons.length > 0 ? reasons.join("; ") : null;
}
