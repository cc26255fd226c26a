import { OpKind } from "../cpu/mem-op.ts";
import type { ClockDomain } from "../kernel/clock-domain.ts";
import type { EventHandler } from "../kernel/event-queue.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Counter } from "../stats/counter.ts";
import type { Histogram } from "../stats/histogram.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import { MAX_WALK_REFS, type Mmu } from "./mmu.ts";

/** `start` result: the L1 DTLB hit, the access goes ahead now. */
export const TRANSLATED = -1;
/** `start` result: no translation slot or walker is free; the core must wait. */
export const NO_SLOT = -2;
/** `WalkHost.walkRef` result: no miss register is free for the reference. */
export const NO_MSHR = -1;

/** The core a walker belongs to: it reads table entries through the core's caches and finishes the parked accesses. */
export interface WalkHost {
  /**
   * Reads a table entry at physical `paddr` through L1d / L2 (and, on a miss, the northbridge):
   * the tick it completes, `-2 - m` when it waits for miss register m, or NO_MSHR.
   */
  walkRef(paddr: number): number;
  /** Slot `slot`'s translation is done: perform its data access; false if it must wait for a miss register. */
  translated(slot: number, paddr: number, kind: number): boolean;
  /** A slot was freed (a stalled core may go on). */
  translationFreed(): void;
}

const FREE = 0;
const STEPPING = 1;
const WAIT_FILL = 2;
const WAIT_MSHR = 3;
const WAIT_DATA = 4;
const WAIT_WALK = 5;

/**
 * The page walkers of a core and the translations in flight: an access that misses the L1
 * DTLB takes a slot; an L2 TLB hit finishes after the L2 TLB latency, a miss starts a walk of
 * dependent references, one after the other, each a physical load through the core's caches (so
 * table entries compete with data for L1d and L2, and a walk of a remote table crosses the
 * interconnect). When the walk completes, the TLBs are filled and the parked access goes ahead.
 * Hot-path state is in typed arrays indexed by slot.
 */
export class PageWalker implements EventHandler {
  readonly name: string;
  /** Translation slots (walks plus L2 TLB hits in flight). */
  readonly slots: number;
  /** Walks that may run at once. */
  readonly walkers: number;
  private readonly sim: Simulator;
  private readonly clock: ClockDomain;
  private readonly host: WalkHost;
  private readonly mmu: Mmu;
  private readonly state: Uint8Array;
  private readonly isWalk: Uint8Array;
  private readonly refs: Float64Array;
  private readonly nRefs: Int32Array;
  private readonly next: Int32Array;
  private readonly waitMshr: Int32Array;
  private readonly startAt: Float64Array;
  private readonly va: Float64Array;
  private readonly pa: Float64Array;
  private readonly kind: Uint8Array;
  private readonly shift: Uint8Array;
  private readonly waitWalk: Int32Array;
  private inUse: number;
  private walking: number;
  private readonly stWalks: Counter;
  private readonly stMerged: Counter;
  private readonly stRefs: Histogram;
  private readonly stLatency: Histogram;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, clock: ClockDomain, host: WalkHost, mmu: Mmu, walkers: number, inFlight: number) {
    this.name = name;
    this.sim = sim;
    this.clock = clock;
    this.host = host;
    this.mmu = mmu;
    this.walkers = walkers;
    this.slots = walkers + inFlight;
    const n = this.slots;
    this.state = new Uint8Array(n);
    this.isWalk = new Uint8Array(n);
    this.refs = new Float64Array(n * MAX_WALK_REFS);
    this.nRefs = new Int32Array(n);
    this.next = new Int32Array(n);
    this.waitMshr = new Int32Array(n).fill(-1);
    this.startAt = new Float64Array(n);
    this.va = new Float64Array(n);
    this.pa = new Float64Array(n);
    this.kind = new Uint8Array(n);
    this.shift = new Uint8Array(n);
    this.waitWalk = new Int32Array(n).fill(-1);
    this.inUse = 0;
    this.walking = 0;
    this.stWalks = stats.counter(`${name}.walks`, "count", "page walks");
    this.stMerged = stats.counter(`${name}.merged`, "count", "L2 TLB misses that waited for a walk of the same page already under way");
    this.stRefs = stats.histogram(`${name}.walk.refs`, "count", "memory references per page walk");
    this.stLatency = stats.histogram(`${name}.walk.latencyPs`, "ps", "L2 TLB miss to the walk's end");
    stats.formula(`${name}.walk.refsMean`, "count", "mean memory references per page walk", () => (this.stRefs.count > 0 ? this.stRefs.sum / this.stRefs.count : 0));
  }

  /** Translations in flight. */
  get busy(): number {
    return this.inUse;
  }

  /**
   * Starts translating `va` (data at physical `pa`) for an access of `kind` from a core on
   * `node`, `extraPs` after now (a VM exit the translation caused): TRANSLATED on an L1 DTLB hit,
   * NO_SLOT when the core must wait, or the slot now holding the parked access.
   */
  start(va: number, pa: number, kind: number, node: number, extraPs: number): number {
    const mmu = this.mmu;
    // An instruction fetch looks in the L1 ITLB, a data access in the L1 DTLB; both share the L2 TLB.
    const fetch = kind === OpKind.Fetch;
    const l1Hit = fetch ? mmu.itlbLookup(va) : mmu.l1Lookup(va);
    if (l1Hit && extraPs === 0) {
      if (fetch) mmu.countItlb(true);
      else mmu.countL1Hit();
      return TRANSLATED;
    }
    if (this.inUse === this.slots) return NO_SLOT;
    let s = 0;
    while (this.state[s] !== FREE) s++;
    const l2Hit = !l1Hit && mmu.l2Lookup(va, fetch);
    const same = l1Hit || l2Hit ? -1 : this.walkOfPage(va);
    if (!l1Hit && !l2Hit && same < 0 && this.walking === this.walkers) return NO_SLOT;
    if (fetch) mmu.countItlb(l1Hit);
    else if (l1Hit) mmu.countL1Hit();
    else mmu.countL1Miss();
    if (!l1Hit && !l2Hit) mmu.countL2Miss();
    this.inUse++;
    this.va[s] = va;
    this.pa[s] = pa;
    this.kind[s] = kind;
    this.next[s] = 0;
    this.waitMshr[s] = -1;
    this.startAt[s] = this.sim.now;
    if (same >= 0) {
      // A walk of this page is under way: wait for it rather than walk again.
      this.isWalk[s] = 0;
      this.nRefs[s] = 0;
      this.waitWalk[s] = same;
      this.state[s] = WAIT_WALK;
      this.stMerged.value++;
      return s;
    }
    if (l1Hit || l2Hit) {
      this.isWalk[s] = 0;
      this.nRefs[s] = 0;
    } else {
      this.isWalk[s] = 1;
      this.walking++;
      this.stWalks.value++;
      this.nRefs[s] = mmu.plan(va, pa, node, this.refs, s * MAX_WALK_REFS);
      this.shift[s] = mmu.planShift;
    }
    this.state[s] = STEPPING;
    const lookupPs = l1Hit ? 0 : mmu.l2.latencyCycles * this.clock.periodPs;
    this.sim.scheduleAt(this, this.sim.now + lookupPs + extraPs, s, null);
    return s;
  }

  /** Miss register `m` was filled: walks waiting for it go on. */
  onFill(m: number): void {
    if (this.inUse === 0) return;
    for (let s = 0; s < this.slots; s++) {
      if (this.state[s] === WAIT_FILL && this.waitMshr[s] === m) {
        this.state[s] = STEPPING;
        this.waitMshr[s] = -1;
        this.step(s);
      }
    }
  }

  /** A miss register was freed: references and accesses waiting for one try again. */
  onMshrFree(): void {
    if (this.inUse === 0) return;
    for (let s = 0; s < this.slots; s++) {
      if (this.state[s] === WAIT_MSHR) {
        this.state[s] = STEPPING;
        this.step(s);
      } else if (this.state[s] === WAIT_DATA) this.finishData(s);
    }
  }

  /** The slot's next step is due. */
  handleEvent(slot: number): void {
    if (this.state[slot] === STEPPING) this.step(slot);
  }

  private step(s: number): void {
    const base = s * MAX_WALK_REFS;
    const now = this.sim.now;
    while (this.next[s] < this.nRefs[s]) {
      const r = this.host.walkRef(this.refs[base + this.next[s]]);
      if (r === NO_MSHR) {
        this.state[s] = WAIT_MSHR;
        return;
      }
      this.next[s]++;
      if (r < NO_MSHR) {
        this.state[s] = WAIT_FILL;
        this.waitMshr[s] = -2 - r;
        return;
      }
      if (r > now) {
        this.sim.scheduleAt(this, r, s, null);
        return;
      }
    }
    if (this.isWalk[s] === 1) {
      this.isWalk[s] = 0;
      this.walking--;
      this.stRefs.sample(this.nRefs[s]);
      this.stLatency.sample(now - this.startAt[s]);
      this.mmu.fill(this.va[s], this.shift[s], this.kind[s] === OpKind.Fetch);
      for (let t = 0; t < this.slots; t++) {
        if (this.state[t] === WAIT_WALK && this.waitWalk[t] === s) {
          this.state[t] = STEPPING;
          this.waitWalk[t] = -1;
          this.sim.scheduleAt(this, now, t, null);
        }
      }
    }
    this.finishData(s);
  }

  /** The slot walking the 4 KiB page holding `va`, or -1. */
  private walkOfPage(va: number): number {
    if (this.walking === 0) return -1;
    const page = Math.floor(va / 4096);
    for (let s = 0; s < this.slots; s++) if (this.isWalk[s] === 1 && Math.floor(this.va[s] / 4096) === page) return s;
    return -1;
  }

  private finishData(s: number): void {
    if (!this.host.translated(s, this.pa[s], this.kind[s])) {
      this.state[s] = WAIT_DATA;
      return;
    }
    this.state[s] = FREE;
    this.inUse--;
    this.host.translationFreed();
  }
}
