import { MessagePool } from "../message.ts";
import { RngStream } from "../rng.ts";
import { Simulator } from "../simulator.ts";
import { StatsRegistry } from "../../stats/registry.ts";
import { FifoServer, type ServiceKind } from "./fifo-server.ts";
import { Handoff } from "./handoff.ts";
import { PoissonSource } from "./poisson-source.ts";
import { Sink } from "./sink.ts";

/** Parameters of an M/M/1 or M/D/1 queue. */
export interface SingleServerQueueParams {
  seed: number;
  /** Mean gap between arrivals (1/λ), in ps. */
  meanGapPs: number;
  /** Mean service time (1/μ), in ps. */
  meanServicePs: number;
  service: ServiceKind;
  /** Customers the source sends. */
  customers: number;
}

/** A source, a FIFO server and a sink on one simulator. */
export interface SingleServerQueue {
  sim: Simulator;
  stats: StatsRegistry;
  source: PoissonSource;
  server: FifoServer;
  sink: Sink;
}

/** Wires a Poisson source to a FIFO server to a sink, each with its own random stream; call `source.start()` then `sim.run()`. */
export function buildSingleServerQueue(p: SingleServerQueueParams): SingleServerQueue {
  const sim = new Simulator(64);
  const stats = new StatsRegistry();
  const pool = new MessagePool();
  const source = new PoissonSource(sim, pool, "queue.source", new RngStream(p.seed, "queue.source"), p.meanGapPs, p.customers);
  const server = new FifoServer(sim, "queue.server", new RngStream(p.seed, "queue.server"), p.service, p.meanServicePs);
  const sink = new Sink(sim, stats, pool, "queue.sink");
  new Handoff(source.port, server.input);
  new Handoff(server.output, sink.port);
  return { sim, stats, source, server, sink };
}

/** Mean wait in queue of M/M/1 with arrival rate λ and service rate μ: Wq = ρ / (μ − λ). */
export function mm1WaitInQueue(lambda: number, mu: number): number {
  const rho = lambda / mu;
  return rho / (mu - lambda);
}

/** Mean wait in queue of M/D/1 (Pollaczek–Khinchine with no service variance): Wq = ρ / (2μ(1 − ρ)). */
export function md1WaitInQueue(lambda: number, mu: number): number {
  const rho = lambda / mu;
  return rho / (2 * mu * (1 - rho));
}
