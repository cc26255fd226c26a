import type { EventHandler } from "../../kernel/event-queue.ts";
import { MessagePool, MessageQueue, type Message } from "../../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../../kernel/port.ts";
import type { Simulator } from "../../kernel/simulator.ts";
import { MsgKind, XLAT_BLOCKED } from "../../mem/msg-kind.ts";
import type { Counter } from "../../stats/counter.ts";
import type { Histogram } from "../../stats/histogram.ts";
import type { StatsRegistry } from "../../stats/registry.ts";
import { leafShiftOf, type DeviceView } from "./device-view.ts";
import { Iotlb } from "./iotlb.ts";
import { IovaAllocator } from "./iova-allocator.ts";
import { TableWalker, type WalkClient } from "./table-walker.ts";

/** How unmaps invalidate cached translations: each at once (strict), or queued and flushed together (batched). */
export type InvalidationMode = "strict" | "batched";

/** Parameters of an IOMMU (times in ps). */
export interface IommuParams {
  /** IOTLB entries (default 128). */
  iotlbEntries: number;
  /** IOTLB ways per set (default 8). */
  iotlbAssoc: number;
  /** IOTLB lookup time, in ps (default 5,000: an estimate for a lookup on the CPU die, after the request crossed the root complex). */
  iotlbLatencyPs: number;
  /** Entries of each upper-level page-walk cache (levels 2-4), 0 for none (default 16). */
  pwcEntries: number;
  /** Page walks that may run at once (default 4). */
  walkers: number;
  /** Translation requests that may wait for a walker before the device port refuses (default 32). */
  queueDepth: number;
  /** Bytes of one table-entry read (a line; default 64). */
  lineBytes: number;
  /** Walker processing per table reference, in ps, on top of the memory's answer (default 1,000). */
  walkStepPs: number;
  /** Interrupt that tells the host of a page request, in ps (default 2,000,000: estimate). */
  faultInterruptPs: number;
  /** The IOMMU driver's page-request handler, in ps (default 3,000,000: estimate). */
  faultHandlerPs: number;
  /** The OS's page-fault cost for the page, in ps (default 1,000,000; a machine gives os.pageFaultCycles). */
  osFaultPs: number;
  /** Invalidation mode of `unmap` (default strict). */
  invalidation: InvalidationMode;
  /** One invalidation command through the IOMMU command queue, with its completion wait, in ps (default 1,000,000: estimate). */
  invalCmdPs: number;
  /** Batched mode: unmaps queued before a flush (default 256, Linux's IOVA flush-queue size). */
  batchUnmaps: number;
  /** Batched mode: a flush at the latest this long after the first queued unmap, in ps (default 10 ms, Linux's flush-queue timeout). */
  batchTimeoutPs: number;
  /** Driver time of one map call (IOVA allocation, entry writes), in ps (default 200,000: estimate). */
  mapPs: number;
  /** Driver time of one unmap call (entry clears, bookkeeping), in ps (default 200,000: estimate). */
  unmapPs: number;
  /** First IOVA of the driver's IOVA allocator (default 2^40). */
  iovaBase: number;
  /** Bytes of IOVA space (default 1 GiB). */
  iovaBytes: number;
}

/** IOMMU parameters with their defaults. */
export const IOMMU_DEFAULTS: IommuParams = {
  iotlbEntries: 128,
  iotlbAssoc: 8,
  iotlbLatencyPs: 5_000,
  pwcEntries: 16,
  walkers: 4,
  queueDepth: 32,
  lineBytes: 64,
  walkStepPs: 1_000,
  faultInterruptPs: 2_000_000,
  faultHandlerPs: 3_000_000,
  osFaultPs: 1_000_000,
  invalidation: "strict",
  invalCmdPs: 1_000_000,
  batchUnmaps: 256,
  batchTimeoutPs: 10_000_000_000,
  mapPs: 200_000,
  unmapPs: 200_000,
  iovaBase: 2 ** 40,
  iovaBytes: 2 ** 30,
};

const EV_LOOKUP = 1;
const EV_FAULT_DONE = 2;
const EV_INVAL_ISSUE = 3;
const EV_UNMAP_DONE = 4;
const EV_BATCH_TIMEOUT = 5;
const EV_INVAL_DONE = 6;

/** One invalidation under way: what it covers, whom to tell, and the IOVAs it frees. */
class Invalidation {
  id: number;
  start: number;
  bytes: number;
  done: EventHandler | null;
  doneKind: number;
  donePayload: unknown;
  /** IOVA ranges freed when it completes: start, bytes, start, bytes, ... */
  iovas: number[];

  constructor(id: number, start: number, bytes: number) {
    this.id = id;
    this.start = start;
    this.bytes = bytes;
    this.done = null;
    this.doneKind = 0;
    this.donePayload = null;
    this.iovas = [];
  }
}

/**
 * The IOMMU on the CPU die: the translation service of every device behind the root complex
 * (Bhattacharjee & Lustig, "Architectural and Operating System Support for Virtual Memory", 2017,
 * chapter on heterogeneity and virtualization: shared address spaces, device faults served by the
 * host, the IOMMU as translation hub). A device TLB's XlatReq on `devicePort` is looked up in the IOTLB;
 * a miss is walked over the device's view of memory (the host process's own page table, a subset
 * of it, or a separate I/O page table) by page walkers whose table reads leave on `memPort` as
 * MemRead of the entry's line (the root complex makes them coherent host reads, so a remote
 * node's table costs a trip over the interconnect). A non-present page raises a page request to
 * the host, which maps it after the fault cost; the walk is then retried. An address outside the
 * device's view is answered XLAT_BLOCKED without touching memory. `unmap` drops translations
 * strictly (invalidate at once) or batched (deferred, IOVAs held until the flush).
 */
export class Iommu implements PortOwner, EventHandler, WalkClient {
  readonly name: string;
  /** Device side: XlatReq in, XlatResp out; XlatInval out, XlatInvalDone in. */
  readonly devicePort: Port;
  /** Memory side: the walkers' MemRead of table entries out, MemReadResp in. */
  readonly memPort: Port;
  /** Parameters. */
  readonly params: IommuParams;
  /** The device's view of memory. */
  readonly view: DeviceView;
  /** The IOTLB. */
  readonly iotlb: Iotlb;
  /** The page walkers. */
  readonly walker: TableWalker;
  /** The driver's IOVA allocator (separate address spaces). */
  readonly iova: IovaAllocator;
  private readonly sim: Simulator;
  private readonly pool: MessagePool;
  private readonly devBacklog: MessageQueue;
  private inLookup: number;
  private refused: boolean;
  private hostFreeAt: number;
  private cmdFreeAt: number;
  private readonly faultRaisedAt: Float64Array;
  private nextInvalId: number;
  private readonly invals: Map<number, Invalidation>;
  private pending: Invalidation | null;
  private pendingCount: number;
  private batchGen: number;
  private iovaWaiter: EventHandler | null;
  private iovaWaiterKind: number;
  private readonly stHits: Counter;
  private readonly stMisses: Counter;
  private readonly stFaults: Counter;
  private readonly stBlocked: Counter;
  private readonly stInvals: Counter;
  private readonly stUnmaps: Counter;
  private readonly stDropped: Counter;
  private readonly stFaultPs: Histogram;
  private readonly stMissPs: Histogram;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, view: DeviceView, params: Partial<IommuParams> = {}, pool: MessagePool = new MessagePool()) {
    const p: IommuParams = { ...IOMMU_DEFAULTS, ...params };
    this.name = name;
    this.params = p;
    this.view = view;
    this.sim = sim;
    this.pool = pool;
    this.devicePort = new Port(this, `${name}.device`, 0);
    this.memPort = new Port(this, `${name}.mem`, 1);
    this.iotlb = new Iotlb(`${name}.iotlb`, p.iotlbEntries, p.iotlbAssoc, [12, 21, 30]);
    this.walker = new TableWalker(sim, stats, name, view.table, this.memPort, pool, this, { walkers: p.walkers, pwcEntries: p.pwcEntries, lineBytes: p.lineBytes, stepPs: p.walkStepPs });
    this.iova = new IovaAllocator(p.iovaBase, p.iovaBytes, 4096);
    this.devBacklog = new MessageQueue();
    this.inLookup = 0;
    this.refused = false;
    this.hostFreeAt = 0;
    this.cmdFreeAt = 0;
    this.faultRaisedAt = new Float64Array(p.walkers);
    this.nextInvalId = 1;
    this.invals = new Map();
    this.pending = null;
    this.pendingCount = 0;
    this.batchGen = 0;
    this.iovaWaiter = null;
    this.iovaWaiterKind = 0;
    this.stHits = stats.counter(`${name}.iotlb.hits`, "count", "translation requests found in the IOTLB");
    this.stMisses = stats.counter(`${name}.iotlb.misses`, "count", "translation requests that missed the IOTLB");
    this.stFaults = stats.counter(`${name}.faults`, "count", "device page faults (page requests serviced by the host)");
    this.stBlocked = stats.counter(`${name}.blocked`, "count", "translation requests refused: the address is outside the device's view");
    this.stInvals = stats.counter(`${name}.invalidations`, "count", "invalidation commands (IOTLB and device TLBs)");
    this.stUnmaps = stats.counter(`${name}.unmaps`, "count", "driver unmap calls");
    this.stDropped = stats.counter(`${name}.iotlb.invalidated`, "count", "IOTLB entries dropped by invalidations");
    this.stFaultPs = stats.histogram(`${name}.faultServicePs`, "ps", "page request raised to page mapped (host service, queueing included)");
    this.stMissPs = stats.histogram(`${name}.missLatencyPs`, "ps", "IOTLB miss: request arrival to answer, per walk (the IOTLB-miss cost)");
    stats.formula(`${name}.missLatencyMeanPs`, "ps", "mean IOTLB-miss cost", () => this.stMissPs.mean);
  }

  // ---- device-side protocol -------------------------------------------------------------

  recv(port: Port, msg: Message): boolean {
    if (port === this.memPort) {
      if (msg.kind !== MsgKind.MemReadResp) throw new Error(`${this.name}: unexpected message kind ${msg.kind} on the memory port at tick ${this.sim.now}`);
      this.walker.onResponse(msg);
      return true;
    }
    if (msg.kind === MsgKind.XlatInvalDone) {
      this.sim.schedule(this, 0, EV_INVAL_DONE, msg);
      return true;
    }
    if (msg.kind !== MsgKind.XlatReq) throw new Error(`${this.name}: unexpected message kind ${msg.kind} on the device port at tick ${this.sim.now}`);
    if (this.inLookup + this.walker.queue.length >= this.params.queueDepth) {
      this.refused = true;
      return false;
    }
    this.inLookup++;
    this.sim.schedule(this, this.params.iotlbLatencyPs, EV_LOOKUP, msg);
    return true;
  }

  wake(port: Port): void {
    if (port === this.memPort) this.walker.drain();
    else drainBacklog(this.devicePort, this.devBacklog);
  }

  handleEvent(kind: number, payload: unknown): void {
    switch (kind) {
      case EV_LOOKUP:
        this.inLookup--;
        this.lookup(payload as Message);
        this.readyIfRefused();
        break;
      case EV_FAULT_DONE:
        this.faultServiced(payload as number);
        break;
      case EV_INVAL_ISSUE:
        this.issueInvalidation(payload as Invalidation);
        break;
      case EV_UNMAP_DONE: {
        const inv = payload as Invalidation;
        inv.done?.handleEvent(inv.doneKind, inv.donePayload);
        break;
      }
      case EV_BATCH_TIMEOUT:
        if ((payload as number) === this.batchGen && this.pending !== null) this.flushDeferred();
        break;
      case EV_INVAL_DONE: {
        const m = payload as Message;
        const inv = this.invals.get(m.txnId);
        this.pool.put(m);
        if (inv !== undefined) this.completeInvalidation(inv);
        break;
      }
    }
  }

  private lookup(msg: Message): void {
    const va = msg.addr;
    const pa = this.iotlb.lookup(va);
    if (pa >= 0) {
      this.stHits.value++;
      this.answer(msg, pa, this.iotlb.hitShift);
      return;
    }
    this.stMisses.value++;
    if (!this.view.allowed(va)) {
      this.block(msg);
      return;
    }
    this.walkOrWait(msg);
  }

  private walkOrWait(msg: Message): void {
    const w = this.walker;
    const same = w.slotOfPage(msg.addr);
    if (same >= 0) w.waiters[same].push(msg);
    else if (w.start(msg.addr, msg.aux === 1, msg) < 0) w.queue.push(msg);
  }

  private answer(msg: Message, pa: number, shift: number): void {
    msg.kind = MsgKind.XlatResp;
    msg.addr = pa;
    msg.aux = shift;
    sendOrQueue(this.devicePort, this.devBacklog, msg);
  }

  private block(msg: Message): void {
    this.stBlocked.value++;
    msg.kind = MsgKind.XlatResp;
    msg.addr = 0;
    msg.aux = XLAT_BLOCKED;
    sendOrQueue(this.devicePort, this.devBacklog, msg);
  }

  // ---- walks and faults -----------------------------------------------------------------

  present(va: number): boolean {
    return this.view.pageBase(va) >= 0;
  }

  walkDone(slot: number, found: boolean): void {
    const w = this.walker;
    const va = w.va[slot];
    if (found) {
      const shift = leafShiftOf(this.view.table, va);
      const pa = this.view.pageBase(va);
      this.iotlb.insert(va, pa, shift);
      this.stMissPs.sample(this.sim.now - w.startedAt[slot] + this.params.iotlbLatencyPs);
      const q = w.waiters[slot];
      for (let m = q.shift(); m !== null; m = q.shift()) this.answer(m, pa, shift);
      this.freeSlot(slot);
      return;
    }
    if (w.tries[slot] > 0) {
      // The host mapped the page and it is gone again (or could not be mapped): give up.
      this.blockAll(slot);
      return;
    }
    this.stFaults.value++;
    w.hold(slot);
    const p = this.params;
    this.faultRaisedAt[slot] = this.sim.now;
    // One host handler services page requests in order of arrival.
    const start = Math.max(this.sim.now + p.faultInterruptPs, this.hostFreeAt);
    this.hostFreeAt = start + p.faultHandlerPs + p.osFaultPs;
    this.sim.scheduleAt(this, this.hostFreeAt, EV_FAULT_DONE, slot);
  }

  private faultServiced(slot: number): void {
    const w = this.walker;
    const ok = this.view.fault(w.va[slot], w.write[slot] === 1);
    this.stFaultPs.sample(this.sim.now - this.faultRaisedAt[slot]);
    if (ok) w.retry(slot);
    else this.blockAll(slot);
  }

  private blockAll(slot: number): void {
    const q = this.walker.waiters[slot];
    for (let m = q.shift(); m !== null; m = q.shift()) this.block(m);
    this.freeSlot(slot);
  }

  private freeSlot(slot: number): void {
    const w = this.walker;
    w.release(slot);
    // Requests that waited for a walker: the IOTLB may hold them now.
    while (w.hasFree && w.queue.length > 0) {
      const m = w.queue.shift() as Message;
      const pa = this.iotlb.lookup(m.addr);
      if (pa >= 0) this.answer(m, pa, this.iotlb.hitShift);
      else this.walkOrWait(m);
    }
    this.readyIfRefused();
  }

  /** A request was refused earlier and there is room again: the device may resend. */
  private readyIfRefused(): void {
    if (this.refused && this.inLookup + this.walker.queue.length < this.params.queueDepth) {
      this.refused = false;
      this.devicePort.ready();
    }
  }

  // ---- host-driver API ------------------------------------------------------------------

  /**
   * The driver maps [va, va + bytes) for the device (at physical `pa` in a separate space; a grant
   * in a subset view); returns the driver's time for it, in ps (the caller charges it).
   */
  map(va: number, bytes: number, pa = -1): number {
    this.view.map(va, bytes, pa);
    return this.params.mapPs;
  }

  /**
   * The driver unmaps [va, va + bytes): the device's view loses the range at once; strict mode
   * invalidates the IOTLB and the device's TLBs (XlatInval, waiting for XlatInvalDone) before
   * calling `done.handleEvent(kind, payload)`; batched mode calls it after the unmap's own cost
   * and queues the range for a later flush. An IOVA from `iova` is freed only once flushed.
   */
  unmap(va: number, bytes: number, done: EventHandler | null, kind = 0, payload: unknown = null): void {
    this.stUnmaps.value++;
    this.view.unmap(va, bytes);
    const inv = new Invalidation(this.nextInvalId++, va, bytes);
    inv.done = done;
    inv.doneKind = kind;
    inv.donePayload = payload;
    const p = this.params;
    if (p.invalidation === "strict") {
      if (this.iova.owns(va)) inv.iovas.push(va, bytes);
      this.enqueueCommand(inv, this.sim.now + p.unmapPs);
      return;
    }
    this.sim.schedule(this, p.unmapPs, EV_UNMAP_DONE, inv);
    if (this.pending === null) {
      this.pending = new Invalidation(0, 0, 0);
      this.sim.schedule(this, p.batchTimeoutPs, EV_BATCH_TIMEOUT, this.batchGen);
    }
    if (this.iova.owns(va)) this.pending.iovas.push(va, bytes);
    if (++this.pendingCount >= p.batchUnmaps) this.flushDeferred();
  }

  /**
   * Invalidates [va, va + bytes) in the IOTLB and the device's TLBs now, whatever the mode (the
   * host changed the shared table itself, e.g. a munmap: see MmuNotifier); `done` is told when the
   * device has acknowledged.
   */
  invalidate(va: number, bytes: number, done: EventHandler | null = null, kind = 0, payload: unknown = null): void {
    const inv = new Invalidation(this.nextInvalId++, va, bytes);
    inv.done = done;
    inv.doneKind = kind;
    inv.donePayload = payload;
    this.enqueueCommand(inv, this.sim.now);
  }

  /** Batched mode: invalidates every queued unmap now (one global IOTLB and device-TLB flush). */
  flushDeferred(): void {
    const inv = this.pending;
    if (inv === null) return;
    this.pending = null;
    this.pendingCount = 0;
    this.batchGen++;
    inv.id = this.nextInvalId++;
    this.enqueueCommand(inv, this.sim.now);
  }

  /** Unmaps queued for a batched flush. */
  get deferredUnmaps(): number {
    return this.pendingCount;
  }

  /** Tells `handler` (once, with `kind`) when IOVAs are next freed (a driver waiting for IOVA space). */
  waitForIova(handler: EventHandler, kind: number): void {
    this.iovaWaiter = handler;
    this.iovaWaiterKind = kind;
  }

  private enqueueCommand(inv: Invalidation, readyAt: number): void {
    // The command queue executes invalidations one after another.
    this.cmdFreeAt = Math.max(readyAt, this.cmdFreeAt) + this.params.invalCmdPs;
    this.invals.set(inv.id, inv);
    this.sim.scheduleAt(this, this.cmdFreeAt, EV_INVAL_ISSUE, inv);
  }

  private issueInvalidation(inv: Invalidation): void {
    this.stInvals.value++;
    this.stDropped.value += inv.bytes === 0 ? this.iotlb.flushAll() : this.iotlb.flushRange(inv.start, inv.bytes);
    this.walker.flushPwc();
    if (!this.devicePort.connected) {
      this.completeInvalidation(inv);
      return;
    }
    const m = this.pool.get();
    m.kind = MsgKind.XlatInval;
    m.addr = inv.start;
    m.aux = inv.bytes;
    m.txnId = inv.id;
    m.issuedAt = this.sim.now;
    sendOrQueue(this.devicePort, this.devBacklog, m);
  }

  private completeInvalidation(inv: Invalidation): void {
    this.invals.delete(inv.id);
    for (let i = 0; i < inv.iovas.length; i += 2) this.iova.release(inv.iovas[i], inv.iovas[i + 1]);
    if (inv.done !== null) inv.done.handleEvent(inv.doneKind, inv.donePayload);
    if (inv.iovas.length > 0 && this.iovaWaiter !== null) {
      const h = this.iovaWaiter;
      this.iovaWaiter = null;
      h.handleEvent(this.iovaWaiterKind, null);
    }
  }
}
