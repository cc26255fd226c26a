import type { EventHandler } from "../../kernel/event-queue.ts";
import { MessagePool, MessageQueue, type Message } from "../../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../../kernel/port.ts";
import type { Simulator } from "../../kernel/simulator.ts";
import { MsgKind, XLAT_BLOCKED } from "../../mem/msg-kind.ts";
import type { Counter } from "../../stats/counter.ts";
import type { StatsRegistry } from "../../stats/registry.ts";
import type { FrameAllocator } from "../../vm/frame-allocator.ts";
import { PageTable, X86_64, type RadixLayout } from "../../vm/page-table.ts";
import { TableWalker, type WalkClient } from "../iommu/table-walker.ts";
import { Residency, UvmRegion } from "./uvm-region.ts";
import { UVM_DRIVER_DEFAULTS, UvmDriver, type UvmDriverParams, type UvmEnv } from "./uvm-driver.ts";

/** Parameters of a GPU MMU (times in ps). */
export interface GpuMmuParams {
  /** Page walks that may run at once (default 8). */
  walkers: number;
  /** Entries of each upper-level page-walk cache, 0 for none (default 16). */
  pwcEntries: number;
  /** Translation requests that may wait for a walker before the port refuses (default 64). */
  queueDepth: number;
  /** Bytes of one table-entry read (default 64). */
  lineBytes: number;
  /** Walker processing per table reference, in ps, on top of device memory's answer (default 1,000). */
  walkStepPs: number;
  /** Layout of the GPU's page table (default x86-64-like: 4 levels of 512). */
  layout: RadixLayout;
  /** Device frames managed data may hold at once (default: the device node's free frames less 256 kept for tables). */
  capacityPages: number;
}

/** GPU MMU parameters with their defaults (capacityPages -1: derived from the device's frames). */
export const GPU_MMU_DEFAULTS: GpuMmuParams = {
  walkers: 8,
  pwcEntries: 16,
  queueDepth: 64,
  lineBytes: 64,
  walkStepPs: 1_000,
  layout: X86_64,
  capacityPages: -1,
};

const EV_INVAL_DONE = 1;

/**
 * The GPU's own MMU with the host's UVM driver behind it. The GPU's TLBs send XlatReq on
 * `devicePort`; page walkers read the GPU page table, which lives in device memory, through
 * `memPort` (MemRead of each entry's line). A zero-copy region's pages translate to their pinned
 * host frames. A managed page not resident on the device is a far fault: its requests park in
 * the fault buffer and the UVM driver (see UvmDriver) services faults in batches, migrating pages
 * (and their block neighbours when prefetch is on) into device frames through a PageCopier,
 * evicting the least recently migrated pages when device memory is full (copy back, XlatInval to
 * the GPU's TLBs), then replays the parked requests. An address in no region is XLAT_BLOCKED.
 */
export class GpuMmu implements PortOwner, EventHandler, WalkClient {
  readonly name: string;
  /** GPU TLB side: XlatReq in, XlatResp out; XlatInval out, XlatInvalDone in. */
  readonly devicePort: Port;
  /** Device memory side: the walkers' MemRead of table entries. */
  readonly memPort: Port;
  /** Parameters. */
  readonly params: GpuMmuParams;
  /** The GPU's page table (its tables take device frames). */
  readonly table: PageTable;
  /** The page walkers. */
  readonly walker: TableWalker;
  /** The host driver servicing far faults. */
  readonly driver: UvmDriver;
  /** Regions registered, in address order. */
  readonly regions: UvmRegion[];
  /** Device frames and the node (of that allocator) they are taken from. */
  readonly deviceFrames: FrameAllocator;
  readonly deviceNode: number;
  private readonly byId: UvmRegion[];
  private readonly sim: Simulator;
  private readonly pool: MessagePool;
  private readonly backlog: MessageQueue;
  private refused: boolean;
  private last: UvmRegion | null;
  private readonly stRequests: Counter;
  private readonly stBlocked: Counter;

  /** @param env device frames, the page copier and the host's table and frames (see UvmEnv). */
  constructor(sim: Simulator, stats: StatsRegistry, name: string, env: UvmEnv, params: Partial<GpuMmuParams> = {}, driverParams: Partial<UvmDriverParams> = {}, pool: MessagePool = new MessagePool()) {
    const p: GpuMmuParams = { ...GPU_MMU_DEFAULTS, ...params };
    const deviceFrames = env.deviceFrames;
    const deviceNode = env.deviceNode;
    this.name = name;
    this.devicePort = new Port(this, `${name}.device`, 0);
    this.memPort = new Port(this, `${name}.mem`, 1);
    this.table = new PageTable(`${name}.pagetable`, p.layout, deviceFrames, deviceNode, deviceNode);
    if (p.capacityPages < 0) p.capacityPages = Math.max(1, deviceFrames.free(deviceNode) - 256);
    this.params = p;
    this.walker = new TableWalker(sim, stats, name, this.table, this.memPort, pool, this, { walkers: p.walkers, pwcEntries: p.pwcEntries, lineBytes: p.lineBytes, stepPs: p.walkStepPs });
    this.regions = [];
    this.byId = [];
    this.deviceFrames = deviceFrames;
    this.deviceNode = deviceNode;
    this.sim = sim;
    this.pool = pool;
    this.backlog = new MessageQueue();
    this.refused = false;
    this.last = null;
    this.stRequests = stats.counter(`${name}.requests`, "count", "translation requests from the GPU's TLBs");
    this.stBlocked = stats.counter(`${name}.blocked`, "count", "translation requests refused: the address is in no registered region");
    this.driver = new UvmDriver(sim, stats, `${name}.uvm`, this, env, { ...UVM_DRIVER_DEFAULTS, ...driverParams });
  }

  // ---- host-driver API ------------------------------------------------------------------

  /**
   * Registers managed (unified) memory at [start, start + bytes): every page starts on the host,
   * at `hostPa` + offset (or the per-page host frames given; -1: not yet populated).
   */
  registerManaged(name: string, start: number, bytes: number, hostPa: number | Float64Array): UvmRegion {
    return this.add(new UvmRegion(name, "managed", start, bytes, this.deviceFrames.pageBytes, hostPa));
  }

  /** Registers zero-copy (pinned host) memory: the GPU's table maps it to its host frames now; it never migrates. */
  registerZeroCopy(name: string, start: number, bytes: number, hostPa: number | Float64Array): UvmRegion {
    const r = this.add(new UvmRegion(name, "zero-copy", start, bytes, this.deviceFrames.pageBytes, hostPa));
    const shift = Math.log2(r.pageBytes);
    for (let i = 0; i < r.pages; i++) this.table.map(r.start + i * r.pageBytes, shift, this.deviceNode);
    return r;
  }

  /**
   * Registers device memory at [start, start + bytes) (a cudaMalloc): its pages take device frames
   * and are mapped in the GPU's table now; they never fault or move. As the driver does, it uses
   * 2 MiB pages when the range is 2 MiB-aligned and device memory has the contiguous frames, else
   * base pages. Throws when device memory is full.
   */
  registerDevice(name: string, start: number, bytes: number): UvmRegion {
    const base = this.deviceFrames.pageBytes;
    const huge = 2 ** 21;
    const hugeOk = start % huge === 0 && bytes % huge === 0 && this.table.levelOfShift(21) >= 0;
    const pageBytes = hugeOk ? huge : base;
    const r = this.add(new UvmRegion(name, "device", start, bytes, pageBytes, -1));
    const shift = Math.log2(pageBytes);
    for (let i = 0; i < r.pages; i++) {
      const pa = hugeOk ? this.deviceFrames.allocContiguous(this.deviceNode, huge / base) : this.deviceFrames.alloc(this.deviceNode);
      if (pa < 0) throw new Error(`${this.name}: device memory is full (region ${name}, page ${i} of ${r.pages})`);
      r.devPa[i] = pa;
      r.state[i] = Residency.Device;
      this.table.map(r.start + i * pageBytes, shift, this.deviceNode);
    }
    return r;
  }

  /** The region holding `va`, or null. */
  regionOf(va: number): UvmRegion | null {
    const l = this.last;
    if (l !== null && va >= l.start && va < l.end) return l;
    for (const r of this.regions) {
      if (va >= r.start && va < r.end) {
        this.last = r;
        return r;
      }
    }
    return null;
  }

  /** The region registered `id`-th. */
  regionById(id: number): UvmRegion {
    return this.byId[id];
  }

  private add(r: UvmRegion): UvmRegion {
    for (const o of this.regions) if (r.start < o.end && o.start < r.end) throw new Error(`${this.name}: region ${r.name} overlaps ${o.name}`);
    r.id = this.byId.length;
    this.byId.push(r);
    this.regions.push(r);
    this.regions.sort((a, b) => a.start - b.start);
    return r;
  }

  // ---- translation ----------------------------------------------------------------------

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
    if (this.walker.queue.length >= this.params.queueDepth) {
      this.refused = true;
      return false;
    }
    this.stRequests.value++;
    this.translate(msg);
    return true;
  }

  wake(port: Port): void {
    if (port === this.memPort) this.walker.drain();
    else drainBacklog(this.devicePort, this.backlog);
  }

  handleEvent(kind: number, payload: unknown): void {
    if (kind === EV_INVAL_DONE) {
      this.pool.put(payload as Message);
      this.driver.invalidationDone();
    }
  }

  /** Translates a request: blocked outside every region, else walked (or joins a walk, or waits for a walker). */
  translate(msg: Message): void {
    if (this.regionOf(msg.addr) === null) {
      this.stBlocked.value++;
      this.answer(msg, 0, XLAT_BLOCKED);
      return;
    }
    const w = this.walker;
    const same = w.slotOfPage(msg.addr);
    if (same >= 0) w.waiters[same].push(msg);
    else if (w.start(msg.addr, msg.aux === 1, msg) < 0) w.queue.push(msg);
  }

  present(va: number): boolean {
    const r = this.regionOf(va);
    if (r === null) return false;
    return r.kind === "zero-copy" || r.state[Math.floor((va - r.start) / r.pageBytes)] === Residency.Device;
  }

  walkDone(slot: number, found: boolean): void {
    const w = this.walker;
    const va = w.va[slot];
    const q = w.waiters[slot];
    const r = this.regionOf(va) as UvmRegion;
    if (found) {
      const page = Math.floor((va - r.start) / r.pageBytes);
      const pa = r.kind === "zero-copy" ? r.hostPa[page] : r.devPa[page];
      const shift = Math.log2(r.pageBytes);
      for (let m = q.shift(); m !== null; m = q.shift()) this.answer(m, pa, shift);
    } else if (r.kind === "zero-copy") {
      for (let m = q.shift(); m !== null; m = q.shift()) this.answer(m, 0, XLAT_BLOCKED);
    } else {
      // A far fault: the requests park in the fault buffer; the walker is free for others.
      this.driver.fault(r, Math.floor((va - r.start) / r.pageBytes), q);
    }
    w.release(slot);
    while (w.hasFree && w.queue.length > 0) this.translate(w.queue.shift() as Message);
    if (this.refused) {
      this.refused = false;
      this.devicePort.ready();
    }
  }

  /** Sends XlatInval for [va, va + bytes) to the GPU's TLBs; false when no device is connected (nothing to wait for). */
  invalidate(va: number, bytes: number): boolean {
    if (!this.devicePort.connected) return false;
    const m = this.pool.get();
    m.kind = MsgKind.XlatInval;
    m.addr = va;
    m.aux = bytes;
    m.issuedAt = this.sim.now;
    sendOrQueue(this.devicePort, this.backlog, m);
    return true;
  }

  private answer(msg: Message, pa: number, shift: number): void {
    msg.kind = MsgKind.XlatResp;
    msg.addr = pa;
    msg.aux = shift;
    sendOrQueue(this.devicePort, this.backlog, msg);
  }
}
