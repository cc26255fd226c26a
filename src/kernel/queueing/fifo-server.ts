import type { EventHandler } from "../event-queue.ts";
import { MessageQueue, type Message } from "../message.ts";
import { Port, type PortOwner } from "../port.ts";
import type { RngStream } from "../rng.ts";
import type { Simulator } from "../simulator.ts";

const EV_DEPARTURE = 0;

/** How long a customer's service takes: exponential of a mean (M/M/1) or always the mean (M/D/1). */
export type ServiceKind = "exponential" | "deterministic";

/**
 * A single server with an unbounded first-come-first-served queue. A customer arriving on `input`
 * waits for the server, is served for a time drawn at the start of its service (rounded to whole
 * ps), and leaves on `output` with `aux` set to the ps it waited in the queue. The server integrates
 * the number of customers present (queue plus service) over time, for Little's law.
 */
export class FifoServer implements EventHandler, PortOwner {
  /** Component path. */
  readonly name: string;
  /** Where customers arrive. */
  readonly input: Port;
  /** Where served customers leave. */
  readonly output: Port;
  /** Customers present: waiting plus the one in service. */
  inSystem: number;
  /** Customers served. */
  served: number;
  /** Sum over time of the number present, in customer-picoseconds (since `areaSince`). */
  areaPs: number;
  /** Sum over time of the number waiting (not in service), in customer-picoseconds. */
  queueAreaPs: number;
  /** Tick the areas start from. */
  areaSince: number;
  /** Time the server spent serving, in ps. */
  busyPs: number;
  private readonly sim: Simulator;
  private readonly rng: RngStream;
  private readonly service: ServiceKind;
  private readonly meanServicePs: number;
  private readonly waiting: MessageQueue;
  private inService: Message | null;
  private lastChange: number;

  constructor(sim: Simulator, name: string, rng: RngStream, service: ServiceKind, meanServicePs: number) {
    if (!(meanServicePs > 0)) throw new Error(`${name}: mean service time must be positive, got ${meanServicePs}`);
    this.name = name;
    this.input = new Port(this, `${name}.in`, 0);
    this.output = new Port(this, `${name}.out`, 1);
    this.inSystem = 0;
    this.served = 0;
    this.areaPs = 0;
    this.queueAreaPs = 0;
    this.areaSince = sim.now;
    this.busyPs = 0;
    this.sim = sim;
    this.rng = rng;
    this.service = service;
    this.meanServicePs = meanServicePs;
    this.waiting = new MessageQueue();
    this.inService = null;
    this.lastChange = sim.now;
  }

  /** A customer arrives: it starts service at once if the server is free, else joins the queue. */
  recv(_port: Port, msg: Message): boolean {
    this.accumulate();
    this.inSystem++;
    if (this.inService === null) this.begin(msg);
    else this.waiting.push(msg);
    return true;
  }

  /** The customer in service is done: it leaves, and the next in line starts. */
  handleEvent(_kind: number, _payload: unknown): void {
    this.accumulate();
    const done = this.inService as Message;
    this.inService = null;
    this.inSystem--;
    this.served++;
    const next = this.waiting.shift();
    if (next !== null) this.begin(next);
    this.output.send(done);
  }

  /** Never refused (its connections are unbounded). */
  wake(_port: Port): void {}

  /** Time-average number of customers present since `areaSince`, up to now. */
  meanInSystem(): number {
    this.accumulate();
    const t = this.sim.now - this.areaSince;
    return t > 0 ? this.areaPs / t : 0;
  }

  /** Time-average number of customers waiting (not in service) since `areaSince`, up to now. */
  meanInQueue(): number {
    this.accumulate();
    const t = this.sim.now - this.areaSince;
    return t > 0 ? this.queueAreaPs / t : 0;
  }

  private begin(msg: Message): void {
    const now = this.sim.now;
    msg.aux = now - msg.issuedAt;
    this.inService = msg;
    const s = this.service === "deterministic" ? Math.round(this.meanServicePs) : Math.round(this.rng.exp(this.meanServicePs));
    this.busyPs += s;
    this.sim.schedule(this, s, EV_DEPARTURE, null);
  }

  /** Adds the time since the last change, weighted by the number present, to the areas. */
  private accumulate(): void {
    const now = this.sim.now;
    const dt = now - this.lastChange;
    if (dt > 0) {
      this.areaPs += this.inSystem * dt;
      if (this.inSystem > 1) this.queueAreaPs += (this.inSystem - 1) * dt;
      this.lastChange = now;
    }
  }
}
