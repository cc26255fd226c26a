import type { MessagePool, Message } from "../message.ts";
import { Port, type PortOwner } from "../port.ts";
import type { Simulator } from "../simulator.ts";
import type { Average } from "../../stats/average.ts";
import type { StatsRegistry } from "../../stats/registry.ts";

/**
 * Where served customers end: it records each one's wait in the queue (its `aux`, set by the
 * server) and its time in the system (now minus its arrival, `issuedAt`), then returns it to the pool.
 */
export class Sink implements PortOwner {
  /** Component path. */
  readonly name: string;
  /** Where customers arrive. */
  readonly port: Port;
  /** Wait in the queue before service, in ps. */
  readonly waitPs: Average;
  /** Arrival to departure (wait plus service), in ps. */
  readonly sojournPs: Average;
  /** Tick the last customer arrived here. */
  lastAt: number;
  private readonly sim: Simulator;
  private readonly pool: MessagePool;

  constructor(sim: Simulator, stats: StatsRegistry, pool: MessagePool, name: string) {
    this.name = name;
    this.port = new Port(this, `${name}.in`);
    this.waitPs = stats.average(`${name}.waitPs`, "ps", "time a customer waited in the queue before its service began");
    this.sojournPs = stats.average(`${name}.sojournPs`, "ps", "time from a customer's arrival to its departure");
    this.lastAt = 0;
    this.sim = sim;
    this.pool = pool;
  }

  recv(_port: Port, msg: Message): boolean {
    const now = this.sim.now;
    this.waitPs.sample(msg.aux);
    this.sojournPs.sample(now - msg.issuedAt);
    this.lastAt = now;
    this.pool.put(msg);
    return true;
  }

  /** Never refused. */
  wake(_port: Port): void {}
}
