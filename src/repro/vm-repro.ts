import type { MachineSpec, TlbSpec } from "../config/machine-spec.ts";
import type { GuestSpec, RegionSpec, ThreadSpec } from "../config/workload-spec.ts";
import { runSimulation, type RunResult } from "../machine/run-simulation.ts";

/** One row of the virtual-memory reproduction. */
export interface VmRow {
  id: string;
  description: string;
  /** What the sources say: a count, a range [lo, hi] (null: open), or null when they give no number. */
  expected: number | [number | null, number | null] | null;
  simulated: number;
  unit: string;
}

/** The machine with translation timed, and any TLB fields replaced. */
export function withTlb(m: MachineSpec, patch: Partial<TlbSpec> = {}): MachineSpec {
  return { ...m, node: { ...m.node, core: { ...m.node.core, tlb: { ...m.node.core.tlb, ...patch, enabled: true } } } };
}

/** The machine with every translation cache that shortens walks off (page-walk caches, nested TLB). */
export function cachesOff(m: MachineSpec): MachineSpec {
  return withTlb(m, { pwc: { l4: 0, l3: 0, l2: 0 }, nestedTlb: 0 });
}

/** Options of a single-thread run on node 0, core 0. */
export interface VmRunOptions {
  generator?: "pointer-chase" | "gups" | "stream-write";
  /** Region bytes. */
  sizeBytes?: number;
  /** Page size of the region. */
  pageSize?: number;
  /** Pointer-chase working set (default: the region). */
  workingSet?: number;
  /** Stride of the chase (default: 4 KiB, one access per page). */
  stride?: number;
  accesses?: number;
  populate?: boolean;
  guest?: GuestSpec;
  aslr?: boolean;
  /** Regions of `sizeBytes` mapped (the thread uses the first): page-table footprints. */
  regions?: number;
  /** Scheduler time slice in ns (context switches). */
  timesliceNs?: number;
}

/** A one-thread run from node 0, core 0, over memory local to it. */
export function vmRun(m: MachineSpec, o: VmRunOptions = {}): RunResult {
  const size = o.sizeBytes ?? 16 << 20;
  const nRegions = o.regions ?? 1;
  const regions: RegionSpec[] = Array.from({ length: nRegions }, (_, i) => ({
    name: `r${i}`,
    size,
    policy: { kind: "bind", nodes: [0] },
    kind: "anon",
    pageSize: o.pageSize,
    populate: o.populate,
  }));
  const t = { core: 0, gapCycles: 0, startNs: 0, region: "r0" };
  let thread: ThreadSpec;
  switch (o.generator ?? "pointer-chase") {
    case "gups":
      thread = { ...t, generator: "gups", updates: o.accesses ?? 20_000 };
      break;
    case "stream-write":
      thread = { ...t, generator: "stream-write", elementBytes: 64, passes: 1 };
      break;
    default:
      thread = { ...t, generator: "pointer-chase", workingSet: o.workingSet, stride: o.stride ?? 4096, accesses: o.accesses ?? 4000, order: "random" };
  }
  // Further regions are only mapped (and populated if asked): they show page-table footprints.
  if (o.timesliceNs !== undefined) m = { ...m, os: { ...m.os, timeslice: o.timesliceNs * 1000 } };
  return runSimulation(m, { name: "vm", description: "", regions, threads: [thread], guest: o.guest, aslr: o.aslr }, 1);
}

/** A statistic's value (a number, or a histogram's mean). */
export function stat(r: RunResult, path: string): number {
  const v = r.stats[path]?.value as number | { mean: number } | undefined;
  if (v === undefined) return 0;
  return typeof v === "number" ? v : v.mean;
}

/** Mean references per page walk of node 0, core 0. */
export function refsPerWalk(r: RunResult): number {
  return stat(r, "node0.core0.tlb.walker.walk.refsMean");
}

const GiB = 2 ** 30;

/** Options of the reproduction (smaller numbers make it quicker). */
export interface VmReproOptions {
  accesses: number;
}

/**
 * The address-translation facts of Drepper, "What Every Programmer Should Know About Memory"
 * (2007) §4, and of Bhattacharjee & Lustig, "Architectural and Operating System Support for
 * Virtual Memory" (2017, chapter on heterogeneity and virtualization), on a machine: references per walk for
 * native 4 KiB, 2 MiB and 1 GiB pages, the two-dimensional nested walk, shadow paging; then
 * what page-walk caches and a nested TLB save, 4K vs 2M pages for random access, shadow vs nested
 * paging when page tables are written often or rarely, and page-table memory under ASLR.
 */
export function reproduceVm(m: MachineSpec, o: VmReproOptions = { accesses: 4000 }): VmRow[] {
  const rows: VmRow[] = [];
  const off = cachesOff(m);
  const big = { ...off, node: { ...off.node, memory: { ...off.node.memory, size: Math.max(off.node.memory.size, 4 * GiB) } } };
  const n = o.accesses;
  const chaseBig = { sizeBytes: 256 << 20, accesses: n };
  rows.push({ id: "WALK_NATIVE_4K", description: "references per walk, 4 KiB pages, 4-level table (fact 4)", expected: 4, simulated: refsPerWalk(vmRun(off, chaseBig)), unit: "refs" });
  rows.push({ id: "WALK_NATIVE_2M", description: "references per walk, 2 MiB pages (fact 8: one level less)", expected: 3, simulated: refsPerWalk(vmRun(off, { ...chaseBig, pageSize: 2 ** 21, stride: 2 ** 21 })), unit: "refs" });
  rows.push({ id: "WALK_NATIVE_1G", description: "references per walk, 1 GiB pages (fact 2)", expected: 2, simulated: refsPerWalk(vmRun(big, { sizeBytes: 2 * GiB, pageSize: GiB, stride: GiB, accesses: 200 })), unit: "refs" });
  const nested: GuestSpec = { paging: "nested", hostPageSize: 4096, vpid: true };
  const shadow: GuestSpec = { paging: "shadow", hostPageSize: 4096, vpid: true };
  // Xen gives a domain its memory when it is built: nothing to back at first touch, which isolates
  // what the two paging modes themselves cost (KVM's on-demand backing is compared below).
  const nestedXen: GuestSpec = { ...nested, hypervisor: "xen" };
  const shadowXen: GuestSpec = { ...shadow, hypervisor: "xen" };
  const nestedOff = vmRun(off, { ...chaseBig, guest: nested });
  rows.push({ id: "WALK_NESTED_4K", description: "references per 2D walk, guest and host 4-level, caches off (fact 10)", expected: 24, simulated: refsPerWalk(nestedOff), unit: "refs" });
  const on = withTlb(m, { nestedTlb: Math.max(m.node.core.tlb.nestedTlb, 16), pwc: m.node.core.tlb.pwc.l2 > 0 ? m.node.core.tlb.pwc : { l4: 2, l3: 4, l2: 32 } });
  const nestedOn = vmRun(on, { ...chaseBig, guest: nested });
  rows.push({ id: "WALK_NESTED_CACHED", description: "mean references per 2D walk with page-walk caches and a nested TLB", expected: [1, 24], simulated: refsPerWalk(nestedOn), unit: "refs" });
  // 5-level paging (LA57): one more level natively, (5 + 1)(5 + 1) - 1 = 35 in two dimensions.
  const five = { ...off, os: { ...off.os, pageTables: { ...off.os.pageTables, layout: "x86-64-5level" as const } } };
  rows.push({ id: "WALK_SHADOW", description: "references per walk of the shadow table (fact 11)", expected: 4, simulated: refsPerWalk(vmRun(off, { ...chaseBig, guest: shadow })), unit: "refs" });
  rows.push({ id: "WALK_NATIVE_4K_5LEVEL", description: "references per walk, 4 KiB pages, 5-level table (LA57)", expected: 5, simulated: refsPerWalk(vmRun(five, chaseBig)), unit: "refs" });
  rows.push({ id: "WALK_NESTED_4K_5LEVEL", description: "references per 2D walk, guest and host 5-level, caches off", expected: 35, simulated: refsPerWalk(vmRun(five, { ...chaseBig, guest: nested })), unit: "refs" });

  // Random access: 4 KiB vs 2 MiB pages.
  const tlbOn = withTlb(m);
  const gups = (pageSize: number) => vmRun(tlbOn, { generator: "gups", sizeBytes: 64 << 20, pageSize, accesses: n * 4, populate: true });
  const g4 = gups(4096);
  const g2 = gups(2 ** 21);
  const walksPerAccess = (r: RunResult) => stat(r, "node0.core0.tlb.walker.walks") / (stat(r, "node0.core0.loads") + stat(r, "node0.core0.stores"));
  rows.push({ id: "GUPS_WALKS_4K", description: "random updates over 64 MiB, 4 KiB pages: page walks per access", expected: null, simulated: walksPerAccess(g4), unit: "ratio" });
  rows.push({ id: "GUPS_WALKS_2M", description: "same, 2 MiB pages (fact 8: fewer TLB misses)", expected: null, simulated: walksPerAccess(g2), unit: "ratio" });
  rows.push({ id: "GUPS_SPEEDUP_2M", description: "run time with 4 KiB pages over run time with 2 MiB pages", expected: [1, null], simulated: g4.simulatedNs / g2.simulatedNs, unit: "x" });

  // Shadow vs nested: page tables written often (first touch of fresh pages) vs rarely (populated).
  const often = (g: GuestSpec) => vmRun(tlbOn, { generator: "stream-write", sizeBytes: 8 << 20, guest: g }).simulatedNs;
  const rarely = (g: GuestSpec) => vmRun(tlbOn, { sizeBytes: 64 << 20, accesses: n, populate: true, guest: g }).simulatedNs;
  rows.push({ id: "SHADOW_OVER_NESTED_WRITES", description: "shadow / nested time, fresh pages written (a trap per table write), Xen", expected: [1, null], simulated: often(shadowXen) / often(nestedXen), unit: "x" });
  rows.push({ id: "SHADOW_OVER_NESTED_READS", description: "shadow / nested time, tables written once up front (shorter walks win)", expected: [0, 1], simulated: rarely(shadow) / rarely(nested), unit: "x" });
  // One memory manager or two (fact 12): KVM backs guest memory on demand, Xen when the domain is built.
  rows.push({ id: "KVM_OVER_XEN_FRESH_WRITES", description: "nested paging, fresh pages written: KVM / Xen time (an EPT violation and host fault per page)", expected: [1, null], simulated: often(nested) / often(nestedXen), unit: "x" });
  rows.push({ id: "SHADOW_OVER_NESTED_WRITES_KVM", description: "shadow / nested time, fresh pages written, KVM (both exit once per fresh page)", expected: null, simulated: often(shadow) / often(nested), unit: "x" });

  // Instruction fetch through the L1 ITLB: code that fits its reach vs code that jumps around 64 MiB.
  const code = (codeBytes: number, codePage: number) =>
    runSimulation(tlbOn, {
      name: "code",
      description: "",
      regions: [
        { name: "data", size: 256 * 1024, policy: { kind: "bind", nodes: [0] }, kind: "anon", populate: true },
        { name: "text", size: codeBytes, policy: { kind: "bind", nodes: [0] }, kind: "file=app", populate: true, pageSize: codePage },
      ],
      threads: [{ core: 0, generator: "gups", region: "data", updates: n, gapCycles: 4, startNs: 0, code: { region: "text", bytesPerAccess: 16, jumpEvery: 8 } }],
    }, 1);
  const perK = (r: RunResult, key: string) => (1000 * stat(r, key)) / (stat(r, "node0.core0.loads") + stat(r, "node0.core0.stores"));
  const smallCode = code(256 * 1024, 4096);
  const bigCode = code(64 << 20, 4096);
  const bigCode2M = code(64 << 20, 2 ** 21);
  rows.push({ id: "ITLB_MISSES_SMALL_CODE", description: "ITLB misses per 1000 accesses, 256 KiB of code, a jump every 8 accesses", expected: null, simulated: perK(smallCode, "node0.core0.tlb.itlb.misses"), unit: "per 1k" });
  rows.push({ id: "ITLB_MISSES_BIG_CODE", description: "same, 64 MiB of code (beyond the ITLB's and the L2 TLB's reach)", expected: null, simulated: perK(bigCode, "node0.core0.tlb.itlb.misses"), unit: "per 1k" });
  rows.push({ id: "ITLB_BIG_CODE_SLOWDOWN", description: "run time with 64 MiB of code over run time with 256 KiB", expected: [1, null], simulated: bigCode.simulatedNs / smallCode.simulatedNs, unit: "x" });
  rows.push({ id: "ITLB_WALKS_BIG_CODE_2M", description: "walks per 1000 accesses, 64 MiB of code on 4 KiB vs 2 MiB pages: the 2 MiB figure", expected: [0, perK(bigCode, "node0.core0.tlb.walker.walks")], simulated: perK(bigCode2M, "node0.core0.tlb.walker.walks"), unit: "per 1k" });

  // Page-table memory: 8 regions of 2 MiB, packed vs spread by ASLR (fact 3).
  const tables = (aslr: boolean) => stat(vmRun(tlbOn, { sizeBytes: 2 << 20, regions: 8, populate: true, aslr }), "process.pagetable.bytes") / 1024;
  const packed = tables(false);
  const spread = tables(true);
  rows.push({ id: "PT_KIB_PACKED", description: "page-table KiB, 8 regions of 2 MiB side by side", expected: null, simulated: packed, unit: "KiB" });
  rows.push({ id: "PT_KIB_ASLR", description: "page-table KiB, the same regions at random bases (ASLR)", expected: [packed, null], simulated: spread, unit: "KiB" });

  // Context switches every 20 us: TLB flushes without address-space tags, none with them (fact 7).
  const switching = (bits: number) => stat(vmRun(withTlb(m, { asidBits: bits }), { sizeBytes: 4 << 20, accesses: n * 4, populate: true, timesliceNs: 20_000 }), "node0.core0.tlb.walker.walks");
  rows.push({ id: "SWITCH_WALKS_FLUSH", description: "walks, 4 MiB chase, a context switch every 20 us, untagged TLB (flush)", expected: null, simulated: switching(0), unit: "walks" });
  rows.push({ id: "SWITCH_WALKS_ASID", description: "same with 12-bit ASID/PCID tags (no flush)", expected: null, simulated: switching(12), unit: "walks" });

  // System calls every 20 us into a kernel with its own page-table tree: flush vs tagged (fact 7).
  const syscalls = (bits: number) =>
    stat(
      vmRun(withTlb({ ...m, os: { ...m.os, syscallEvery: 20_000_000, syscallCycles: 300, kernelPageTables: "separate" } }, { asidBits: bits }), { sizeBytes: 4 << 20, accesses: n * 4, populate: true }),
      "node0.core0.tlb.walker.walks",
    );
  rows.push({ id: "SYSCALL_WALKS_FLUSH", description: "walks, 4 MiB chase, a system call every 20 us into a separate kernel tree, untagged TLB", expected: null, simulated: syscalls(0), unit: "walks" });
  rows.push({ id: "SYSCALL_WALKS_PCID", description: "same with 12-bit PCID tags (entering the kernel needs no flush)", expected: null, simulated: syscalls(12), unit: "walks" });

  // Mitosis: one thread per socket over a shared region whose tables node 0 built.
  if (m.node.cores >= 1 && sockets(m) >= 2) {
    const lat = (replicate: boolean) => stat(sharedChase(withTlb({ ...m, os: { ...m.os, pageTables: { ...m.os.pageTables, replicate } } }), n), "node1.core0.tlb.walker.walk.latencyPs") / 1000;
    const plain = lat(false);
    rows.push({ id: "MITOSIS_WALK_NS_OFF", description: "node 1 thread's mean walk, tables built by node 0", expected: null, simulated: plain, unit: "ns" });
    rows.push({ id: "MITOSIS_WALK_NS_ON", description: "same with a page-table copy per node (Mitosis)", expected: [null, plain], simulated: lat(true), unit: "ns" });
  }
  return rows;
}

function sockets(m: MachineSpec): number {
  return m.topology.kind === "edges" ? m.topology.nodes : 2;
}

/** One chasing thread per socket (node 0 and node 1) over one interleaved region populated from node 0. */
function sharedChase(m: MachineSpec, accesses: number): RunResult {
  const threads: ThreadSpec[] = [0, 1].map((node) => ({ core: { node, core: 0 }, generator: "pointer-chase", region: "r", stride: 4096, accesses, order: "random", gapCycles: 0, startNs: 0 }));
  return runSimulation(m, { name: "shared", description: "", regions: [{ name: "r", size: 256 << 20, policy: { kind: "interleave" }, kind: "anon", populate: true }], threads }, 1);
}

/** Whether a row's simulated value is what the sources say: null when they give nothing to compare with. */
export function vmRowWithin(r: VmRow): boolean | null {
  return r.expected === null ? null : vmRowOk(r);
}

/** True when a row's simulated value matches what is expected (no expectation: true). */
export function vmRowOk(r: VmRow): boolean {
  if (r.expected === null) return true;
  if (typeof r.expected === "number") return Math.abs(r.simulated - r.expected) < 1e-9;
  const [lo, hi] = r.expected;
  return (lo === null || r.simulated >= lo) && (hi === null || r.simulated <= hi);
}
