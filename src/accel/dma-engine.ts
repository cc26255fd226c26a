import type { EventHandler } from "../kernel/event-queue.ts";
import { MessageQueue, type Message, type MessagePool } from "../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import { MsgKind, NO_SNOOP } from "../mem/msg-kind.ts";
import type { PageCopier } from "./protocol.ts";

/** Parameters of a DMA engine (defaults in brackets). */
export interface DmaEngineParams {
  /** Bytes per read request (use the link's MRRS). */
  readChunkBytes: number;
  /** Bytes per write request (use the link's MPS). */
  writeChunkBytes: number;
  /** Reads in flight, counted until their data has been handed on as writes [64]. */
  maxOutstandingReads?: number;
  /** Writes in flight (until acknowledged) [64]. */
  maxOutstandingWrites?: number;
  /** First byte of the device's own memory (a destination outside it gets the flush read). */
  deviceMemLo: number;
  /** End (exclusive) of the device's own memory. */
  deviceMemHi: number;
  /**
   * After the last write of a copy to host memory, read zero bytes at the destination and
   * complete only when it returns (reads do not pass posted writes, so the data has landed) [true].
   */
  flushHostWrites?: boolean;
  /** Whether `copy` (the PageCopier entry) snoops host caches [true]. */
  copySnoops?: boolean;
}

/** A copy request: bytes from physical `src` to physical `dst`; `snoop` false marks it no-snoop. */
export interface DmaDescriptor {
  src: number;
  dst: number;
  bytes: number;
  snoop: boolean;
}

const TAG_DATA = 0;
const TAG_FLUSH = 1;

/**
 * A descriptor-based copy engine on the device, on an agent port of the device router. It runs
 * descriptors one after another; each is cut into reads of `readChunkBytes` (aligned) and, as
 * their data arrives, writes of `writeChunkBytes` (aligned at the destination), with caps on
 * reads and writes in flight. Host- and device-memory addresses alike: the router decides what
 * crosses the link. A descriptor completes through its EventHandler once its last write is
 * acknowledged (and, for a host destination, the flush read has returned).
 */
export class DmaEngine implements PortOwner, PageCopier {
  /** Component path. */
  readonly name: string;
  /** To the device router. */
  readonly port: Port;
  private readonly sim: Simulator;
  private readonly pool: MessagePool;
  private readonly p: DmaEngineParams;
  private readonly maxReads: number;
  private readonly maxWrites: number;
  private readonly flush: boolean;
  private readonly unsent = new MessageQueue();
  /** Read data waiting to be written (the read responses themselves). */
  private readonly pending = new MessageQueue();
  /** Bytes of the head pending read already handed on as writes. */
  private pendingOff: number;

  // Descriptor queue (parallel arrays; `head` is the running one).
  private readonly qSrc: number[] = [];
  private readonly qDst: number[] = [];
  private readonly qBytes: number[] = [];
  private readonly qAux: number[] = [];
  private readonly qDone: EventHandler[] = [];
  private readonly qKind: number[] = [];
  private readonly qPayload: unknown[] = [];
  private head: number;

  // The running descriptor.
  private active: boolean;
  private src: number;
  private dst: number;
  private bytes: number;
  private aux: number;
  private readIssued: number;
  private written: number;
  private readsOut: number;
  private writesOut: number;
  private startedAt: number;
  private pumping: boolean;
  private pumpAgain: boolean;

  private readonly stBytes: Counter;
  private readonly stCopies: Counter;
  private readonly stBusyPs: Counter;
  private readonly stReads: Counter;
  private readonly stWrites: Counter;

  constructor(sim: Simulator, stats: StatsRegistry, pool: MessagePool, name: string, p: DmaEngineParams) {
    if (!(p.readChunkBytes > 0 && p.writeChunkBytes > 0)) throw new Error(`${name}: chunk sizes must be positive`);
    this.name = name;
    this.sim = sim;
    this.pool = pool;
    this.p = p;
    this.maxReads = p.maxOutstandingReads ?? 64;
    this.maxWrites = p.maxOutstandingWrites ?? 64;
    this.flush = p.flushHostWrites ?? true;
    this.port = new Port(this, `${name}.port`);
    this.pendingOff = 0;
    this.head = 0;
    this.active = false;
    this.src = 0;
    this.dst = 0;
    this.bytes = 0;
    this.aux = 0;
    this.readIssued = 0;
    this.written = 0;
    this.readsOut = 0;
    this.writesOut = 0;
    this.startedAt = 0;
    this.pumping = false;
    this.pumpAgain = false;
    this.stBytes = stats.counter(`${name}.bytes`, "bytes", "bytes copied");
    this.stCopies = stats.counter(`${name}.copies`, "count", "descriptors completed");
    this.stBusyPs = stats.counter(`${name}.busyPs`, "ps", "time with a descriptor running");
    this.stReads = stats.counter(`${name}.reads`, "count", "read requests issued");
    this.stWrites = stats.counter(`${name}.writes`, "count", "write requests issued");
    stats.formula(`${name}.achievedGBs`, "GB/s", "bytes copied over busy time", () => (this.stBytes.value * 1000) / this.stBusyPs.value);
  }

  /** Queues a copy; `done.handleEvent(kind, payload)` is called once when its last byte has landed. */
  submit(d: DmaDescriptor, done: EventHandler, kind: number, payload: unknown): void {
    if (!(d.bytes >= 0 && Number.isInteger(d.bytes))) throw new Error(`${this.name}: bad copy size ${d.bytes}`);
    this.qSrc.push(d.src);
    this.qDst.push(d.dst);
    this.qBytes.push(d.bytes);
    this.qAux.push(d.snoop ? 0 : NO_SNOOP);
    this.qDone.push(done);
    this.qKind.push(kind);
    this.qPayload.push(payload);
    if (!this.active) this.startNext();
  }

  /** PageCopier: a copy with the engine's default snooping. */
  copy(src: number, dst: number, bytes: number, done: EventHandler, kind: number, payload: unknown): void {
    this.submit({ src, dst, bytes, snoop: this.p.copySnoops ?? true }, done, kind, payload);
  }

  /** Descriptors queued or running. */
  get queued(): number {
    return this.qSrc.length - this.head;
  }

  /** Read data and write acknowledgements from the router. */
  recv(_port: Port, msg: Message): boolean {
    if (msg.kind === MsgKind.MemReadResp) {
      if (msg.txnId === TAG_FLUSH) {
        this.pool.put(msg);
        this.complete();
        return true;
      }
      this.pending.push(msg);
    } else if (msg.kind === MsgKind.MemWriteAck) {
      this.writesOut--;
      this.written += msg.sizeBytes;
      this.pool.put(msg);
      if (this.written === this.bytes) {
        this.dataDone();
        return true;
      }
    } else throw new Error(`${this.name}: unexpected message kind ${msg.kind}`);
    this.pump();
    return true;
  }

  /** The router has room again. */
  wake(_port: Port): void {
    drainBacklog(this.port, this.unsent);
  }

  private startNext(): void {
    if (this.head === this.qSrc.length) {
      this.head = 0;
      this.qSrc.length = this.qDst.length = this.qBytes.length = this.qAux.length = 0;
      this.qDone.length = this.qKind.length = this.qPayload.length = 0;
      return;
    }
    const i = this.head;
    this.active = true;
    this.src = this.qSrc[i];
    this.dst = this.qDst[i];
    this.bytes = this.qBytes[i];
    this.aux = this.qAux[i];
    this.readIssued = 0;
    this.written = 0;
    this.startedAt = this.sim.now;
    if (this.bytes === 0) this.complete();
    else this.pump();
  }

  /**
   * Issues writes for read data, then reads, within the caps. An answer may come back inside a
   * send (over a Wire): state is updated before each send, and a nested call only asks for
   * another pass of the loop that is running.
   */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    do {
      this.pumpAgain = false;
      this.pumpOnce();
    } while (this.pumpAgain);
    this.pumping = false;
  }

  private pumpOnce(): void {
    const wc = this.p.writeChunkBytes;
    while (this.active && this.writesOut < this.maxWrites && this.pending.head !== null) {
      const r = this.pending.head;
      const a = this.dst + (r.addr - this.src) + this.pendingOff;
      const left = r.sizeBytes - this.pendingOff;
      const boundary = (Math.floor(a / wc) + 1) * wc - a;
      const n = left < boundary ? left : boundary;
      const w = this.pool.get();
      w.kind = MsgKind.MemWrite;
      w.addr = a;
      w.sizeBytes = n;
      w.aux = this.aux;
      w.txnId = TAG_DATA;
      w.issuedAt = this.sim.now;
      this.writesOut++;
      this.stWrites.value++;
      this.pendingOff += n;
      if (this.pendingOff === r.sizeBytes) {
        this.pending.shift();
        this.pool.put(r);
        this.pendingOff = 0;
        this.readsOut--;
      }
      sendOrQueue(this.port, this.unsent, w);
    }
    const rc = this.p.readChunkBytes;
    while (this.active && this.readsOut < this.maxReads && this.readIssued < this.bytes) {
      const a = this.src + this.readIssued;
      const boundary = (Math.floor(a / rc) + 1) * rc - a;
      const left = this.bytes - this.readIssued;
      const n = left < boundary ? left : boundary;
      const m = this.pool.get();
      m.kind = MsgKind.MemRead;
      m.addr = a;
      m.sizeBytes = n;
      m.aux = this.aux;
      m.txnId = TAG_DATA;
      m.issuedAt = this.sim.now;
      this.readsOut++;
      this.readIssued += n;
      this.stReads.value++;
      sendOrQueue(this.port, this.unsent, m);
    }
  }

  /** Every write of the running descriptor is acknowledged. */
  private dataDone(): void {
    const toHost = !(this.dst >= this.p.deviceMemLo && this.dst < this.p.deviceMemHi);
    if (toHost && this.flush) {
      const m = this.pool.get();
      m.kind = MsgKind.MemRead;
      m.addr = this.dst + this.bytes - 1;
      m.sizeBytes = 0;
      m.txnId = TAG_FLUSH;
      m.issuedAt = this.sim.now;
      sendOrQueue(this.port, this.unsent, m);
      return;
    }
    this.complete();
  }

  private complete(): void {
    const i = this.head++;
    this.stBytes.value += this.bytes;
    this.stCopies.value++;
    this.stBusyPs.value += this.sim.now - this.startedAt;
    this.active = false;
    const done = this.qDone[i];
    const kind = this.qKind[i];
    const payload = this.qPayload[i];
    this.qPayload[i] = null;
    done.handleEvent(kind, payload);
    if (!this.active) this.startNext();
  }
}
