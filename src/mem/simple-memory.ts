import type { EventHandler } from "../kernel/event-queue.ts";
import { MessageQueue, type Message } from "../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Average } from "../stats/average.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import type { TraceWriter } from "../stats/trace-writer.ts";
import { MsgKind } from "./msg-kind.ts";
import { LineVersions } from "./line-versions.ts";

/** Parameters of the latency-and-bandwidth memory controller. */
export interface SimpleMemoryParams {
  /** Idle read latency: request accepted to data ready, in ps. */
  latencyPs: number;
  /** Peak channel bandwidth in bytes per ns (= GB/s). */
  peakBandwidthBytesPerNs: number;
  /** Fraction of the peak a stream of requests sustains (bus turnarounds, refresh, bank conflicts). */
  efficiency: number;
  /** Reads accepted but not yet answered; beyond it `recv` refuses reads. */
  queueDepth: number;
  /** Writes the write buffer holds. */
  writeBufferDepth: number;
  /** Once the write buffer is full, writes go ahead of reads until this many are left. */
  writeLowWatermark: number;
  /** Time the channel needs after a write before a read may use it (DDR tWTR plus bus turnaround), in ps. */
  writeToReadPs: number;
}

const EV_CHANNEL_FREE = 0;
const EV_READ_DONE = 1;

/**
 * A memory controller with one channel. Reads queue first come first served and each occupies the
 * channel for size / sustained bandwidth, its data ready one access latency after its turn starts.
 * Writes wait in a write buffer and use the channel only when no read is waiting, or from the
 * moment the buffer is full until it is down to its low watermark (memory controllers prioritise
 * reads, and drain writes in batches so the bus turns around once per batch); each is
 * acknowledged once written. A read after a write waits for the bus to turn around. The channel
 * wakes itself only while requests are waiting, so an isolated read costs one event.
 */
export class SimpleMemory implements PortOwner, EventHandler {
  /** Component path, e.g. `node0.mc`. */
  readonly name: string;
  /** The port the home agent talks to. */
  readonly port: Port;
  /** Timeline writer, when the run records one (set by the machine builder). */
  trace: TraceWriter | null = null;
  /** Version of each line held (value tracking of `--check`), or null. */
  versions: LineVersions | null = null;
  private readonly sim: Simulator;
  private readonly p: SimpleMemoryParams;
  private readonly psPerByte: number;
  private readonly reads = new MessageQueue();
  private readonly writes = new MessageQueue();
  private readonly unsent = new MessageQueue();
  /** Tick the channel finishes its current transfer. */
  private busyUntil: number;
  /** True while a channel-free event is pending. */
  private wakePending: boolean;
  private lastWasWrite: boolean;
  /** True from a full write buffer until it is down to the low watermark. */
  private draining: boolean;
  private readsOutstanding: number;
  private refusedSomeone: boolean;
  private readonly stReads: Counter;
  private readonly stWrites: Counter;
  private readonly stBytes: Counter;
  private readonly stBusyPs: Counter;
  private readonly stLatency: Average;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, p: SimpleMemoryParams) {
    if (!(p.efficiency > 0 && p.efficiency <= 1)) throw new Error(`${name}: efficiency must be in (0, 1]`);
    if (!(p.writeLowWatermark >= 0 && p.writeLowWatermark < p.writeBufferDepth)) throw new Error(`${name}: the write low watermark must be below the write buffer size`);
    this.name = name;
    this.sim = sim;
    this.p = p;
    this.port = new Port(this, `${name}.port`);
    this.psPerByte = 1000 / (p.peakBandwidthBytesPerNs * p.efficiency);
    this.busyUntil = 0;
    this.wakePending = false;
    this.lastWasWrite = false;
    this.draining = false;
    this.readsOutstanding = 0;
    this.refusedSomeone = false;
    this.stReads = stats.counter(`${name}.reads`, "count", "read requests served");
    this.stWrites = stats.counter(`${name}.writes`, "count", "write requests served");
    this.stBytes = stats.counter(`${name}.bytes`, "bytes", "bytes read and written");
    this.stBusyPs = stats.counter(`${name}.busyPs`, "ps", "time the channel spent transferring");
    this.stLatency = stats.average(`${name}.readLatencyPs`, "ps", "read accepted to data ready (queueing plus access)");
    stats.formula(`${name}.bandwidthGBs`, "GB/s", "bytes over simulated time", () => (this.stBytes.value * 1000) / this.sim.now);
    stats.formula(`${name}.utilisation`, "ratio", "channel busy time over simulated time", () => this.stBusyPs.value / this.sim.now);
  }

  /** Accepts a MemRead (queue permitting) or a MemWrite (write buffer permitting). */
  recv(_port: Port, msg: Message): boolean {
    if (msg.kind === MsgKind.MemRead) {
      if (this.readsOutstanding >= this.p.queueDepth) {
        this.refusedSomeone = true;
        return false;
      }
      this.readsOutstanding++;
      msg.issuedAt = this.sim.now;
      this.reads.push(msg);
    } else {
      if (this.writes.length >= this.p.writeBufferDepth) {
        this.refusedSomeone = true;
        return false;
      }
      this.writes.push(msg);
    }
    if (this.versions !== null) this.versions.accept(msg);
    if (!this.wakePending) this.serve();
    return true;
  }

  /** Starts keeping the version of each line written (value tracking of `--check`). */
  trackVersions(): void {
    this.versions ??= new LineVersions();
  }

  /** The channel is free again, or a read's data is ready. */
  handleEvent(kind: number, payload: unknown): void {
    if (kind === EV_CHANNEL_FREE) {
      this.wakePending = false;
      this.serve();
      return;
    }
    // (EV_READ_DONE)
    const msg = payload as Message;
    msg.kind = MsgKind.MemReadResp;
    this.readsOutstanding--;
    this.respond(msg);
    this.signalRoom();
  }

  /** The home agent has room again: send what it refused. */
  wake(_port: Port): void {
    drainBacklog(this.port, this.unsent);
  }

  /**
   * Starts transfers while the channel is free now: a waiting read first, else a buffered write
   * (a full write buffer drains first, down to its low watermark). If work remains for later, wakes up when it can start.
   */
  private serve(): void {
    const now = this.sim.now;
    for (;;) {
      if (this.reads.length === 0 && this.writes.length === 0) return;
      const nw = this.writes.length;
      if (nw >= this.p.writeBufferDepth) this.draining = true;
      else if (nw <= this.p.writeLowWatermark) this.draining = false;
      const readNext = this.reads.length > 0 && !this.draining;
      // A read after a write must wait for the bus to turn around.
      const free = readNext && this.lastWasWrite ? this.busyUntil + this.p.writeToReadPs : this.busyUntil;
      if (free > now) {
        // A nested call (an acknowledgement answered at once through the wire) may have
        // scheduled the wake already: one pending wake is enough.
        if (!this.wakePending) {
          this.wakePending = true;
          this.sim.scheduleAt(this, free, EV_CHANNEL_FREE, null);
        }
        return;
      }
      const msg = (readNext ? this.reads.shift() : (this.writes.shift() ?? this.reads.shift())) as Message;
      const isWrite = msg.kind === MsgKind.MemWrite;
      const service = Math.ceil(msg.sizeBytes * this.psPerByte);
      this.busyUntil = now + service;
      this.lastWasWrite = isWrite;
      this.stBusyPs.value += service;
      this.stBytes.value += msg.sizeBytes;
      if (isWrite) {
        this.stWrites.value++;
        msg.kind = MsgKind.MemWriteAck;
        this.respond(msg);
        this.signalRoom();
      } else {
        this.stReads.value++;
        const ready = now + (this.p.latencyPs > service ? this.p.latencyPs : service);
        this.stLatency.sample(ready - msg.issuedAt);
        if (this.trace !== null) this.trace.span(this.name, "read", msg.issuedAt, ready, { addr: msg.addr });
        this.sim.scheduleAt(this, ready, EV_READ_DONE, msg);
      }
    }
  }

  /** Tells a refused sender there is room again (a read finished or a write left the buffer). */
  private signalRoom(): void {
    if (this.refusedSomeone) {
      this.refusedSomeone = false;
      this.port.ready();
    }
  }

  private respond(msg: Message): void {
    sendOrQueue(this.port, this.unsent, msg);
  }
}
