import type { ClockDomain } from "../kernel/clock-domain.ts";
import type { EventHandler } from "../kernel/event-queue.ts";
import { MessageQueue, type Message, type MessagePool } from "../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import { Cache, type CacheGeometry } from "../mem/cache.ts";
import { VictimBuffer } from "../mem/victim-buffer.ts";
import { LineState, isDirty, isWritable } from "../mem/moesi.ts";
import { MsgKind } from "../mem/msg-kind.ts";
import type { Counter } from "../stats/counter.ts";
import type { TraceWriter } from "../stats/trace-writer.ts";
import type { CoherenceAudit } from "../machine/coherence-audit.ts";
import type { ValueAudit } from "../machine/value-audit.ts";
import { InvariantError } from "../machine/invariant-error.ts";
import type { Histogram } from "../stats/histogram.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import { MemOp, OpKind, type ThreadProgram } from "./mem-op.ts";
import type { Translator } from "./translator.ts";
import type { Mmu } from "../vm/mmu.ts";
import { NO_MSHR, NO_SLOT, PageWalker, TRANSLATED, type WalkHost } from "../vm/page-walker.ts";

/** Timing parameters of a core and its private caches. */
export interface CoreParams {
  /** Node (socket) the core sits on. */
  node: number;
  /** L1 data cache geometry. */
  l1d: CacheGeometry;
  /** L1 hit latency in core cycles. */
  l1LatencyCycles: number;
  /** L2 geometry. */
  l2: CacheGeometry;
  /** L2 hit latency in core cycles (after the L1 lookup). */
  l2LatencyCycles: number;
  /** L2 exclusive of the L1d (a victim cache: a line is in one of them), instead of inclusive. */
  l2Exclusive?: boolean;
  /** Outstanding line misses (miss status holding registers). */
  mshrs: number;
  /** Loads that may be in flight behind the oldest incomplete one (the out-of-order window). */
  loadWindow: number;
  /** Store-buffer entries; a full buffer stalls the core. */
  storeBufferEntries: number;
  /** Hardware next-line prefetch: lines fetched after a load misses L2 (0: none). */
  prefetchLines?: number;
  /** Base page size in bytes (hardware prefetch stays within a page it has no translation for). */
  pageBytes?: number;
}

const EV_ISSUE = 0;
const NONE = -1;
/** A window / store-buffer entry whose access waits for its translation (a page walk). */
const PARKED = -2;

/**
 * A core: issues its thread's memory operations in order, each after its gap of other work; loads
 * overlap up to the miss registers and the load window, a dependent load waits for its producer,
 * and stores retire through a store buffer that fetches lines for ownership ahead of commit.
 * Private L1d and L2 are looked up in the core's own time; a miss goes to the node's northbridge
 * through the core's port and completes when the fill comes back.
 */
export class Core implements PortOwner, EventHandler, WalkHost {
  /** Component path, e.g. `node0.core1`. */
  readonly name: string;
  /** Port to the node's northbridge. */
  readonly port: Port;
  /** Private L1 data cache. */
  readonly l1d: Cache;
  /** Private L2 cache. */
  readonly l2: Cache;
  private readonly l2Exclusive: boolean;
  /** Dirty lines written back and still on their way to the northbridge (probes look here). */
  readonly writeBacks: VictimBuffer;
  /** Tick the thread finished (all operations issued and complete), or -1. */
  finishedAt: number;
  /** Timeline writer, when the run records one (set by the machine builder). */
  trace: TraceWriter | null = null;
  /** Coherence audit of `--check` (set by the machine builder), or null. */
  audit: CoherenceAudit | null = null;
  /** Value audit of `--check` (set by `trackValues`), or null: stores make versions, loads check them. */
  values: ValueAudit | null = null;
  private readonly sim: Simulator;
  private readonly clock: ClockDomain;
  private readonly pool: MessagePool;
  private readonly p: CoreParams;
  private readonly lineBytes: number;
  private program: ThreadProgram | null;
  private translator: Translator | null;
  private readonly op: MemOp;
  private haveOp: boolean;
  private opReadyAt: number;
  private lastIssueAt: number;
  private scheduledAt: number;
  private stalled: boolean;
  private done: boolean;
  /** The core issues nothing before this tick (an inter-processor interrupt being handled). */
  private pausedUntil: number;
  private readonly outQ = new MessageQueue();
  // Address translation timing (null: translation takes no time).
  private mmu: Mmu | null;
  private walker: PageWalker | null;
  /** Per translation slot: the entry its parked access holds, and which queue (0 none, 1 loads, 2 stores). */
  private parkEntry: Int32Array;
  private parkQueue: Uint8Array;
  private readonly stats: StatsRegistry;

  // Miss registers.
  private readonly mshrLine: Float64Array;
  private readonly mshrBusy: Uint8Array;
  private readonly mshrExclusive: Uint8Array;
  private readonly mshrWantsWrite: Uint8Array;
  private readonly mshrGen: Int32Array;
  private readonly mshrStart: Float64Array;
  /** 1 while a miss register holds a clflush waiting for its home's answer (nothing to fill). */
  private readonly mshrFlush: Uint8Array;
  /**
   * 1 when the miss's line was in neither the L1d nor the L2 as it began (not an upgrade): only
   * its fill brings the line in, so until then it is still in neither.
   */
  private readonly mshrAbsent: Uint8Array;
  private mshrsInUse: number;
  // Load window: completion tick of recent loads, or a pending miss register.
  private readonly winDone: Float64Array;
  private readonly winMshr: Int32Array;
  private readonly winGen: Int32Array;
  private loadsIssued: number;
  // Store buffer (in-order ring).
  private readonly sbDone: Float64Array;
  private readonly sbMshr: Int32Array;
  private readonly sbGen: Int32Array;
  private sbHead: number;
  private sbCount: number;

  // Statistics.
  private readonly stLoads: Counter;
  private readonly stStores: Counter;
  private readonly stL1Hits: Counter;
  private readonly stL2Hits: Counter;
  private readonly stMisses: Counter;
  private readonly stMerged: Counter;
  private readonly stWritebacks: Counter;
  private readonly stStallPs: Counter;
  private readonly stMissLatency: Histogram;
  private stallSince: number;
  private readonly stPrefetches: Counter;
  private readonly stPrefetchStopped: Counter;
  private readonly stMmioReads: Counter;
  private readonly stFlushes: Counter;
  private readonly stFlushedDirty: Counter;
  private readonly stMmioWrites: Counter;
  private readonly stMmioReadLatency: Histogram;
  /** An MMIO read is outstanding: nothing issues until its value is back. */
  private mmioPending: boolean;
  // Instruction fetch (with timed translation): the thread's code region and where fetch is in it.
  private codeStart: number;
  private codeBytes: number;
  private fetchBytesPerOp: number;
  private jumpEvery: number;
  private opsToJump: number;
  private fetchOff: number;
  /** Page (4 KiB number) fetch last translated, or -1. */
  private fetchPage: number;
  /** Fetch address waiting for its translation (-1: none), and whether a walk is under way for it. */
  private fetchPendingVa: number;
  private fetchParked: boolean;
  /** The current operation's instructions have been fetched. */
  private opFetched: boolean;
  private codeRng: { next(): number } | null;
  private mmioIssuedAt: number;

  constructor(sim: Simulator, stats: StatsRegistry, pool: MessagePool, name: string, clock: ClockDomain, p: CoreParams) {
    this.name = name;
    this.sim = sim;
    this.clock = clock;
    this.pool = pool;
    this.p = p;
    this.port = new Port(this, `${name}.port`);
    this.l1d = new Cache(`${name}.l1d`, p.l1d);
    this.writeBacks = new VictimBuffer(p.l1d.lineBytes);
    this.l2 = new Cache(`${name}.l2`, p.l2);
    this.l2Exclusive = p.l2Exclusive === true;
    if (p.l1d.lineBytes !== p.l2.lineBytes) throw new Error(`${name}: L1d and L2 line sizes differ`);
    this.lineBytes = p.l1d.lineBytes;
    this.finishedAt = -1;
    this.program = null;
    this.translator = null;
    this.op = new MemOp();
    this.haveOp = false;
    this.opReadyAt = 0;
    this.lastIssueAt = 0;
    this.scheduledAt = -1;
    this.stalled = false;
    this.done = false;
    this.pausedUntil = 0;
    this.mmu = null;
    this.walker = null;
    this.parkEntry = new Int32Array(0);
    this.parkQueue = new Uint8Array(0);
    this.stats = stats;
    this.mshrLine = new Float64Array(p.mshrs);
    this.mshrBusy = new Uint8Array(p.mshrs);
    this.mshrExclusive = new Uint8Array(p.mshrs);
    this.mshrWantsWrite = new Uint8Array(p.mshrs);
    this.mshrGen = new Int32Array(p.mshrs);
    this.mshrStart = new Float64Array(p.mshrs);
    this.mshrFlush = new Uint8Array(p.mshrs);
    this.mshrAbsent = new Uint8Array(p.mshrs);
    this.mshrsInUse = 0;
    this.winDone = new Float64Array(p.loadWindow);
    this.winMshr = new Int32Array(p.loadWindow).fill(NONE);
    this.winGen = new Int32Array(p.loadWindow);
    this.loadsIssued = 0;
    this.sbDone = new Float64Array(p.storeBufferEntries);
    this.sbMshr = new Int32Array(p.storeBufferEntries).fill(NONE);
    this.sbGen = new Int32Array(p.storeBufferEntries);
    this.sbHead = 0;
    this.sbCount = 0;
    this.stallSince = 0;
    this.mmioPending = false;
    this.mmioIssuedAt = 0;
    this.codeStart = 0;
    this.codeBytes = 0;
    this.fetchBytesPerOp = 0;
    this.jumpEvery = 0;
    this.opsToJump = 0;
    this.fetchOff = 0;
    this.fetchPage = -1;
    this.fetchPendingVa = -1;
    this.fetchParked = false;
    this.opFetched = false;
    this.codeRng = null;
    this.stFlushes = stats.counter(`${name}.flushes`, "count", "lines flushed (clflush)");
    this.stFlushedDirty = stats.counter(`${name}.flushedDirty`, "count", "flushed lines that were dirty and went back to memory");
    this.stMmioReads = stats.counter(`${name}.mmio.reads`, "count", "uncacheable device-register reads");
    this.stMmioWrites = stats.counter(`${name}.mmio.writes`, "count", "posted device-register writes");
    this.stMmioReadLatency = stats.histogram(`${name}.mmio.readLatencyPs`, "ps", "MMIO read sent to value back");
    this.stLoads = stats.counter(`${name}.loads`, "count", "loads issued");
    this.stStores = stats.counter(`${name}.stores`, "count", "stores issued");
    this.stL1Hits = stats.counter(`${name}.l1d.hits`, "count", "accesses that hit in L1d (stores: hit with ownership)");
    this.stL2Hits = stats.counter(`${name}.l2.hits`, "count", "accesses that missed L1d and hit in L2");
    this.stMisses = stats.counter(`${name}.l2.misses`, "count", "line misses sent to the northbridge");
    this.stMerged = stats.counter(`${name}.mshr.merged`, "count", "accesses merged into an outstanding miss to the same line");
    this.stWritebacks = stats.counter(`${name}.l2.writebacks`, "count", "dirty lines evicted to memory");
    this.stStallPs = stats.counter(`${name}.stallPs`, "ps", "time the core could not issue (window, registers, dependences, store buffer)");
    this.stPrefetches = stats.counter(`${name}.hwPrefetches`, "count", "lines fetched by the hardware prefetcher");
    this.stPrefetchStopped = stats.counter(`${name}.hwPrefetchStopped`, "count", "hardware prefetches dropped at a page without a TLB entry");
    this.stMissLatency = stats.histogram(`${name}.missLatencyPs`, "ps", "miss register allocated to fill");
    stats.formula(`${name}.l1d.hitRate`, "ratio", "L1d hits over accesses", () => this.stL1Hits.value / (this.stLoads.value + this.stStores.value));
    stats.formula(`${name}.finishedAtNs`, "ns", "when the thread finished (0 if it had no work)", () => (this.finishedAt < 0 ? 0 : this.finishedAt / 1000));
  }

  /** Gives the core a thread to run from tick `startAt`, translating addresses with `translator`. */
  runThread(program: ThreadProgram, translator: Translator, startAt = 0): void {
    this.program = program;
    this.translator = translator;
    this.done = false;
    this.finishedAt = -1;
    this.lastIssueAt = startAt;
    this.wakeAt(Math.max(startAt, this.sim.now));
  }

  /** Turns value tracking on: the caches keep a version per line and every load is checked. */
  trackValues(values: ValueAudit): void {
    this.values = values;
    this.l1d.trackVersions();
    this.l2.trackVersions();
    this.writeBacks.trackVersions();
  }

  /**
   * Times address translation through `mmu` (TLBs, page-walk caches, walks of the page tables
   * in memory): an access starts only once its translation is done.
   */
  attachMmu(mmu: Mmu, walkers: number, inFlight: number): void {
    this.mmu = mmu;
    this.walker = new PageWalker(this.sim, this.stats, `${mmu.name}.walker`, this.clock, this, mmu, walkers, inFlight);
    this.parkEntry = new Int32Array(this.walker.slots);
    this.parkQueue = new Uint8Array(this.walker.slots);
  }

  /**
   * Gives the thread a code region: before each memory operation the core fetches `bytesPerOp`
   * more instruction bytes, in order, jumping to a random place in the region every `jumpEvery`
   * operations (0: never); each new code page is translated through the L1 ITLB, the L2 TLB and,
   * on a miss, a page walk, and issue waits for it (a front-end stall). Needs timed translation.
   */
  setCode(startVa: number, bytes: number, bytesPerOp: number, jumpEvery: number, rng: { next(): number }): void {
    this.codeStart = startVa;
    this.codeBytes = bytes;
    this.fetchBytesPerOp = bytesPerOp;
    this.jumpEvery = jumpEvery;
    this.opsToJump = jumpEvery;
    this.fetchOff = 0;
    this.fetchPage = -1;
    this.codeRng = rng;
  }

  /** The core's translation hardware, if translation is timed. */
  get translation(): Mmu | null {
    return this.mmu;
  }

  /**
   * Stops the core issuing for `ps` from now (e.g. a TLB-shootdown interrupt): operations in
   * flight complete, new ones wait.
   */
  pause(ps: number): void {
    const until = this.sim.now + ps;
    if (until > this.pausedUntil) this.pausedUntil = until;
    this.stStallPs.value += ps;
  }

  /** Node (socket) the core sits on. */
  get node(): number {
    return this.p.node;
  }

  /** True while the thread has work left or operations in flight. */
  get busy(): boolean {
    return this.program !== null && this.finishedAt < 0;
  }

  /** Something a stalled access waited for outside the core (a page being moved) is done: try again. */
  retry(): void {
    if (this.stalled) this.wakeAt(this.sim.now);
  }

  /** The scheduled issue point has come. */
  handleEvent(kind: number): void {
    if (kind === EV_ISSUE) {
      this.scheduledAt = -1;
      this.issue();
    }
  }

  /** A fill arrives from the northbridge. */
  recv(_port: Port, msg: Message): boolean {
    if (msg.kind === MsgKind.MmioReadResp) return this.mmioDone(msg);
    const m = msg.txnId;
    // Every request completes exactly once: a fill for a free miss register is a broken invariant.
    if (this.mshrBusy[m] !== 1) throw new InvariantError(this.name, this.sim.now, `fill for miss register ${m}, which has no request outstanding`);
    const line = this.mshrLine[m];
    let state = msg.aux;
    const fromSharedCache = msg.dst === -1;
    let version = msg.version;
    const source = msg.src;
    this.pool.put(msg);
    this.stMissLatency.sample(this.sim.now - this.mshrStart[m]);
    if (this.trace !== null) this.trace.span(this.name, "miss", this.mshrStart[m], this.sim.now, { line: line * this.lineBytes });
    if (this.mshrFlush[m] === 1) {
      // A clflush answered: every other copy is gone; nothing to install.
      this.mshrFlush[m] = 0;
      this.sendSrcDone(line, fromSharedCache);
      this.mshrBusy[m] = 0;
      this.mshrGen[m]++;
      this.mshrsInUse--;
      if (this.walker !== null) this.walker.onMshrFree();
      if (this.stalled) this.issue();
      else if (this.program !== null && !this.haveOp && this.done) this.checkFinished();
      return true;
    }
    if (this.mshrWantsWrite[m] === 1 && state === LineState.S) {
      // A store merged into a read miss and the line came back shared: ask again for ownership,
      // after releasing the first transaction at its home.
      this.sendSrcDone(line, fromSharedCache);
      this.mshrExclusive[m] = 1;
      this.mshrWantsWrite[m] = 0;
      this.sendRequest(m, line, true);
      return true;
    }
    if (this.mshrWantsWrite[m] === 1 && state === LineState.E) state = LineState.M;
    if (this.values !== null) version = this.checkFill(m, line, version, source);
    this.fill(line, state, version);
    // The line is in: tell its home the transaction is done, as the requester does.
    this.sendSrcDone(line, fromSharedCache);
    this.mshrBusy[m] = 0;
    this.mshrGen[m]++;
    this.mshrsInUse--;
    if (this.walker !== null) {
      this.walker.onFill(m);
      this.walker.onMshrFree();
    }
    if (this.stalled) this.issue();
    else if (this.program !== null && !this.haveOp && this.done) this.checkFinished();
    return true;
  }

  /** The northbridge has room again. */
  wake(_port: Port): void {
    drainBacklog(this.port, this.outQ);
  }

  // ---- issue --------------------------------------------------------------------------------

  private wakeAt(t: number): void {
    if (this.scheduledAt >= 0 && this.scheduledAt <= t) return;
    this.scheduledAt = t;
    this.sim.scheduleAt(this, t, EV_ISSUE, null);
  }

  private stall(): void {
    if (!this.stalled) {
      this.stalled = true;
      this.stallSince = this.sim.now;
    }
  }

  private unstall(): void {
    if (this.stalled) {
      this.stalled = false;
      this.stStallPs.value += this.sim.now - this.stallSince;
    }
  }

  private issue(): void {
    let now = this.sim.now;
    const period = this.clock.periodPs;
    const program = this.program;
    if (program === null) return;
    if (this.pausedUntil > now) {
      this.wakeAt(this.pausedUntil);
      return;
    }
    for (;;) {
      // Behind an MMIO read every later access waits, as behind a fence.
      if (this.mmioPending) return this.stall();
      if (!this.haveOp) {
        if (this.done || !program.next(this.op)) {
          this.done = true;
          this.unstall();
          this.checkFinished();
          return;
        }
        this.haveOp = true;
        this.opReadyAt = this.lastIssueAt + this.op.gapCycles * period;
      }
      if (this.opReadyAt > now) {
        this.unstall();
        if (!this.moveOn(this.opReadyAt)) return;
        now = this.opReadyAt;
      }
      const kind = this.op.kind;
      let waitUntil = 0;
      if (kind === OpKind.Load) {
        const k = this.op.dependsOn;
        if (k > 0 && k <= this.loadsIssued && k <= this.p.loadWindow) {
          const d = this.entryDone(this.winDone, this.winMshr, this.winGen, (this.loadsIssued - k) % this.p.loadWindow);
          if (d === Infinity) return this.stall();
          if (d > waitUntil) waitUntil = d;
        }
        const e = this.loadsIssued % this.p.loadWindow;
        if (this.loadsIssued >= this.p.loadWindow) {
          const d = this.entryDone(this.winDone, this.winMshr, this.winGen, e);
          if (d === Infinity) return this.stall();
          if (d > waitUntil) waitUntil = d;
        }
      } else if (kind === OpKind.Store) {
        const k = this.op.dependsOn;
        if (k > 0 && k <= this.sbCount) {
          const n = this.p.storeBufferEntries;
          const d = this.entryDone(this.sbDone, this.sbMshr, this.sbGen, (this.sbHead + this.sbCount - k) % n);
          if (d === Infinity) return this.stall();
          if (d > waitUntil) waitUntil = d;
        }
        if (this.sbCount === this.p.storeBufferEntries) {
          const d = this.entryDone(this.sbDone, this.sbMshr, this.sbGen, this.sbHead);
          if (d === Infinity) return this.stall();
          if (d > waitUntil) waitUntil = d;
        }
      } else if (kind === OpKind.MmioLoad || kind === OpKind.MmioStore) {
        // Uncacheable and strictly ordered: every earlier access completes first.
        if (this.mshrsInUse > 0 || (this.walker !== null && this.walker.busy > 0)) return this.stall();
        const d = this.lastAccessDone();
        if (d > waitUntil) waitUntil = d;
      }
      if (waitUntil > now) {
        this.unstall();
        if (!this.moveOn(waitUntil)) return;
        now = waitUntil;
        continue;
      }
      if (this.codeBytes > 0 && !this.opFetched && !this.fetch()) return this.stall();
      if (!this.access(now)) return this.stall();
      this.haveOp = false;
      this.opFetched = false;
      this.lastIssueAt = now;
      if (this.pausedUntil > now) {
        // The access trapped to the VMM: nothing issues until the exit is over.
        this.unstall();
        if (!this.moveOn(this.pausedUntil)) return;
        now = this.pausedUntil;
      }
    }
  }

  /**
   * The core's next step is at `t`: it carries on now with the clock moved there when nothing
   * else is due by then (true), else it wakes itself at `t` (false).
   */
  private moveOn(t: number): boolean {
    if (this.sim.advanceTo(t)) {
      // As when the wake-up event fires: none is pending.
      this.scheduledAt = -1;
      return true;
    }
    this.wakeAt(t);
    return false;
  }

  /** Completion tick of a window / store-buffer entry: Infinity while its miss is outstanding. */
  private entryDone(done: Float64Array, mshr: Int32Array, gen: Int32Array, e: number): number {
    const m = mshr[e];
    if (m === NONE) return done[e];
    if (m === PARKED) return Infinity;
    if (this.mshrBusy[m] === 1 && this.mshrGen[m] === gen[e]) return Infinity;
    mshr[e] = NONE;
    done[e] = 0;
    return 0;
  }

  /**
   * Performs the current operation at `now`; false if it needs a miss register (or a translation
   * slot) and none is free. With timed translation, an access that misses the L1 DTLB is parked
   * in its window / store-buffer entry until its translation is done.
   */
  private access(now: number): boolean {
    const op = this.op;
    if (op.kind === OpKind.Unmap) return this.unmap();
    if (op.kind === OpKind.MmioLoad || op.kind === OpKind.MmioStore) return this.mmio(op.kind === OpKind.MmioStore);
    // A page being moved to another frame is unmapped: the access waits until `retry`.
    const tr = this.translator as Translator;
    if (tr.moving !== undefined && tr.moving(op.vaddr)) return false;
    if (op.kind === OpKind.Flush) return this.flush();
    const isStore = op.kind === OpKind.Store;
    const w = this.walker;
    // The paging model flushes the translating core's TLBs on an untagged VM exit.
    if (w !== null) (this.mmu as Mmu).paging.current = this.mmu;
    const paddr = (this.translator as Translator).translate(op.vaddr, this.p.node, isStore);
    if (w !== null) {
      const mmu = this.mmu as Mmu;
      const penalty = mmu.paging.takePenaltyPs() + mmu.switchIfDue(now) + mmu.syscallIfDue(now);
      if (penalty > 0) this.pause(penalty);
      const s = w.start(op.vaddr, paddr, op.kind, this.p.node, penalty);
      if (s === NO_SLOT) return false;
      if (s !== TRANSLATED) {
        this.park(s, op.kind);
        return true;
      }
    }
    const missesBefore = this.stMisses.value;
    if (!this.perform(now, op.kind, paddr, NONE)) return false;
    if (op.kind === OpKind.Load && this.stMisses.value > missesBefore && (this.p.prefetchLines ?? 0) > 0) this.hwPrefetch(op.vaddr, paddr);
    return true;
  }

  /**
   * Next-line prefetch after a load missed: fetches the following lines into L2 / L1d while a
   * miss register is free. A line in another page needs that page's translation in the TLB (a
   * prefetcher may not start walks); without timed translation it never leaves the page.
   */
  private hwPrefetch(vaddr: number, paddr: number): void {
    const lb = this.lineBytes;
    const pageBytes = this.p.pageBytes ?? 4096;
    const n = this.p.prefetchLines ?? 0;
    const page = Math.floor(vaddr / pageBytes);
    const lineVa = Math.floor(vaddr / lb) * lb;
    for (let k = 1; k <= n; k++) {
      const va = lineVa + k * lb;
      let pa: number;
      if (Math.floor(va / pageBytes) === page) pa = Math.floor(paddr / lb) * lb + k * lb;
      else {
        const mmu = this.mmu;
        if (mmu === null || !mmu.holds(va)) {
          this.stPrefetchStopped.value++;
          return;
        }
        pa = this.translator?.peek?.(va) ?? -1;
        if (pa < 0) return;
      }
      const line = Math.floor(pa / lb);
      if (this.l1d.find(line) >= 0 || this.l2.find(line) >= 0 || this.findMshr(line) !== NONE) continue;
      if (this.mshrsInUse === this.p.mshrs) return;
      const m = this.allocMshr(line, false);
      this.stMisses.value++;
      this.stPrefetches.value++;
      this.sendRequest(m, line, false);
    }
  }

  /**
   * clflush: drops the line from L1d and L2 (writing it back if dirty) and asks the line's home to
   * invalidate every other copy; the flush holds a miss register until the home answers, so
   * flushes overlap up to the miss registers and a later fence waits for them. False while a miss
   * to the line is outstanding or no miss register is free.
   */
  private flush(): boolean {
    const paddr = (this.translator as Translator).translate(this.op.vaddr, this.p.node, false);
    const line = Math.floor(paddr / this.lineBytes);
    if (this.findMshr(line) !== NONE || this.mshrsInUse === this.p.mshrs) return false;
    this.stFlushes.value++;
    const s1 = this.l1d.find(line);
    const s2 = this.l2.find(line);
    const dirty = (s1 >= 0 && isDirty(this.l1d.slotState(s1))) || (s2 >= 0 && isDirty(this.l2.slotState(s2)));
    if (s1 >= 0 || s2 >= 0) {
      const version = s2 >= 0 ? this.l2.slotVersion(s2) : 0;
      this.l2.invalidate(line);
      // evictFromL2 drops the L1d copy and writes the line back when either copy was dirty.
      this.evictFromL2(line, dirty ? LineState.M : LineState.I, version);
      if (dirty) this.stFlushedDirty.value++;
    }
    const m = this.allocMshr(line, true);
    this.mshrFlush[m] = 1;
    const msg = this.pool.get();
    msg.kind = MsgKind.FlushReq;
    msg.addr = line * this.lineBytes;
    msg.txnId = m;
    msg.sizeBytes = 8;
    msg.issuedAt = this.sim.now;
    this.send(msg);
    return true;
  }

  /** Latest completion tick of the loads in the window and the stores in the buffer (all hits by now). */
  private lastAccessDone(): number {
    let d = 0;
    const n = Math.min(this.loadsIssued, this.p.loadWindow);
    for (let e = 0; e < n; e++) if (this.winMshr[e] === NONE && this.winDone[e] > d) d = this.winDone[e];
    this.retireStores(this.sim.now);
    if (this.sbCount > 0) {
      const last = this.sbDone[(this.sbHead + this.sbCount - 1) % this.p.storeBufferEntries];
      if (last > d) d = last;
    }
    return d;
  }

  /** Sends an MMIO read (the core then waits for its value) or a posted MMIO write. */
  private mmio(isWrite: boolean): boolean {
    const msg = this.pool.get();
    msg.kind = isWrite ? MsgKind.MmioWrite : MsgKind.MmioRead;
    msg.addr = this.op.vaddr;
    msg.aux = isWrite ? this.op.bytes : 0;
    msg.txnId = 0;
    msg.sizeBytes = 8;
    msg.issuedAt = this.sim.now;
    if (isWrite) this.stMmioWrites.value++;
    else {
      this.stMmioReads.value++;
      this.mmioPending = true;
      this.mmioIssuedAt = this.sim.now;
    }
    this.send(msg);
    return true;
  }

  /** An MMIO read's value is back: the thread sees it and issuing resumes. */
  private mmioDone(msg: Message): boolean {
    if (!this.mmioPending) throw new InvariantError(this.name, this.sim.now, "MMIO read response with no MMIO read outstanding");
    const value = msg.aux;
    this.pool.put(msg);
    this.mmioPending = false;
    this.stMmioReadLatency.sample(this.sim.now - this.mmioIssuedAt);
    this.program?.mmioValue?.(value);
    this.lastIssueAt = this.sim.now;
    if (this.stalled || this.scheduledAt < 0) this.issue();
    return true;
  }

  /** munmap: the OS drops the pages; a shootdown's wait (with timed translation) stops the core. */
  private unmap(): boolean {
    const mmu = this.mmu;
    if (mmu !== null) mmu.paging.current = mmu;
    this.translator?.unmap?.(this.op.vaddr, this.op.bytes);
    if (mmu !== null) {
      const penalty = mmu.paging.takePenaltyPs();
      if (penalty > 0) this.pause(penalty);
    }
    return true;
  }

  /** Gives a parked access its load-window or store-buffer entry now, so order and dependences hold. */
  private park(slot: number, kind: number): void {
    if (kind === OpKind.Load) {
      this.stLoads.value++;
      const e = this.loadsIssued % this.p.loadWindow;
      this.loadsIssued++;
      this.winDone[e] = 0;
      this.winMshr[e] = PARKED;
      this.parkEntry[slot] = e;
      this.parkQueue[slot] = 1;
    } else if (kind === OpKind.Store) {
      this.stStores.value++;
      const n = this.p.storeBufferEntries;
      if (this.sbCount === n) {
        this.sbHead = (this.sbHead + 1) % n;
        this.sbCount--;
      }
      const e = (this.sbHead + this.sbCount) % n;
      this.sbDone[e] = 0;
      this.sbMshr[e] = PARKED;
      this.sbCount++;
      this.parkEntry[slot] = e;
      this.parkQueue[slot] = 2;
    } else this.parkQueue[slot] = 0;
  }

  /** WalkHost: a page-walk reference through L1d and L2, or a miss register. */
  walkRef(paddr: number): number {
    const now = this.sim.now;
    const line = Math.floor(paddr / this.lineBytes);
    const l1Ps = this.p.l1LatencyCycles * this.clock.periodPs;
    const s1 = this.l1d.find(line);
    if (s1 >= 0) {
      this.l1d.touch(s1);
      return now + l1Ps;
    }
    const s2 = this.l2.find(line);
    if (s2 >= 0) {
      this.l2.touch(s2);
      this.fromL2(line, s2, this.l2.slotState(s2), this.l2.slotVersion(s2));
      return now + l1Ps + this.p.l2LatencyCycles * this.clock.periodPs;
    }
    let m = this.findMshr(line);
    if (m === NONE) {
      if (this.mshrsInUse === this.p.mshrs) return NO_MSHR;
      m = this.allocMshr(line, false);
      this.stMisses.value++;
      this.sendRequest(m, line, false);
    }
    return -2 - m;
  }

  /** WalkHost: the parked access of `slot` goes ahead (a fetch's: issue may go on). */
  translated(slot: number, paddr: number, kind: number): boolean {
    if (kind === OpKind.Fetch) {
      this.fetchParked = false;
      this.fetchPage = Math.floor(this.fetchPendingVa / 4096);
      this.fetchPendingVa = -1;
      this.opFetched = true;
      return true;
    }
    return this.perform(this.sim.now, kind, paddr, slot);
  }

  /**
   * Fetches the current operation's instructions: true when their page is translated (an ITLB hit,
   * or the same page as before); false while a translation is under way or no walker is free.
   */
  private fetch(): boolean {
    if (this.fetchParked) return false;
    const w = this.walker;
    if (w === null) {
      this.opFetched = true;
      return true;
    }
    let va = this.fetchPendingVa;
    if (va < 0) {
      if (this.jumpEvery > 0 && --this.opsToJump <= 0) {
        this.opsToJump = this.jumpEvery;
        this.fetchOff = Math.floor(((this.codeRng as { next(): number }).next() * this.codeBytes) / 64) * 64;
      } else this.fetchOff = (this.fetchOff + this.fetchBytesPerOp) % this.codeBytes;
      va = this.codeStart + this.fetchOff;
      if (Math.floor(va / 4096) === this.fetchPage) {
        this.opFetched = true;
        return true;
      }
    }
    const pa = (this.translator as Translator).translate(va, this.p.node, false);
    const s = w.start(va, pa, OpKind.Fetch, this.p.node, 0);
    this.fetchPendingVa = va;
    if (s === NO_SLOT) return false;
    if (s === TRANSLATED) {
      this.fetchPage = Math.floor(va / 4096);
      this.fetchPendingVa = -1;
      this.opFetched = true;
      return true;
    }
    this.fetchParked = true;
    return false;
  }

  /** WalkHost: a translation slot is free again. */
  translationFreed(): void {
    if (this.stalled) this.issue();
    else if (this.program !== null && !this.haveOp && this.done) this.checkFinished();
  }

  /**
   * The data access of an operation of `kind` at physical `paddr`: a new window / store-buffer
   * entry, or (`slot` >= 0) the one its translation parked; false if no miss register is free.
   */
  private perform(now: number, kind: number, paddr: number, slot: number): boolean {
    const isStore = kind === OpKind.Store;
    const line = Math.floor(paddr / this.lineBytes);
    const l1Ps = this.p.l1LatencyCycles * this.clock.periodPs;
    let doneAt = -1;
    let mshr = NONE;
    const s1 = this.l1d.find(line);
    if (s1 >= 0 && (!isStore || isWritable(this.l1d.slotState(s1)))) {
      this.l1d.touch(s1);
      if (isStore) this.l1d.setSlotState(s1, LineState.M);
      if (this.values !== null) this.l1Access(s1, line, isStore);
      this.stL1Hits.value++;
      doneAt = now + l1Ps;
    } else {
      // A miss under way for a line that was in neither cache when it began leaves it in neither
      // until its fill: the access joins it without a look in the L2.
      const pending = this.mshrsInUse > 0 ? this.findMshr(line) : NONE;
      const s2 = pending !== NONE && this.mshrAbsent[pending] === 1 ? -1 : this.l2.find(line);
      if (s2 >= 0 && (!isStore || isWritable(this.l2.slotState(s2)))) {
        this.l2.touch(s2);
        this.stL2Hits.value++;
        const st = isStore ? LineState.M : this.l2.slotState(s2);
        if (isStore) this.l2.setSlotState(s2, LineState.M);
        this.fromL2(line, s2, st, this.values === null ? 0 : this.l2Access(s2, line, isStore));
        doneAt = now + l1Ps + this.p.l2LatencyCycles * this.clock.periodPs;
      } else if (pending !== NONE) {
        mshr = pending;
        this.stMerged.value++;
        if (isStore && this.mshrExclusive[mshr] === 0) this.mshrWantsWrite[mshr] = 1;
      } else {
        if (this.mshrsInUse === this.p.mshrs) return false;
        mshr = this.allocMshr(line, isStore, s1 < 0 && s2 < 0);
        this.stMisses.value++;
        this.sendRequest(mshr, line, isStore);
      }
    }
    if (slot >= 0) {
      const e = this.parkEntry[slot];
      const q = this.parkQueue[slot];
      if (q === 1) {
        this.winDone[e] = doneAt;
        this.winMshr[e] = mshr;
        this.winGen[e] = mshr === NONE ? 0 : this.mshrGen[mshr];
      } else if (q === 2) {
        this.sbDone[e] = doneAt;
        this.sbMshr[e] = mshr;
        this.sbGen[e] = mshr === NONE ? 0 : this.mshrGen[mshr];
        this.retireStores(now);
      }
    } else if (kind === OpKind.Load) {
      this.stLoads.value++;
      const e = this.loadsIssued % this.p.loadWindow;
      this.loadsIssued++;
      this.winDone[e] = doneAt;
      this.winMshr[e] = mshr;
      this.winGen[e] = mshr === NONE ? 0 : this.mshrGen[mshr];
    } else if (isStore) {
      this.stStores.value++;
      if (this.sbCount === this.p.storeBufferEntries) {
        this.sbHead = (this.sbHead + 1) % this.p.storeBufferEntries;
        this.sbCount--;
      }
      const e = (this.sbHead + this.sbCount) % this.p.storeBufferEntries;
      // Stores commit in order: an entry is done no earlier than the one before it.
      const prev = this.sbCount > 0 ? this.sbDone[(e + this.p.storeBufferEntries - 1) % this.p.storeBufferEntries] : 0;
      this.sbDone[e] = doneAt > prev ? doneAt : prev;
      this.sbMshr[e] = mshr;
      this.sbGen[e] = mshr === NONE ? 0 : this.mshrGen[mshr];
      this.sbCount++;
      this.retireStores(now);
    }
    return true;
  }

  /** Frees store-buffer entries that have committed by `now`. */
  private retireStores(now: number): void {
    while (this.sbCount > 0) {
      const d = this.entryDone(this.sbDone, this.sbMshr, this.sbGen, this.sbHead);
      if (d > now) return;
      this.sbHead = (this.sbHead + 1) % this.p.storeBufferEntries;
      this.sbCount--;
    }
  }

  private findMshr(line: number): number {
    for (let m = 0; m < this.p.mshrs; m++) if (this.mshrBusy[m] === 1 && this.mshrLine[m] === line) return m;
    return NONE;
  }

  /** A free miss register for `line`; `absent`: the line is in neither the L1d nor the L2 (not an upgrade). */
  private allocMshr(line: number, exclusive: boolean, absent = true): number {
    for (let m = 0; m < this.p.mshrs; m++) {
      if (this.mshrBusy[m] === 0) {
        this.mshrBusy[m] = 1;
        this.mshrLine[m] = line;
        this.mshrAbsent[m] = absent ? 1 : 0;
        this.mshrExclusive[m] = exclusive ? 1 : 0;
        this.mshrWantsWrite[m] = 0;
        this.mshrStart[m] = this.sim.now;
        this.mshrsInUse++;
        return m;
      }
    }
    throw new Error(`${this.name}: no free miss register at tick ${this.sim.now}`);
  }

  /** Releases a completed transaction at the line's home (SrcDone); a shared-cache hit has none. */
  private sendSrcDone(line: number, fromSharedCache: boolean): void {
    const done = this.pool.get();
    done.kind = MsgKind.SrcDone;
    done.addr = line * this.lineBytes;
    done.aux = fromSharedCache ? 1 : 0;
    done.sizeBytes = 4;
    this.send(done);
  }

  private sendRequest(mshr: number, line: number, exclusive: boolean): void {
    const msg = this.pool.get();
    msg.kind = exclusive ? MsgKind.ReadExReq : MsgKind.ReadReq;
    msg.addr = line * this.lineBytes;
    msg.txnId = mshr;
    msg.sizeBytes = 8;
    msg.issuedAt = this.sim.now;
    this.send(msg);
  }

  private send(msg: Message): void {
    sendOrQueue(this.port, this.outQ, msg);
  }

  // ---- fills and evictions ------------------------------------------------------------------

  private fill(line: number, state: number, version: number): void {
    if (this.audit !== null) {
      // Installing replaces this core's own copy (an upgrade): check against the others first.
      this.audit.onFill(this.name, this.p.node, line, state, this.sim.now);
    }
    if (this.l2Exclusive) {
      // The fill goes to the L1d only (an upgrade's old copy may still sit in the L2).
      this.l2.invalidate(line);
    } else if (this.l2.insert(line, state, version)) this.evictFromL2(this.l2.victimLine, this.l2.victimState, this.l2.victimVersion);
    this.installL1(line, state, version);
  }

  /** An L2 hit (in `slot`) fills the L1d; an exclusive L2 gives the line up to it. */
  private fromL2(line: number, slot: number, state: number, version: number): void {
    if (this.l2Exclusive) this.l2.invalidateSlot(slot);
    this.installL1(line, state, version);
  }

  /**
   * Puts a line in L1; a dirty L1 victim is written into L2 (which may in turn evict), and with
   * an exclusive L2 every victim moves there.
   */
  private installL1(line: number, state: number, version: number): void {
    if (!this.l1d.insert(line, state, version)) return;
    const vLine = this.l1d.victimLine;
    const vState = this.l1d.victimState;
    if (!isDirty(vState) && !this.l2Exclusive) return;
    const vVersion = this.l1d.victimVersion;
    if (this.l2.absorb(vLine, vState, vVersion)) this.evictFromL2(this.l2.victimLine, this.l2.victimState, this.l2.victimVersion);
  }

  /**
   * An L2 victim (holding data of `version`) leaves the core: its L1 copy goes too, and dirty
   * data is written back (the L1 copy's, which is the newer, when there is one).
   */
  private evictFromL2(line: number, state: number, version: number): void {
    if (this.values !== null) {
      const i = this.l1d.find(line);
      if (i >= 0) version = this.l1d.slotVersion(i);
    }
    const s1 = this.l1d.invalidate(line);
    if (!isDirty(state) && !isDirty(s1)) return;
    this.stWritebacks.value++;
    const wb = this.pool.get();
    wb.kind = MsgKind.WriteBack;
    wb.addr = line * this.lineBytes;
    // The dirty state it leaves in: O means other nodes share the line (the shared cache keeps it O).
    wb.aux = isDirty(state) ? state : LineState.M;
    wb.sizeBytes = 8 + this.lineBytes;
    wb.issuedAt = this.sim.now;
    wb.version = version;
    this.writeBacks.add(wb.addr, version);
    this.send(wb);
  }

  // ---- value tracking (--check) ---------------------------------------------------------------

  /** A load or store hit in L1d slot `slot`: a store makes a new version, a load checks its own. */
  private l1Access(slot: number, line: number, isStore: boolean): void {
    const values = this.values as ValueAudit;
    if (isStore) this.l1d.setSlotVersion(slot, values.store(this.name, line, this.sim.now));
    else values.read(this.name, line, this.l1d.slotVersion(slot), this.sim.now, "load hit in L1d");
  }

  /** A load or store hit in L2 slot `slot`: returns the version the L1d copy gets. */
  private l2Access(slot: number, line: number, isStore: boolean): number {
    const values = this.values as ValueAudit;
    if (!isStore) {
      const v = this.l2.slotVersion(slot);
      values.read(this.name, line, v, this.sim.now, "load hit in L2");
      return v;
    }
    const v = values.store(this.name, line, this.sim.now);
    this.l2.setSlotVersion(slot, v);
    return v;
  }

  /**
   * A fill of miss register `m` brings data of `version` from `source` (mem/data-source.ts): it
   * must be the latest; a store waiting on the miss then completes with a new version, returned.
   */
  private checkFill(m: number, line: number, version: number, source: number): number {
    const values = this.values as ValueAudit;
    const forStore = this.mshrExclusive[m] === 1 || this.mshrWantsWrite[m] === 1;
    values.read(this.name, line, version, this.sim.now, forStore ? "fill of a read-for-ownership miss" : "fill of a read miss", source);
    return forStore ? values.store(this.name, line, this.sim.now) : version;
  }

  private checkFinished(): void {
    if (this.finishedAt >= 0 || this.mshrsInUse > 0 || this.mmioPending) return;
    if (this.walker !== null && this.walker.busy > 0) return;
    this.retireStores(this.sim.now);
    if (this.sbCount > 0) {
      // The last stores commit in the future: finish then.
      const last = this.sbDone[(this.sbHead + this.sbCount - 1) % this.p.storeBufferEntries];
      if (last > this.sim.now) {
        this.wakeAt(last);
        return;
      }
    }
    this.finishedAt = Math.max(this.sim.now, this.lastIssueAt);
  }
}
