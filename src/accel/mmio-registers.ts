import type { EventHandler } from "../kernel/event-queue.ts";
import { MessageQueue, type Message, type MessagePool } from "../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Average } from "../stats/average.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import { MsgKind } from "../mem/msg-kind.ts";

/** Parameters of a register block (defaults in brackets). */
export interface MmioRegistersParams {
  /** First physical byte address of the block. */
  baseAddr: number;
  /** Size of the block in bytes. */
  sizeBytes: number;
  /** Device-internal time to read a register, in ps [50 000]. */
  readLatencyPs?: number;
  /** Device-internal time to apply a register write, in ps [20 000]. */
  writeLatencyPs?: number;
}

const EV_DONE = 0;

/**
 * A device's register block at a physical range. Accesses are served one at a time in arrival
 * order (a later one waits for the earlier ones): a read answers, after the read latency, the
 * register's value at that moment (which the device may have changed, e.g. a status register);
 * a write is posted (no answer) and takes effect after the write latency. A register may be a
 * doorbell: once a write to it has taken effect, its handler is called with the written value.
 * Unknown offsets read as 0.
 */
export class MmioRegisters implements PortOwner, EventHandler {
  /** Component path. */
  readonly name: string;
  /** The port the device router (or a test) talks to. */
  readonly port: Port;
  private readonly sim: Simulator;
  private readonly pool: MessagePool;
  private readonly base: number;
  private readonly size: number;
  private readonly readPs: number;
  private readonly writePs: number;
  private readonly values = new Map<number, number>();
  private readonly doorbells = new Map<number, { handler: EventHandler; kind: number }>();
  private readonly waiting = new MessageQueue();
  private readonly unsent = new MessageQueue();
  private busy: boolean;
  private readonly stReads: Counter;
  private readonly stWrites: Counter;
  private readonly stDoorbells: Counter;
  private readonly stWait: Average;

  constructor(sim: Simulator, stats: StatsRegistry, pool: MessagePool, name: string, p: MmioRegistersParams) {
    this.name = name;
    this.sim = sim;
    this.pool = pool;
    this.base = p.baseAddr;
    this.size = p.sizeBytes;
    this.readPs = p.readLatencyPs ?? 50_000;
    this.writePs = p.writeLatencyPs ?? 20_000;
    this.port = new Port(this, `${name}.port`);
    this.busy = false;
    this.stReads = stats.counter(`${name}.reads`, "count", "register reads");
    this.stWrites = stats.counter(`${name}.writes`, "count", "register writes");
    this.stDoorbells = stats.counter(`${name}.doorbells`, "count", "doorbell writes");
    this.stWait = stats.average(`${name}.queueWaitPs`, "ps", "wait behind earlier register accesses");
  }

  /** Current value of the register at byte `offset` from the block's base. */
  value(offset: number): number {
    return this.values.get(offset) ?? 0;
  }

  /** Sets a register's value as the device would (e.g. a status register; no latency). */
  setValue(offset: number, v: number): void {
    this.checkOffset(offset);
    this.values.set(offset, v);
  }

  /** Makes `offset` a doorbell: each write to it calls `handler.handleEvent(kind, value)` once applied. */
  setDoorbell(offset: number, handler: EventHandler, kind: number): void {
    this.checkOffset(offset);
    this.doorbells.set(offset, { handler, kind });
  }

  recv(_port: Port, msg: Message): boolean {
    if (msg.kind !== MsgKind.MmioRead && msg.kind !== MsgKind.MmioWrite) throw new Error(`${this.name}: unexpected message kind ${msg.kind}`);
    this.checkOffset(msg.addr - this.base);
    msg.sendAt = this.sim.now; // arrival, for the queue-wait statistic
    if (this.busy) this.waiting.push(msg);
    else this.start(msg);
    return true;
  }

  wake(_port: Port): void {
    drainBacklog(this.port, this.unsent);
  }

  /** An access has finished: answer a read or apply a write, then start the next. */
  handleEvent(_kind: number, payload: unknown): void {
    const msg = payload as Message;
    const off = msg.addr - this.base;
    if (msg.kind === MsgKind.MmioRead) {
      this.stReads.value++;
      msg.kind = MsgKind.MmioReadResp;
      msg.aux = this.value(off);
      sendOrQueue(this.port, this.unsent, msg);
    } else {
      this.stWrites.value++;
      const v = msg.aux;
      this.values.set(off, v);
      this.pool.put(msg);
      const bell = this.doorbells.get(off);
      if (bell !== undefined) {
        this.stDoorbells.value++;
        bell.handler.handleEvent(bell.kind, v);
      }
    }
    const next = this.waiting.shift();
    if (next !== null) this.start(next);
    else this.busy = false;
  }

  private start(msg: Message): void {
    this.busy = true;
    this.stWait.sample(this.sim.now - msg.sendAt);
    msg.sendAt = 0;
    this.sim.schedule(this, msg.kind === MsgKind.MmioRead ? this.readPs : this.writePs, EV_DONE, msg);
  }

  private checkOffset(off: number): void {
    if (!(off >= 0 && off < this.size)) throw new Error(`${this.name}: register offset ${off} outside the ${this.size}-byte block`);
  }
}
