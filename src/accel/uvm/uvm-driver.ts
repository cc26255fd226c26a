import type { EventHandler } from "../../kernel/event-queue.ts";
import { MessageQueue, type Message } from "../../kernel/message.ts";
import type { Simulator } from "../../kernel/simulator.ts";
import type { Counter } from "../../stats/counter.ts";
import type { Histogram } from "../../stats/histogram.ts";
import type { StatsRegistry } from "../../stats/registry.ts";
import type { FrameAllocator } from "../../vm/frame-allocator.ts";
import type { PageTable } from "../../vm/page-table.ts";
import type { PageCopier } from "../protocol.ts";
import type { GpuMmu } from "./gpu-mmu.ts";
import { Residency, type UvmRegion } from "./uvm-region.ts";

/** Parameters of the UVM host driver (times in ps). */
export interface UvmDriverParams {
  /** The GPU's fault interrupt and the driver's wake-up before it reads the fault buffer, in ps (default 2,000,000: estimate); faults arriving meanwhile join the batch. */
  faultInterruptPs: number;
  /** Fixed cost of servicing one batch of far faults, in ps (default 45 us, as GPGPU-Sim UVMSmart charges). */
  batchPs: number;
  /** Driver cost per faulted page in a batch, in ps (default 0: UVMSmart charges per batch). */
  perFaultPs: number;
  /** Most faulted pages one batch takes from the fault buffer (default 256, the UVM driver's batch size). */
  maxBatchFaults: number;
  /** Prefetch: also migrate the host-resident pages of each faulted page's aligned block of this many bytes (0: off; e.g. 64 KiB or 2 MiB). */
  prefetchBlockBytes: number;
}

/** UVM driver parameters with their defaults. */
export const UVM_DRIVER_DEFAULTS: UvmDriverParams = {
  faultInterruptPs: 2_000_000,
  batchPs: 45_000_000,
  perFaultPs: 0,
  maxBatchFaults: 256,
  prefetchBlockBytes: 0,
};

/** What the GPU MMU and its driver are connected to in the machine. */
export interface UvmEnv {
  /** Frames of device memory: the GPU's page-table pages and migrated data take them. */
  deviceFrames: FrameAllocator;
  /** Node of `deviceFrames` that is the device's memory. */
  deviceNode: number;
  /** Moves pages between host and device memory (the DMA engine). */
  copier: PageCopier;
  /** The host process's page table, told of each migration (entry writes), or null. */
  hostTable?: PageTable | null;
  /** Host frames for evicting pages that were first populated on the device, or null. */
  hostFrames?: FrameAllocator | null;
  /** Node of `hostFrames` (and of host table pages) used (default 0). */
  hostNode?: number;
  /**
   * Told when a page changes residence (its data now at physical `pa`, on the device or back on
   * the host), so the host process's mapping follows it: a CPU access then goes where the data is.
   */
  moved?: (va: number, pa: number, toDevice: boolean) => void;
}

const EV_BATCH_START = 1;
const EV_BATCH_CPU_DONE = 2;
const EV_COPY_OUT_DONE = 3;
const EV_COPY_IN_DONE = 4;

const IDLE = 0;
const CPU = 1;
const EVICTING = 2;
const MIGRATING = 3;

/** Key of page `page` of region number `ri` in the fault buffer (regions < 2^20, pages < 2^32). */
function keyOf(ri: number, page: number): number {
  return ri * 2 ** 32 + page;
}

/**
 * The host side of unified memory (an NVIDIA-UVM-style driver). Far faults from the GPU MMU
 * collect in a fault buffer (one entry per page, duplicate faults merged); when idle, the driver
 * takes up to `maxBatchFaults` of them as one batch: it spends `batchPs + perFaultPs * faults` of
 * host time, evicts the least recently migrated resident pages if device memory cannot hold the
 * batch (each copied back to its host frame, its GPU translations dropped with XlatInval), then
 * migrates the faulted pages and their prefetched block neighbours through the PageCopier (copies
 * issued together; the engine's time is the copy time), updates the GPU and host page tables and
 * replays the parked requests. Faults arriving meanwhile wait for the next batch.
 */
export class UvmDriver implements EventHandler {
  readonly name: string;
  /** Parameters. */
  readonly params: UvmDriverParams;
  /** Managed pages resident on the device now. */
  resident: number;
  private readonly sim: Simulator;
  private readonly mmu: GpuMmu;
  private readonly copier: PageCopier;
  private readonly hostTable: PageTable | null;
  private readonly env: UvmEnv;
  // Device frames of pages evicted by the batch under way.
  private readonly evicted: number[];
  // Fault buffer: page key -> the requests waiting for it (insertion order = arrival order).
  private readonly buffer: Map<number, MessageQueue>;
  // Resident pages by migration order (keys); entries of pages since evicted are skipped lazily.
  private readonly lrm: number[];
  private lrmHead: number;
  private phase: number;
  private outstanding: number;
  private batchStart: number;
  // The batch under way: faulted page keys with their requests, and every page it migrates.
  private batchFaults: number[];
  private batchQueues: MessageQueue[];
  private batchPages: number[];
  private batchPrefetched: number;
  private readonly stFaults: Counter;
  private readonly stDupFaults: Counter;
  private readonly stBatches: Counter;
  private readonly stPagesIn: Counter;
  private readonly stPagesOut: Counter;
  private readonly stBytesIn: Counter;
  private readonly stBytesOut: Counter;
  private readonly stPrefetched: Counter;
  private readonly stEvictions: Counter;
  private readonly stInvals: Counter;
  private readonly stBatchPs: Histogram;
  private readonly stBatchFaults: Histogram;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, mmu: GpuMmu, env: UvmEnv, params: UvmDriverParams) {
    this.name = name;
    this.params = params;
    this.resident = 0;
    this.sim = sim;
    this.mmu = mmu;
    this.copier = env.copier;
    this.hostTable = env.hostTable ?? null;
    this.env = env;
    this.evicted = [];
    this.buffer = new Map();
    this.lrm = [];
    this.lrmHead = 0;
    this.phase = IDLE;
    this.outstanding = 0;
    this.batchStart = 0;
    this.batchFaults = [];
    this.batchQueues = [];
    this.batchPages = [];
    this.batchPrefetched = 0;
    this.stFaults = stats.counter(`${name}.faults`, "count", "far faults: fault-buffer entries (one per non-resident page)");
    this.stDupFaults = stats.counter(`${name}.duplicateFaults`, "count", "far faults on a page already in the fault buffer (merged)");
    this.stBatches = stats.counter(`${name}.batches`, "count", "fault batches serviced");
    this.stPagesIn = stats.counter(`${name}.pagesMigratedIn`, "count", "pages migrated host -> device (prefetched ones included)");
    this.stPagesOut = stats.counter(`${name}.pagesMigratedOut`, "count", "pages copied back device -> host by eviction");
    this.stBytesIn = stats.counter(`${name}.bytesMigratedIn`, "bytes", "bytes migrated host -> device");
    this.stBytesOut = stats.counter(`${name}.bytesMigratedOut`, "bytes", "bytes migrated device -> host");
    this.stPrefetched = stats.counter(`${name}.prefetchedPages`, "count", "pages migrated because a neighbour in their block faulted");
    this.stEvictions = stats.counter(`${name}.evictions`, "count", "resident pages evicted to make room");
    this.stInvals = stats.counter(`${name}.invalidations`, "count", "XlatInval sent to the GPU's TLBs");
    this.stBatchPs = stats.histogram(`${name}.batchServicePs`, "ps", "fault batch: start of service to requests replayed");
    this.stBatchFaults = stats.histogram(`${name}.faultsPerBatch`, "count", "faulted pages per batch");
    stats.formula(`${name}.bytesMigrated`, "bytes", "bytes migrated both ways", () => this.stBytesIn.value + this.stBytesOut.value);
  }

  /** A far fault on page `page` of `r`: the requests in `q` (moved out of it) park until the page is resident. */
  fault(r: UvmRegion, page: number, q: MessageQueue): void {
    const key = keyOf(r.id, page);
    let parked = this.buffer.get(key);
    if (parked === undefined) {
      parked = new MessageQueue();
      this.buffer.set(key, parked);
      this.stFaults.value++;
    } else this.stDupFaults.value++;
    for (let m = q.shift(); m !== null; m = q.shift()) parked.push(m);
    if (this.phase === IDLE) {
      this.phase = CPU;
      this.sim.schedule(this, this.params.faultInterruptPs, EV_BATCH_START, null);
    }
  }

  /** The GPU acknowledged an XlatInval. */
  invalidationDone(): void {
    this.oneDone();
  }

  handleEvent(kind: number): void {
    switch (kind) {
      case EV_BATCH_START:
        this.startBatch();
        break;
      case EV_BATCH_CPU_DONE:
        this.evict();
        break;
      case EV_COPY_OUT_DONE:
      case EV_COPY_IN_DONE:
        this.oneDone();
        break;
    }
  }

  private region(key: number): UvmRegion {
    return this.mmu.regionById(Math.floor(key / 2 ** 32));
  }

  private startBatch(): void {
    const p = this.params;
    const cap = this.mmu.params.capacityPages;
    this.batchStart = this.sim.now;
    this.batchFaults = [];
    this.batchQueues = [];
    this.batchPages = [];
    this.batchPrefetched = 0;
    const chosen = new Set<number>();
    for (const [key, q] of this.buffer) {
      if (this.batchFaults.length >= p.maxBatchFaults || this.batchFaults.length >= cap) break;
      this.batchFaults.push(key);
      this.batchQueues.push(q);
      const r = this.region(key);
      const page = key % 2 ** 32;
      if (r.state[page] === Residency.Host) {
        chosen.add(key);
        this.batchPages.push(key);
      }
    }
    for (const key of this.batchFaults) this.buffer.delete(key);
    // Prefetch: the other host-resident pages of each faulted page's block, while room remains.
    if (p.prefetchBlockBytes > 0) {
      for (const key of this.batchFaults) {
        const r = this.region(key);
        const page = key % 2 ** 32;
        const va = r.start + page * r.pageBytes;
        const blockStart = Math.max(r.start, va - (va % p.prefetchBlockBytes));
        const blockEnd = Math.min(r.end, blockStart + p.prefetchBlockBytes);
        const base = key - page;
        for (let pg = (blockStart - r.start) / r.pageBytes; pg < (blockEnd - r.start) / r.pageBytes; pg++) {
          if (this.batchPages.length >= cap) break;
          const k = base + pg;
          if (r.state[pg] !== Residency.Host || chosen.has(k)) continue;
          chosen.add(k);
          this.batchPages.push(k);
          this.batchPrefetched++;
        }
      }
    }
    for (const key of this.batchPages) this.region(key).state[key % 2 ** 32] = Residency.Moving;
    this.stBatches.value++;
    this.stBatchFaults.sample(this.batchFaults.length);
    this.phase = CPU;
    this.sim.schedule(this, p.batchPs + p.perFaultPs * this.batchFaults.length, EV_BATCH_CPU_DONE, null);
  }

  /** Evicts what the batch needs room for; migration follows once copies and invalidations are done. */
  private evict(): void {
    this.phase = EVICTING;
    const need = this.batchPages.length - (this.mmu.params.capacityPages - this.resident);
    this.outstanding = 1;
    for (let i = 0; i < need; i++) {
      const key = this.victim();
      if (key < 0) break;
      const r = this.region(key);
      const page = key % 2 ** 32;
      const va = r.start + page * r.pageBytes;
      r.state[page] = Residency.Host;
      this.mmu.table.unmap(va, Math.log2(r.pageBytes));
      this.hostTable?.map(va, Math.log2(r.pageBytes), this.env.hostNode ?? 0);
      this.stEvictions.value++;
      this.stPagesOut.value++;
      this.stBytesOut.value += r.pageBytes;
      if (r.hostPa[page] < 0) r.hostPa[page] = this.hostFrame();
      this.env.moved?.(va, r.hostPa[page], false);
      this.outstanding++;
      this.copier.copy(r.devPa[page], r.hostPa[page], r.pageBytes, this, EV_COPY_OUT_DONE, null);
      if (this.mmu.invalidate(va, r.pageBytes)) {
        this.stInvals.value++;
        this.outstanding++;
      }
      // The frame is reused only after the copy-out and invalidation: it is released at the migration phase.
      this.evicted.push(r.devPa[page]);
      r.devPa[page] = -1;
      this.resident--;
    }
    this.oneDone();
  }

  /** A host frame for a page first populated on the device and now evicted. */
  private hostFrame(): number {
    const f = this.env.hostFrames;
    const pa = f === undefined || f === null ? -1 : f.alloc(this.env.hostNode ?? 0);
    if (pa < 0) throw new Error(`${this.name}: no host frame to evict a device-populated page into at tick ${this.sim.now} (give hostFrames)`);
    return pa;
  }

  /** The least recently migrated resident page, or -1. */
  private victim(): number {
    while (this.lrmHead < this.lrm.length) {
      const key = this.lrm[this.lrmHead++];
      if (this.region(key).state[key % 2 ** 32] === Residency.Device) return key;
    }
    return -1;
  }

  private oneDone(): void {
    if (--this.outstanding > 0) return;
    if (this.phase === EVICTING) this.migrate();
    else if (this.phase === MIGRATING) this.finish();
  }

  private migrate(): void {
    this.phase = MIGRATING;
    const f = this.mmu.deviceFrames;
    const node = this.mmu.deviceNode;
    for (const pa of this.evicted) f.release(node, pa);
    this.evicted.length = 0;
    this.outstanding = 1;
    for (const key of this.batchPages) {
      const r = this.region(key);
      const page = key % 2 ** 32;
      const pa = f.alloc(node);
      if (pa < 0) throw new Error(`${this.name}: device memory has no free frame at tick ${this.sim.now} (capacityPages exceeds the device's frames)`);
      r.devPa[page] = pa;
      this.stPagesIn.value++;
      this.stBytesIn.value += r.pageBytes;
      // A page never populated on the host is allocated on the device: nothing to copy.
      if (r.hostPa[page] < 0) continue;
      this.outstanding++;
      this.copier.copy(r.hostPa[page], pa, r.pageBytes, this, EV_COPY_IN_DONE, null);
    }
    this.oneDone();
  }

  private finish(): void {
    for (const key of this.batchPages) {
      const r = this.region(key);
      const page = key % 2 ** 32;
      const va = r.start + page * r.pageBytes;
      r.state[page] = Residency.Device;
      this.mmu.table.map(va, Math.log2(r.pageBytes), this.mmu.deviceNode);
      this.hostTable?.unmap(va, Math.log2(r.pageBytes));
      this.env.moved?.(va, r.devPa[page], true);
      this.lrm.push(key);
      this.resident++;
    }
    this.stPrefetched.value += this.batchPrefetched;
    if (this.lrmHead > 4096 && this.lrmHead * 2 > this.lrm.length) {
      this.lrm.splice(0, this.lrmHead);
      this.lrmHead = 0;
    }
    this.stBatchPs.sample(this.sim.now - this.batchStart);
    const queues = this.batchQueues;
    this.batchQueues = [];
    this.batchPages = [];
    this.batchFaults = [];
    // Faults that came in meanwhile form the next batch; the replayed requests may add to it.
    this.phase = IDLE;
    if (this.buffer.size > 0) {
      this.phase = CPU;
      this.sim.schedule(this, 0, EV_BATCH_START, null);
    }
    for (const q of queues) for (let m: Message | null = q.shift(); m !== null; m = q.shift()) this.mmu.translate(m);
  }
}
