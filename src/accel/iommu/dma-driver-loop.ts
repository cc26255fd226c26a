import type { EventHandler } from "../../kernel/event-queue.ts";
import { MessagePool, MessageQueue, type Message } from "../../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../../kernel/port.ts";
import type { Simulator } from "../../kernel/simulator.ts";
import { MsgKind, XLAT_BLOCKED } from "../../mem/msg-kind.ts";
import type { Counter } from "../../stats/counter.ts";
import type { StatsRegistry } from "../../stats/registry.ts";
import type { Iommu } from "./iommu.ts";
import { Iotlb } from "./iotlb.ts";

/** Settings of a DmaDriverLoop. */
export interface DmaDriverLoopParams {
  /** Buffers to move. */
  buffers: number;
  /** Bytes per buffer. */
  bufferBytes: number;
  /** Physical addresses of the buffers the driver cycles through (each `bufferBytes`, page-aligned). */
  bufferPas: number[];
  /** The device's data rate while it moves a buffer, in bytes per ns (the transfer itself; default 12.5 = 100 Gb/s). */
  dmaBytesPerNs?: number;
  /** Device TLB entries (fully associative; default 32). */
  deviceTlbEntries?: number;
}

const EV_MAPPED = 1;
const EV_PAGE_DONE = 2;
const EV_UNMAPPED = 3;
const EV_IOVA_FREE = 4;

/**
 * A device and its driver moving buffers one after another, as a NIC driver does per packet:
 * map the buffer (an IOVA from the IOMMU's allocator), DMA it page by page (each page translated
 * by the device TLB, and on a miss by the IOMMU over `port`), then unmap it — in strict mode the
 * unmap waits for the IOTLB and device-TLB invalidation; in batched mode it does not, but the
 * IOVA comes back only after its batch is flushed. The device TLB honours XlatInval. Throughput
 * is `bytesDone / (finishedAt - startedAt)`.
 */
export class DmaDriverLoop implements PortOwner, EventHandler {
  readonly name: string;
  /** Wired to the IOMMU's device port. */
  readonly port: Port;
  /** The device's TLB. */
  readonly tlb: Iotlb;
  /** Tick the loop started, and the tick the last buffer was unmapped (-1 while running). */
  startedAt: number;
  finishedAt: number;
  /** Bytes moved so far. */
  bytesDone: number;
  private readonly sim: Simulator;
  private readonly iommu: Iommu;
  private readonly p: Required<DmaDriverLoopParams>;
  private readonly pool: MessagePool;
  private readonly backlog: MessageQueue;
  private buffer: number;
  private iova: number;
  private page: number;
  private readonly stBlocked: Counter;
  private readonly stTlbMisses: Counter;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, iommu: Iommu, params: DmaDriverLoopParams) {
    this.name = name;
    this.port = new Port(this, `${name}.port`);
    this.p = { dmaBytesPerNs: 12.5, deviceTlbEntries: 32, ...params };
    this.tlb = new Iotlb(`${name}.tlb`, this.p.deviceTlbEntries, this.p.deviceTlbEntries, [12, 21, 30]);
    this.startedAt = 0;
    this.finishedAt = -1;
    this.bytesDone = 0;
    this.sim = sim;
    this.iommu = iommu;
    this.pool = new MessagePool();
    this.backlog = new MessageQueue();
    this.buffer = 0;
    this.iova = -1;
    this.page = 0;
    this.stBlocked = stats.counter(`${name}.blocked`, "count", "DMA pages the IOMMU refused");
    this.stTlbMisses = stats.counter(`${name}.tlb.misses`, "count", "device-TLB misses (translation requests sent to the IOMMU)");
  }

  /** Starts the loop now. */
  start(): void {
    this.startedAt = this.sim.now;
    this.next();
  }

  /** Device throughput so far, in bytes per ns. */
  get bytesPerNs(): number {
    const end = this.finishedAt >= 0 ? this.finishedAt : this.sim.now;
    return end > this.startedAt ? (this.bytesDone * 1000) / (end - this.startedAt) : 0;
  }

  recv(_port: Port, msg: Message): boolean {
    if (msg.kind === MsgKind.XlatInval) {
      if (msg.aux === 0) this.tlb.flushAll();
      else this.tlb.flushRange(msg.addr, msg.aux);
      msg.kind = MsgKind.XlatInvalDone;
      sendOrQueue(this.port, this.backlog, msg);
      return true;
    }
    if (msg.kind !== MsgKind.XlatResp) throw new Error(`${this.name}: unexpected message kind ${msg.kind} at tick ${this.sim.now}`);
    const pa = msg.addr;
    const shift = msg.aux;
    const va = msg.txnId;
    this.pool.put(msg);
    if (shift === XLAT_BLOCKED) {
      this.stBlocked.value++;
      this.pageDone();
      return true;
    }
    this.tlb.insert(va, pa, shift);
    this.transfer();
    return true;
  }

  wake(_port: Port): void {
    drainBacklog(this.port, this.backlog);
  }

  handleEvent(kind: number): void {
    switch (kind) {
      case EV_MAPPED:
        this.page = 0;
        this.translate();
        break;
      case EV_PAGE_DONE:
        this.pageDone();
        break;
      case EV_UNMAPPED:
        this.buffer++;
        this.next();
        break;
      case EV_IOVA_FREE:
        this.next();
        break;
    }
  }

  private next(): void {
    if (this.buffer >= this.p.buffers) {
      this.finishedAt = this.sim.now;
      this.iommu.flushDeferred();
      return;
    }
    const iova = this.iommu.iova.alloc(this.p.bufferBytes);
    if (iova < 0) {
      // Every IOVA waits for a flush: wait for the IOMMU to free some.
      this.iommu.waitForIova(this, EV_IOVA_FREE);
      return;
    }
    this.iova = iova;
    const pa = this.p.bufferPas[this.buffer % this.p.bufferPas.length];
    this.sim.schedule(this, this.iommu.map(iova, this.p.bufferBytes, pa), EV_MAPPED, null);
  }

  private translate(): void {
    const va = this.iova + this.page * 4096;
    if (this.tlb.lookup(va) >= 0) {
      this.transfer();
      return;
    }
    this.stTlbMisses.value++;
    const m = this.pool.get();
    m.kind = MsgKind.XlatReq;
    m.addr = va;
    m.txnId = va;
    m.issuedAt = this.sim.now;
    sendOrQueue(this.port, this.backlog, m);
  }

  private transfer(): void {
    const bytes = Math.min(4096, this.p.bufferBytes - this.page * 4096);
    this.bytesDone += bytes;
    this.sim.schedule(this, Math.max(1, Math.round((bytes * 1000) / this.p.dmaBytesPerNs)), EV_PAGE_DONE, null);
  }

  private pageDone(): void {
    this.page++;
    if (this.page * 4096 < this.p.bufferBytes) {
      this.translate();
      return;
    }
    this.iommu.unmap(this.iova, this.p.bufferBytes, this, EV_UNMAPPED, null);
  }
}
