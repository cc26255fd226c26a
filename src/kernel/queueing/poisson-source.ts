import type { EventHandler } from "../event-queue.ts";
import { MessageQueue, type MessagePool } from "../message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../port.ts";
import type { RngStream } from "../rng.ts";
import type { Simulator } from "../simulator.ts";

const EV_ARRIVAL = 0;

/**
 * Customers arriving as a Poisson process: exponential gaps of mean `meanGapPs`, drawn from the
 * source's own stream and rounded to whole picoseconds (choose means of thousands of ps or more,
 * so the rounding is negligible). Each customer is a pooled Message whose `issuedAt` is its arrival
 * tick and `sizeBytes` one of `sizes` (uniformly), sent on `port` at that tick; the source stops
 * after `limit` customers. A send the connection refuses waits in the source's backlog, first in
 * line, until the connection wakes the source: nothing is dropped.
 */
export class PoissonSource implements EventHandler, PortOwner {
  /** Component path. */
  readonly name: string;
  /** Where customers leave the source. */
  readonly port: Port;
  /** Customers created so far. */
  sent: number;
  /** Customers the connection has refused and the source still holds, oldest first. */
  readonly backlog: MessageQueue;
  private readonly sim: Simulator;
  private readonly pool: MessagePool;
  private readonly rng: RngStream;
  private readonly meanGapPs: number;
  private readonly limit: number;
  private readonly sizes: readonly number[];

  constructor(sim: Simulator, pool: MessagePool, name: string, rng: RngStream, meanGapPs: number, limit: number, sizes: readonly number[] = [0]) {
    if (!(meanGapPs > 0)) throw new Error(`${name}: mean gap must be positive, got ${meanGapPs}`);
    this.name = name;
    this.port = new Port(this, `${name}.out`);
    this.sent = 0;
    this.backlog = new MessageQueue();
    this.sim = sim;
    this.pool = pool;
    this.rng = rng;
    this.meanGapPs = meanGapPs;
    this.limit = limit;
    this.sizes = sizes;
  }

  /** Schedules the first arrival (one gap after now). */
  start(): void {
    if (this.limit > 0) this.sim.schedule(this, Math.round(this.rng.exp(this.meanGapPs)), EV_ARRIVAL, null);
  }

  /** One customer arrives: send it and schedule the next. */
  handleEvent(_kind: number, _payload: unknown): void {
    const m = this.pool.get();
    m.issuedAt = this.sim.now;
    m.txnId = this.sent;
    m.sizeBytes = this.sizes.length === 1 ? this.sizes[0]! : this.sizes[this.rng.int(this.sizes.length)]!;
    this.sent++;
    sendOrQueue(this.port, this.backlog, m);
    if (this.sent < this.limit) this.sim.schedule(this, Math.round(this.rng.exp(this.meanGapPs)), EV_ARRIVAL, null);
  }

  /** A source receives nothing. */
  recv(_port: Port): boolean {
    throw new Error(`${this.name}: a source receives no messages`);
  }

  /** The connection has room again: send from the backlog, oldest first, while it accepts. */
  wake(_port: Port): void {
    drainBacklog(this.port, this.backlog);
  }
}
