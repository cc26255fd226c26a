import type { EventHandler } from "../../kernel/event-queue.ts";
import { Message } from "../../kernel/message.ts";
import { Port, type PortOwner } from "../../kernel/port.ts";
import type { Simulator } from "../../kernel/simulator.ts";
import { MsgKind } from "../msg-kind.ts";
import type { RequestTrace } from "./request-trace.ts";

/**
 * Plays a RequestTrace into a memory port: request i is offered at its cycle, or later if the
 * memory refused an earlier one (requests wait here, in order, until the memory takes them).
 * Counts the responses and notes when the last one arrived. Answered messages are reused for
 * later requests, but only once the connection is done with them (never inside `recv`).
 */
export class RequestPlayer implements PortOwner, EventHandler {
  /** Component path. */
  readonly name: string;
  /** The port to connect to a memory. */
  readonly port: Port;
  /** Requests answered so far. */
  completed: number;
  /** Reads answered so far. */
  readsDone: number;
  /** Writes acknowledged so far. */
  writesDone: number;
  /** Tick of the last response. */
  lastResponseTick: number;
  private readonly sim: Simulator;
  private readonly trace: RequestTrace;
  private readonly periodPs: number;
  private readonly sizeBytes: number;
  private readonly spare: Message[];
  private nextIndex: number;
  private refused: Message | null;
  private timerAt: number;

  constructor(sim: Simulator, name: string, trace: RequestTrace, periodPs: number, sizeBytes: number) {
    this.name = name;
    this.port = new Port(this, `${name}.port`);
    this.completed = 0;
    this.readsDone = 0;
    this.writesDone = 0;
    this.lastResponseTick = 0;
    this.sim = sim;
    this.trace = trace;
    this.periodPs = periodPs;
    this.sizeBytes = sizeBytes;
    this.spare = [];
    this.nextIndex = 0;
    this.refused = null;
    this.timerAt = -1;
  }

  /** True once every request has been answered. */
  get done(): boolean {
    return this.completed === this.trace.length;
  }

  /** Starts playing (call once, before running the simulator). */
  start(): void {
    this.offer();
  }

  /** A timer for the next request's cycle. */
  handleEvent(): void {
    this.timerAt = -1;
    this.offer();
  }

  /** The memory has room again. */
  wake(): void {
    this.offer();
  }

  /** A response: count it and keep the message for reuse. */
  recv(_port: Port, msg: Message): boolean {
    this.completed++;
    if (msg.kind === MsgKind.MemReadResp) this.readsDone++;
    else this.writesDone++;
    this.lastResponseTick = this.sim.now;
    this.spare.push(msg);
    return true;
  }

  private offer(): void {
    const t = this.trace;
    while (this.nextIndex < t.length) {
      const i = this.nextIndex;
      const at = t.cycles[i] * this.periodPs;
      if (at > this.sim.now) {
        if (this.timerAt !== at) {
          this.timerAt = at;
          this.sim.scheduleAt(this, at, 0, null);
        }
        return;
      }
      let m = this.refused;
      if (m === null) {
        m = this.spare.pop() ?? new Message();
        m.kind = t.writes[i] !== 0 ? MsgKind.MemWrite : MsgKind.MemRead;
        m.addr = t.addrs[i];
        m.sizeBytes = this.sizeBytes;
        m.txnId = i;
        m.issuedAt = this.sim.now;
        m.hops = 0;
      }
      if (!this.port.send(m)) {
        this.refused = m;
        return;
      }
      this.refused = null;
      this.nextIndex++;
    }
  }
}
