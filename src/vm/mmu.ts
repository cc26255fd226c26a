import type { TlbLevelSpec, TlbSpec } from "../config/machine-spec.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import type { PageTable } from "./page-table.ts";
import type { Paging } from "./paging.ts";
import { TlbArray, TlbLevel } from "./tlb.ts";

/** Most references one walk can make: a 2D walk of two 5-level tables, (5 + 1)(5 + 1) - 1. */
export const MAX_WALK_REFS = 35;

function levelOf(name: string, s: TlbLevelSpec, asidBits: number): TlbLevel {
  return new TlbLevel(
    s.arrays.map((a, i) => new TlbArray(`${name}.${i}`, a.entries, a.assoc ?? a.entries, a.pageSizes.map((b) => Math.log2(b)), asidBits)),
    s.latencyCycles,
  );
}

/** The OS events that touch a thread's translations: time slices and system calls. */
export interface MmuSchedule {
  /** Scheduler time slice in ps (0: never switched). */
  timeslicePs: number;
  /** Cost of switching out and back in, in ps. */
  switchPs: number;
  /** Interval between system calls in ps (0: none). */
  syscallEveryPs?: number;
  /** Cost of one system call, in ps. */
  syscallPs?: number;
  /** The kernel has its own page-table tree (entries switch trees). */
  kernelSeparate?: boolean;
}

const NO_SCHEDULE: MmuSchedule = { timeslicePs: 0, switchPs: 0 };

/**
 * A core's translation hardware: L1 DTLB, unified L2 TLB, page-walk caches (for the guest or
 * native dimension and, under nested paging, the host dimension) and a nested TLB. It answers
 * TLB lookups and plans a walk: the physical addresses of the table entries the walk must read,
 * in order, after the page-walk caches and nested TLB have cut what they can.
 */
export class Mmu {
  readonly name: string;
  readonly l1: TlbLevel;
  readonly l2: TlbLevel;
  /** L1 instruction TLB. */
  readonly itlb: TlbLevel;
  /** The process's paging (tables and mode). */
  readonly paging: Paging;
  /** Address-space tag of the running process. */
  asid: number;
  /** Page size (log2) of the translation the last `plan` found. */
  planShift: number;
  /** Scheduler time slice in ps (0: the thread is never switched out), and the cost of a switch. */
  private readonly timeslicePs: number;
  private readonly switchPs: number;
  private nextSwitchAt: number;
  private nextSyscallAt: number;
  private readonly syscallEveryPs: number;
  private readonly syscallPs: number;
  private readonly kernelSeparate: boolean;
  private readonly stSyscalls: Counter;
  private readonly asidBits: number;
  private readonly stSwitches: Counter;
  private readonly stFlushes: Counter;
  private readonly stRangeFlushes: Counter;
  // Page-walk caches by level (index = level whose entries they hold), native/guest and host dimension.
  private readonly pwc: (TlbArray | null)[];
  private readonly hostPwc: (TlbArray | null)[];
  private readonly ntlb: TlbArray | null;
  private readonly stL1Hits: Counter;
  private readonly stItlbHits: Counter;
  private readonly stItlbMisses: Counter;
  private readonly stL1Misses: Counter;
  private readonly stL2Hits: Counter;
  private readonly stL2Misses: Counter;
  private readonly stPwcHits: Counter;
  private readonly stNtlbHits: Counter;
  private readonly stNtlbMisses: Counter;

  constructor(stats: StatsRegistry, name: string, spec: TlbSpec, paging: Paging, sched: MmuSchedule = NO_SCHEDULE) {
    this.name = name;
    this.syscallEveryPs = sched.syscallEveryPs ?? 0;
    this.syscallPs = sched.syscallPs ?? 0;
    this.kernelSeparate = sched.kernelSeparate ?? false;
    this.nextSyscallAt = this.syscallEveryPs > 0 ? this.syscallEveryPs : Infinity;
    this.stSyscalls = stats.counter(`${name}.syscalls`, "count", "kernel entries (system calls)");
    this.timeslicePs = sched.timeslicePs;
    this.switchPs = sched.switchPs;
    this.nextSwitchAt = sched.timeslicePs > 0 ? sched.timeslicePs : Infinity;
    this.asidBits = spec.asidBits;
    this.stSwitches = stats.counter(`${name}.contextSwitches`, "count", "times the thread was switched out and back in");
    this.stFlushes = stats.counter(`${name}.flushes`, "count", "full flushes of the TLBs and page-walk caches");
    this.stRangeFlushes = stats.counter(`${name}.rangeFlushes`, "count", "flushes of an address range (munmap)");
    this.paging = paging;
    this.l1 = levelOf(`${name}.l1`, spec.l1, spec.asidBits);
    this.itlb = levelOf(`${name}.itlb`, spec.itlb ?? spec.l1, spec.asidBits);
    this.stItlbHits = stats.counter(`${name}.itlb.hits`, "count", "instruction fetches whose page was in the L1 ITLB");
    this.stItlbMisses = stats.counter(`${name}.itlb.misses`, "count", "instruction fetches whose page missed the L1 ITLB");
    this.l2 = levelOf(`${name}.l2`, spec.l2, spec.asidBits);
    this.asid = 1;
    this.planShift = 12;
    const layout = paging.table;
    const pwcOf = (t: PageTable, dim: string): (TlbArray | null)[] => {
      const out: (TlbArray | null)[] = new Array<TlbArray | null>(t.layout.levels + 1).fill(null);
      const sizes = [0, 0, spec.pwc.l2, spec.pwc.l3, spec.pwc.l4];
      for (let l = 2; l <= t.layout.levels && l < sizes.length; l++) {
        if (sizes[l] > 0) out[l] = new TlbArray(`${name}.pwc${dim}.l${l}`, sizes[l], sizes[l], [t.shiftOf(l)], spec.asidBits);
      }
      return out;
    };
    this.pwc = pwcOf(layout, "");
    this.hostPwc = paging.host !== null ? pwcOf(paging.host, ".host") : [];
    this.ntlb = paging.host !== null && spec.nestedTlb > 0 ? new TlbArray(`${name}.ntlb`, spec.nestedTlb, spec.nestedTlb, [paging.params.hostPageShift], spec.asidBits) : null;
    this.stL1Hits = stats.counter(`${name}.l1.hits`, "count", "translations found in the L1 DTLB");
    this.stL1Misses = stats.counter(`${name}.l1.misses`, "count", "translations missing from the L1 DTLB");
    this.stL2Hits = stats.counter(`${name}.l2.hits`, "count", "L1 DTLB misses found in the L2 TLB");
    this.stL2Misses = stats.counter(`${name}.l2.misses`, "count", "L2 TLB misses (each starts a page walk)");
    this.stPwcHits = stats.counter(`${name}.pwc.hits`, "count", "walks shortened by a page-walk cache");
    this.stNtlbHits = stats.counter(`${name}.ntlb.hits`, "count", "guest-physical addresses found in the nested TLB");
    this.stNtlbMisses = stats.counter(`${name}.ntlb.misses`, "count", "guest-physical addresses walked in the host table");
    stats.formula(`${name}.l2.missRate`, "ratio", "L2 TLB misses over translations", () => {
      const all = this.stL1Hits.value + this.stL1Misses.value;
      return all > 0 ? this.stL2Misses.value / all : 0;
    });
  }

  /** L1 DTLB lookup (counted by `countL1Hit` / `countL1Miss` once the walker has handled it). */
  l1Lookup(va: number): boolean {
    return this.l1.lookup(va, this.asid) >= 0;
  }

  /** L1 ITLB lookup for an instruction fetch (counted by `countItlb`). */
  itlbLookup(va: number): boolean {
    return this.itlb.lookup(va, this.asid) >= 0;
  }

  /** Counts an L1 ITLB hit or miss. */
  countItlb(hit: boolean): void {
    if (hit) this.stItlbHits.value++;
    else this.stItlbMisses.value++;
  }

  /** True when either TLB level holds `va`'s translation (a probe: nothing is counted or filled). */
  holds(va: number): boolean {
    return this.l1.lookup(va, this.asid) >= 0 || this.l2.lookup(va, this.asid) >= 0;
  }

  /** Counts an L1 DTLB hit. */
  countL1Hit(): void {
    this.stL1Hits.value++;
  }

  /** Counts an L1 DTLB miss. */
  countL1Miss(): void {
    this.stL1Misses.value++;
  }

  /** Counts an L2 TLB miss. */
  countL2Miss(): void {
    this.stL2Misses.value++;
  }

  /** L2 TLB lookup; a hit is copied into the L1 DTLB (or ITLB) and counted (a miss is counted by `countL2Miss`). */
  l2Lookup(va: number, fetch = false): boolean {
    const s = this.l2.lookup(va, this.asid);
    if (s < 0) return false;
    this.stL2Hits.value++;
    (fetch ? this.itlb : this.l1).insert(va, s, this.asid);
    return true;
  }

  /** Installs a walked translation in the L2 TLB and the L1 DTLB (or, for a fetch, the ITLB). */
  fill(va: number, shift: number, fetch = false): void {
    this.l2.insert(va, shift, this.asid);
    (fetch ? this.itlb : this.l1).insert(va, shift, this.asid);
  }

  /**
   * At the end of a time slice, the thread is switched out and back in: the cost of the two
   * switches, in ps (0 before the slice ends). Without address-space tags the page-table
   * switch flushes the TLBs; with them the entries survive (the other process's use of the
   * TLB is not modelled).
   */
  switchIfDue(now: number): number {
    if (now < this.nextSwitchAt) return 0;
    this.nextSwitchAt = (Math.floor(now / this.timeslicePs) + 1) * this.timeslicePs;
    this.stSwitches.value++;
    if (this.asidBits === 0) this.flushAll();
    return this.switchPs;
  }

  /**
   * When a system call is due, the thread enters the kernel and returns: its cost in ps (0 when
   * none is due). A kernel with its own page-table tree flushes untagged TLBs on the way in.
   */
  syscallIfDue(now: number): number {
    if (now < this.nextSyscallAt) return 0;
    this.nextSyscallAt = (Math.floor(now / this.syscallEveryPs) + 1) * this.syscallEveryPs;
    this.stSyscalls.value++;
    if (this.kernelSeparate && this.asidBits === 0) this.flushAll();
    return this.syscallPs;
  }

  /** Empties every translation structure (a switch of page tables without tags). */
  flushAll(): void {
    this.stFlushes.value++;
    this.l1.flushAll();
    this.itlb.flushAll();
    this.l2.flushAll();
    for (const c of this.pwc) c?.flushAll();
    for (const c of this.hostPwc) c?.flushAll();
    this.ntlb?.flushAll();
  }

  /** Empties one address space's translations overlapping [start, start + bytes) (INVLPG). */
  flushRange(start: number, bytes: number): void {
    this.stRangeFlushes.value++;
    this.l1.flushRange(start, bytes, this.asid);
    this.itlb.flushRange(start, bytes, this.asid);
    this.l2.flushRange(start, bytes, this.asid);
    // Linux also drops the paging-structure caches on a range flush.
    for (const c of this.pwc) c?.flushAsid(this.asid);
  }

  /**
   * Plans the walk for `va`, whose data is at (guest-)physical `pa`, on a core of `node`: writes
   * the physical addresses of the entries to read, in order, into `refs` from `at`, and returns
   * how many. Fills the page-walk caches and the nested TLB with what the walk reads.
   */
  plan(va: number, pa: number, node: number, refs: Float64Array, at: number): number {
    const p = this.paging;
    if (p.host !== null) return this.planNested(va, pa, node, refs, at) - at;
    const t = p.shadow ?? p.table;
    const n = this.planTable(t, this.pwc, va, node, refs, at);
    this.planShift = t.shiftOf(t.leafLevel(va));
    return n - at;
  }

  private planNested(gva: number, gpa: number, node: number, refs: Float64Array, at: number): number {
    const g = this.paging.table;
    const leaf = g.leafLevel(gva);
    const start = this.startLevel(g, this.pwc, gva, leaf);
    let n = at;
    for (let l = start; l >= leaf; l--) {
      const gpte = g.entryAddr(gva, l);
      n = this.hostRefs(gpte, node, refs, n);
      refs[n++] = gpte;
      // The guest page-walk caches keep the host-physical address of the next guest table.
      if (l > leaf) this.pwc[l]?.insert(gva, g.shiftOf(l), this.asid);
    }
    n = this.hostRefs(gpa, node, refs, n);
    this.planShift = Math.min(g.shiftOf(leaf), this.paging.params.hostPageShift);
    return n;
  }

  /** References to translate guest-physical `gpa` (none on a nested-TLB hit). */
  private hostRefs(gpa: number, node: number, refs: Float64Array, n: number): number {
    const h = this.paging.host as PageTable;
    this.paging.hostEnsure(gpa, node);
    if (this.ntlb !== null) {
      if (this.ntlb.lookup(gpa, this.asid) >= 0) {
        this.stNtlbHits.value++;
        return n;
      }
      this.stNtlbMisses.value++;
      this.ntlb.insert(gpa, this.paging.params.hostPageShift, this.asid);
    }
    return this.planTable(h, this.hostPwc, gpa, node, refs, n);
  }

  /** A one-dimensional walk of `t` for `va`: the entries from the first level no cache covers down to the leaf. */
  private planTable(t: PageTable, pwc: (TlbArray | null)[], va: number, node: number, refs: Float64Array, n: number): number {
    const leaf = t.leafLevel(va);
    const start = this.startLevel(t, pwc, va, leaf);
    for (let l = start; l >= leaf; l--) {
      refs[n++] = t.entryAddr(va, l, node);
      if (l > leaf) pwc[l]?.insert(va, t.shiftOf(l), this.asid);
    }
    return n;
  }

  /** The level a walk starts at: below the deepest level whose entry a page-walk cache holds. */
  private startLevel(t: PageTable, pwc: (TlbArray | null)[], va: number, leaf: number): number {
    for (let l = leaf + 1; l <= t.layout.levels; l++) {
      const c = pwc[l];
      if (c !== null && c !== undefined && c.lookup(va, this.asid) >= 0) {
        this.stPwcHits.value++;
        return l - 1;
      }
    }
    return t.layout.levels;
  }
}
