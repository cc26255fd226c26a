import { ConfigError, type ConfigProblem } from "../config/errors.ts";
import type { ThreadSpec, WorkloadSpec } from "../config/workload-spec.ts";
import type { ThreadProgram } from "../cpu/mem-op.ts";
import { RngStream } from "../kernel/rng.ts";
import { AddressSpace, type Region, type RegionKind } from "../vm/address-space.ts";
import type { NumaPolicy } from "../vm/numa-policy.ts";
import { X86_4M, X86_64, X86_64_5LEVEL } from "../vm/page-table.ts";
import { Paging } from "../vm/paging.ts";
import { Gups } from "../workload/gups.ts";
import { PointerChase } from "../workload/pointer-chase.ts";
import { Stream } from "../workload/stream.ts";
import { Triad } from "../workload/triad.ts";
import { DmaDriver } from "../workload/dma-driver.ts";
import { MmioPoll } from "../workload/mmio-poll.ts";
import { PingPong } from "../workload/ping-pong.ts";
import type { DeviceHandle } from "../accel/device-handle.ts";
import type { Machine } from "./build-machine.ts";

/** A thread placed on a core, with the program it runs. */
export interface BoundThread {
  /** Index in the workload file. */
  index: number;
  /** Global core index. */
  core: number;
  /** Node of the core. */
  node: number;
  program: ThreadProgram;
  /** Regions the thread touches, by role. */
  regions: Region[];
  /** Start tick. */
  startPs: number;
  /** The thread's code region and how it fetches through it, if it has one. */
  code: { startVa: number; bytes: number; bytesPerAccess: number; jumpEvery: number } | null;
}

/** The workload's process on a machine: its address space and threads. */
export interface BoundWorkload {
  space: AddressSpace;
  /** The process's page tables, when the machine times address translation; else null. */
  paging: Paging | null;
  threads: BoundThread[];
}

/**
 * Maps the workload's regions into one address space and places its threads on cores. Problems
 * (a core or node that does not exist, two threads on one core, a working set larger than its
 * region) are reported together as a ConfigError naming the workload file and field.
 */
export function bindWorkload(m: Machine, w: WorkloadSpec, seed: number, file: string): BoundWorkload {
  const nodes = m.nodes.length;
  const perNode = m.spec.node.cores;
  const problems: ConfigProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ file, path, message });
  const space = new AddressSpace(m.frames, m.osHops, m.homeMap.interleaveBase);
  const hugeBytes = 2 ** 21;
  const pool = m.spec.os.hugePages2M > 0 ? space.reserveHugePages(m.spec.os.hugePages2M, hugeBytes) : [];
  const paging = makePaging(m, w, space);
  const aslr = w.aslr === true ? new RngStream(seed, "aslr") : null;
  const regions = new Map<string, Region>();
  const unmappable = checkRegions(m, w, pool, problem);
  w.regions.forEach((r, i) => {
    if (unmappable.has(i)) return;
    // ASLR: each region at a random 2 MiB-aligned base in a 64 TiB range.
    if (aslr !== null) {
      const span = Math.max(r.size, r.pageSize ?? 0) + 2 ** 31;
      let base: number;
      do base = Math.floor(aslr.next() * 2 ** 25) * 2 ** 21;
      while (space.regions.some((x) => base < x.end + 2 ** 30 && x.start < base + span));
      space.setNextVa(base);
    }
    const policy = r.policy as NumaPolicy;
    const leafBytes = r.pageSize ?? m.spec.pageSize;
    if (leafBytes < m.spec.pageSize) problem(`regions[${i}].pageSize`, `${leafBytes}-byte pages are smaller than the machine's ${m.spec.pageSize}-byte base page`);
    if (paging !== null && paging.table.levelOfShift(Math.log2(leafBytes)) < 0) problem(`regions[${i}].pageSize`, `the machine's ${paging.table.layout.name} page tables have no ${leafBytes}-byte pages`);
    regions.set(r.name, space.map(r.name, r.kind as RegionKind, r.size, policy, r.pageSize ?? m.spec.pageSize));
  });
  if (paging !== null && w.guest !== undefined && paging.table.levelOfShift(Math.log2(w.guest.hostPageSize)) < 0) problem("guest.hostPageSize", `the machine's ${paging.table.layout.name} page tables have no ${w.guest.hostPageSize}-byte pages`);
  const used = new Map<number, number>();
  const threads: BoundThread[] = [];
  w.threads.forEach((t, i) => {
    let core: number;
    if (typeof t.core === "number") {
      core = t.core;
      if (core >= m.cores.length) {
        problem(`threads[${i}].core`, `core ${core} does not exist (the machine has cores 0-${m.cores.length - 1})`);
        return;
      }
    } else {
      if (t.core.node >= nodes) {
        problem(`threads[${i}].core.node`, `node ${t.core.node} does not exist (the machine has nodes 0-${nodes - 1})`);
        return;
      }
      if (t.core.core >= perNode) {
        problem(`threads[${i}].core.core`, `core ${t.core.core} does not exist on a node (each node has cores 0-${perNode - 1})`);
        return;
      }
      core = t.core.node * perNode + t.core.core;
    }
    const other = used.get(core);
    if (other !== undefined) {
      problem(`threads[${i}].core`, `core ${core} already runs threads[${other}]`);
      return;
    }
    used.set(core, i);
    // A thread on a region that could not be mapped is checked for its placement only.
    if (regionNamesOf(t).some((name) => !regions.has(name))) return;
    const rng = new RngStream(seed, `thread${i}`);
    const program = makeProgram(t, regions, rng, m, (path, msg) => problem(`threads[${i}].${path}`, msg));
    if (program === null) return;
    const roles = dataRegionNamesOf(t).map((name) => regions.get(name) as Region);
    const codeRegion = t.code === undefined ? undefined : regions.get(t.code.region);
    const code = t.code === undefined || codeRegion === undefined ? null : { startVa: codeRegion.start, bytes: codeRegion.sizeBytes, bytesPerAccess: t.code.bytesPerAccess, jumpEvery: t.code.jumpEvery };
    if (codeRegion !== undefined) roles.push(codeRegion);
    threads.push({ index: i, core, node: Math.floor(core / perNode), program, regions: roles, startPs: Math.round(t.startNs * 1000), code });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  w.regions.forEach((r) => {
    if (r.populate !== true) return;
    const region = regions.get(r.name) as Region;
    const user = threads.find((t) => t.regions.includes(region));
    space.populate(region, user?.node ?? 0);
  });
  // Mapping at load time (MAP_POPULATE) is not charged to any core.
  if (paging !== null) paging.pendingPenaltyPs = 0;
  return { space, threads, paging };
}

/** The process's page tables when the cores time translation (native, or in a guest). */
function makePaging(m: Machine, w: WorkloadSpec, space: AddressSpace): Paging | null {
  if (!m.spec.node.core.tlb.enabled) return null;
  const firstCore = w.threads[0]?.core;
  const rootNode = typeof firstCore === "number" ? Math.floor(firstCore / m.spec.node.cores) : (firstCore?.node ?? 0);
  const paging = new Paging(m.stats, "process", m.frames, {
    mode: w.guest?.paging ?? "native",
    layout: { "x86-64": X86_64, "x86-64-5level": X86_64_5LEVEL, "x86-4M": X86_4M }[m.spec.os.pageTables.layout],
    placement: m.spec.os.pageTables.placement,
    hostPageShift: Math.log2(w.guest?.hostPageSize ?? 4096),
    vmExitPs: m.coreClock.cyclesToTicks(m.spec.os.vmExitCycles),
    vpid: w.guest?.vpid ?? true,
    hypervisor: w.guest?.hypervisor ?? "kvm",
    faultPs: m.coreClock.cyclesToTicks(m.spec.os.pageFaultCycles),
    shootdownPs: m.spec.os.tlbShootdown,
    replicate: m.spec.os.pageTables.replicate,
  }, Math.min(rootNode, m.nodes.length - 1));
  space.listener = paging;
  return paging;
}

/**
 * Checks the workload's regions against the machine's memory, reporting through `problem` every
 * policy node that does not exist and every region larger than the memory its policy allows (or
 * than a region's page map may be); returns the indices of the regions too large to be mapped.
 */
function checkRegions(m: Machine, w: WorkloadSpec, pool: readonly number[], problem: (path: string, message: string) => void): Set<number> {
  const memNodes = m.memoryNodeCount;
  const hugeBytes = 2 ** 21;
  const unmappable = new Set<number>();
  // Memory each region may use, by its policy: bind and interleave with a node list keep to those
  // nodes; the others fall back to any node. The huge-page pool, reserved at boot, backs only
  // regions of 2 MiB pages. Regions beyond it are refused before any is mapped.
  const freeBytes = (n: number) => m.frames.free(n) * m.frames.pageBytes;
  const poolBytes = (n: number) => (pool[n] ?? 0) * hugeBytes;
  const allNodes = Array.from({ length: memNodes }, (_, n) => n);
  const pooled = pool.some((c) => c > 0);
  let smallBytes = 0;
  let totalBytes = 0;
  let nodesMissing = false;
  w.regions.forEach((r, i) => {
    const p = r.policy as NumaPolicy;
    const page = Math.max(r.pageSize ?? m.spec.pageSize, m.spec.pageSize);
    const bytes = Math.ceil(r.size / page) * page;
    const huge = (r.pageSize ?? m.spec.pageSize) === hugeBytes;
    totalBytes += bytes;
    if (!huge) smallBytes += bytes;
    const missing = missingPolicyNodes(p, memNodes);
    for (const { field, node } of missing) problem(`regions[${i}].policy.${field}`, `node ${node} does not exist (the machine has memory nodes 0-${memNodes - 1})`);
    nodesMissing ||= missing.length > 0;
    // The memory a region may use is known only once its policy names nodes that exist.
    const allowed = missing.length > 0 ? null : p.kind === "bind" || (p.kind === "interleave" && p.nodes !== undefined) ? policyNodes(p) : allNodes;
    const capacity = allowed?.reduce((s, n) => s + freeBytes(n) + (huge ? poolBytes(n) : 0), 0) ?? Infinity;
    if (allowed !== null && bytes > capacity) {
      const where = allowed.length === memNodes ? "the machine has" : allowed.length === 1 ? `node ${allowed[0]} has` : `nodes ${allowed.join(", ")} have`;
      problem(`regions[${i}].size`, `${bytes} bytes do not fit in the ${capacity} bytes of memory ${where}${pooled && !huge ? " outside its huge-page pool (os.hugePages2M)" : ""}`);
    } else if (bytes / page > MAX_REGION_PAGES) problem(`regions[${i}].size`, `${bytes / page} pages; at most ${MAX_REGION_PAGES} per region are supported`);
    else return;
    unmappable.add(i);
  });
  if (nodesMissing || unmappable.size > 0) return unmappable;
  const machineFree = allNodes.reduce((s, n) => s + freeBytes(n), 0);
  const machinePool = allNodes.reduce((s, n) => s + poolBytes(n), 0);
  if (smallBytes > machineFree) problem("regions", `the regions of base pages need ${smallBytes} bytes; the machine has ${machineFree} outside its huge-page pool (os.hugePages2M)`);
  else if (totalBytes > machineFree + machinePool) problem("regions", `the regions need ${totalBytes} bytes; the machine has ${machineFree + machinePool}`);
  else return unmappable;
  return new Set(w.regions.map((_, i) => i));
}

/** The nodes a policy names that the machine has no memory on, each with its field in the policy. */
function missingPolicyNodes(p: NumaPolicy, memNodes: number): { field: string; node: number }[] {
  if (p.kind === "preferred") return p.node < memNodes ? [] : [{ field: "node", node: p.node }];
  if (p.kind !== "bind" && p.kind !== "interleave") return [];
  return (p.nodes ?? []).flatMap((node, k) => (node < memNodes ? [] : [{ field: `nodes[${k}]`, node }]));
}

/** The regions a thread's generator reads or writes, by name. */
function dataRegionNamesOf(t: ThreadSpec): string[] {
  return ["region", "src", "dst", "a", "b", "c"].map((k) => (t as Record<string, unknown>)[k]).filter((v): v is string => typeof v === "string");
}

/** Every region a thread names: its data regions and its code region. */
function regionNamesOf(t: ThreadSpec): string[] {
  return t.code === undefined ? dataRegionNamesOf(t) : [...dataRegionNamesOf(t), t.code.region];
}

/** Pages one region may have (its page map is three arrays of that length). */
const MAX_REGION_PAGES = 2 ** 26;

/** Elements of a pointer chase (working set over stride; two 4-byte arrays of that length). */
const MAX_CHASE_ELEMENTS = 2 ** 27;

function policyNodes(p: NumaPolicy): number[] {
  switch (p.kind) {
    case "interleave":
      return p.nodes ?? [];
    case "bind":
      return p.nodes;
    case "preferred":
      return [p.node];
    default:
      return [];
  }
}

function makeProgram(t: ThreadSpec, regions: Map<string, Region>, rng: RngStream, m: Machine, problem: (path: string, msg: string) => void): ThreadProgram | null {
  const pageBytes = m.spec.pageSize;
  const device = (name: string): DeviceHandle | null => {
    const d = m.devices.find((x) => x.handle.name === name)?.handle ?? null;
    if (d === null) problem("device", m.devices.length === 0 ? `no device named "${name}": the machine has no devices` : `no device named "${name}" (devices: ${m.devices.map((x) => x.handle.name).join(", ")})`);
    return d;
  };
  const reg = (name: string) => regions.get(name) as Region;
  const ws = (r: Region, requested: number | undefined, path: string): number => {
    const size = requested ?? r.sizeBytes;
    if (size > r.sizeBytes) problem(path, `working set ${size} bytes is larger than region "${r.name}" (${r.sizeBytes} bytes)`);
    return Math.min(size, r.sizeBytes);
  };
  switch (t.generator) {
    case "pointer-chase": {
      const r = reg(t.region);
      const bytes = ws(r, t.workingSet, "workingSet");
      if (bytes / t.stride > MAX_CHASE_ELEMENTS) {
        problem("workingSet", `a chase of ${Math.floor(bytes / t.stride)} elements (working set over stride); at most ${MAX_CHASE_ELEMENTS} are supported`);
        return null;
      }
      return new PointerChase({ baseVa: r.start, workingSetBytes: bytes, strideBytes: t.stride, accesses: t.accesses, order: t.order, gapCycles: t.gapCycles }, rng);
    }
    case "stream-read":
    case "stream-write": {
      const r = reg(t.region);
      return new Stream({
        mode: t.generator === "stream-read" ? "read" : "write",
        srcVa: r.start,
        dstVa: r.start,
        workingSetBytes: ws(r, t.workingSet, "workingSet"),
        elementBytes: t.elementBytes,
        passes: t.passes,
        gapCycles: t.gapCycles,
        dependsOn: t.dependsOn ?? 0,
        unmapEachPass: t.unmapEachPass ?? false,
      });
    }
    case "stream-copy": {
      const s = reg(t.src);
      const d = reg(t.dst);
      const size = Math.min(ws(s, t.workingSet, "workingSet"), ws(d, t.workingSet, "workingSet"));
      return new Stream({ mode: "copy", srcVa: s.start, dstVa: d.start, workingSetBytes: size, elementBytes: t.elementBytes, passes: t.passes, gapCycles: t.gapCycles });
    }
    case "triad": {
      const a = reg(t.a);
      const b = reg(t.b);
      const c = reg(t.c);
      const elements = Math.floor(Math.min(a.sizeBytes, b.sizeBytes, c.sizeBytes) / t.elementBytes);
      const per = Math.floor(elements / t.chunks);
      return new Triad({ aVa: a.start, bVa: b.start, cVa: c.start, first: t.chunk * per, count: per, elementBytes: t.elementBytes, passes: t.passes, gapCycles: t.gapCycles });
    }
    case "gups": {
      const r = reg(t.region);
      return new Gups({ tableVa: r.start, tableBytes: r.sizeBytes, updates: t.updates, gapCycles: t.gapCycles, zipfTheta: t.zipfTheta ?? 0, pageBytes, init: t.init ?? false }, rng);
    }
    case "mmio-poll": {
      const d = device(t.device);
      if (d === null) return null;
      return new MmioPoll({ mmioBase: d.mmioBase, iterations: t.iterations, deviceWorkNs: t.deviceWorkNs, pollGapCycles: t.pollGapCycles, gapCycles: t.gapCycles });
    }
    case "ping-pong": {
      const d = device(t.device);
      if (d === null) return null;
      return new PingPong({ mmioBase: d.mmioBase, mailboxVa: reg(t.region).start, iterations: t.iterations, gapCycles: t.gapCycles }, d.mailbox);
    }
    case "dma-driver": {
      const d = device(t.device);
      if (d === null) return null;
      const r = reg(t.region);
      const bytes = ws(r, t.bytes, "bytes");
      if (d.memBytes === 0) problem("device", `device "${d.name}" has no memory of its own to copy to or from`);
      else if (bytes > d.memBytes) problem("bytes", `${bytes} bytes do not fit in device "${d.name}"'s ${d.memBytes} bytes of memory`);
      return new DmaDriver({ mmioBase: d.mmioBase, bufferVa: r.start, bytes, deviceOffset: 0, direction: t.direction, coherent: t.coherent, prepare: t.prepare, iterations: t.iterations, lineBytes: m.spec.lineSize, pollGapCycles: t.pollGapCycles, gapCycles: t.gapCycles });
    }
  }
}
