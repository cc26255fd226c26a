import type { EventHandler } from "../kernel/event-queue.ts";
import { RngStream } from "../kernel/rng.ts";
import { Simulator } from "../kernel/simulator.ts";

/** Entries in the table of pre-drawn hold times (a power of two). */
const HOLD_TABLE_SIZE = 1 << 16;

/**
 * The classic hold model (Vaucher and Duval, 1975): `pending` events stay in the queue; each event,
 * when dispatched to this component's handler, schedules one successor an exponentially
 * distributed time later, so the population is constant and every operation is a take and a push.
 */
export class HoldModel implements EventHandler {
  /** Component path. */
  readonly name: string;
  private readonly sim: Simulator;
  /**
   * Hold times in ps, drawn once from the seeded stream. Benchmark shortcut: reading a table keeps
   * the cost of the random-number generator out of the kernel's events-per-second figure.
   */
  private readonly holdPs: Float64Array;
  private cursor: number;
  private remaining: number;

  constructor(sim: Simulator, seed: number, meanHoldPs: number) {
    this.name = "bench.hold";
    this.sim = sim;
    const rng = new RngStream(seed, this.name);
    this.holdPs = new Float64Array(HOLD_TABLE_SIZE);
    for (let i = 0; i < HOLD_TABLE_SIZE; i++) this.holdPs[i] = Math.round(rng.exp(meanHoldPs));
    this.cursor = 0;
    this.remaining = 0;
  }

  /** Fills the queue with `pending` events. */
  prime(pending: number): void {
    for (let i = 0; i < pending; i++) this.sim.schedule(this, this.nextHold(), 0, null);
  }

  /** Lets the next `events` dispatches each schedule a successor; later ones schedule nothing. */
  allow(events: number): void {
    this.remaining = events;
  }

  /** Handles one event: schedules its successor while the allowance lasts. */
  handleEvent(kind: number, payload: unknown): void {
    if (this.remaining > 0) {
      this.remaining--;
      this.sim.schedule(this, this.nextHold(), kind, payload);
    } else {
      this.sim.stop();
    }
  }

  private nextHold(): number {
    const d = this.holdPs[this.cursor];
    this.cursor = (this.cursor + 1) & (HOLD_TABLE_SIZE - 1);
    return d;
  }
}

/** Result of one hold-model measurement. */
export interface HoldResult {
  pending: number;
  events: number;
  eventsPerSec: number;
  /** Events per second of every timed repetition, in order. */
  repetitionsPerSec: number[];
}

/**
 * Measures the kernel on the hold model: a warm-up, then `repetitions` timed runs of `events`
 * dispatches each; reports the median rate.
 */
export function measureHold(pending: number, events: number, repetitions: number, seed: number): HoldResult {
  const sim = new Simulator(pending * 2);
  const model = new HoldModel(sim, seed, 1_000_000);
  model.prime(pending);
  model.allow(Math.min(events, 2_000_000));
  sim.run();
  const rates: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    model.allow(events);
    const before = sim.eventsDispatched;
    const t0 = process.hrtime.bigint();
    sim.run();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push((sim.eventsDispatched - before) / seconds);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  return { pending, events, eventsPerSec: Math.round(sorted[sorted.length >> 1]), repetitionsPerSec: rates.map(Math.round) };
}
