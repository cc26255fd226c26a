import type { EventHandler } from "../kernel/event-queue.ts";
import { MessageQueue, type Message } from "../kernel/message.ts";
import { Port, type PortOwner } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Average } from "../stats/average.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import { MsgKind } from "./msg-kind.ts";

/** Parameters of the latency-and-bandwidth memory controller. */
export interface SimpleMemoryParams {
  /** Idle access latency: request accepted to data ready, in ps. */
  latencyPs: number;
  /** Peak channel bandwidth in bytes per ns (= GB/s). */
  peakBandwidthBytesPerNs: number;
  /** Fraction of the peak a stream of requests sustains (bus turnarounds, refresh, bank conflicts). */
  efficiency: number;
  /** Requests accepted but not yet answered; beyond it `recv` refuses. */
  queueDepth: number;
}

/**
 * A memory controller with one channel: each request occupies the channel for size / sustained
 * bandwidth, first come first served, and is answered one access latency after its turn starts.
 * Reads answer MemReadResp, writes MemWriteAck (after their transfer). One event per request.
 */
export class SimpleMemory implements PortOwner, EventHandler {
  /** Component path, e.g. `node0.mc`. */
  readonly name: string;
  /** The port the home agent talks to. */
  readonly port: Port;
  private readonly sim: Simulator;
  private readonly latencyPs: number;
  private readonly psPerByte: number;
  private readonly queueDepth: number;
  private busyUntil: number;
  private outstanding: number;
  private refusedSomeone: boolean;
  private readonly unsent = new MessageQueue();
  private readonly reads: Counter;
  private readonly writes: Counter;
  private readonly bytes: Counter;
  private readonly busyPs: Counter;
  private readonly latency: Average;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, p: SimpleMemoryParams) {
    if (!(p.efficiency > 0 && p.efficiency <= 1)) throw new Error(`${name}: efficiency must be in (0, 1]`);
    this.name = name;
    this.sim = sim;
    this.port = new Port(this, `${name}.port`);
    this.latencyPs = p.latencyPs;
    this.psPerByte = 1000 / (p.peakBandwidthBytesPerNs * p.efficiency);
    this.queueDepth = p.queueDepth;
    this.busyUntil = 0;
    this.outstanding = 0;
    this.refusedSomeone = false;
    this.reads = stats.counter(`${name}.reads`, "count", "read requests served");
    this.writes = stats.counter(`${name}.writes`, "count", "write requests served");
    this.bytes = stats.counter(`${name}.bytes`, "bytes", "bytes read and written");
    this.busyPs = stats.counter(`${name}.busyPs`, "ps", "time the channel spent transferring");
    this.latency = stats.average(`${name}.latencyPs`, "ps", "request accepted to answered (queueing plus access)");
    stats.formula(`${name}.bandwidthGBs`, "GB/s", "bytes over simulated time", () => (this.bytes.value * 1000) / this.sim.now);
    stats.formula(`${name}.utilisation`, "ratio", "channel busy time over simulated time", () => this.busyPs.value / this.sim.now);
  }

  /** Accepts a MemRead or MemWrite unless the queue is full. */
  recv(_port: Port, msg: Message): boolean {
    if (this.outstanding >= this.queueDepth) {
      this.refusedSomeone = true;
      return false;
    }
    this.outstanding++;
    const now = this.sim.now;
    const start = this.busyUntil > now ? this.busyUntil : now;
    const service = Math.ceil(msg.sizeBytes * this.psPerByte);
    this.busyUntil = start + service;
    this.busyPs.value += service;
    this.bytes.value += msg.sizeBytes;
    if (msg.kind === MsgKind.MemRead) this.reads.value++;
    else this.writes.value++;
    const done = msg.kind === MsgKind.MemRead ? start + this.latencyPs : start + service;
    this.latency.sample(done - now);
    this.sim.scheduleAt(this, done, 0, msg);
    return true;
  }

  /** A request's data is ready (or its write done): answer it. */
  handleEvent(_kind: number, payload: unknown): void {
    const msg = payload as Message;
    msg.kind = msg.kind === MsgKind.MemRead ? MsgKind.MemReadResp : MsgKind.MemWriteAck;
    this.outstanding--;
    if (this.unsent.length > 0 || !this.port.send(msg)) this.unsent.push(msg);
    if (this.refusedSomeone) {
      this.refusedSomeone = false;
      this.port.ready();
    }
  }

  /** The home agent has room again: send what it refused. */
  wake(_port: Port): void {
    while (this.unsent.head !== null) {
      if (!this.port.send(this.unsent.head)) return;
      this.unsent.shift();
    }
  }
}
