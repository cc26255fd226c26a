import { describe, expect, it } from "vitest";
import type { EventHandler } from "../../src/kernel/event-queue.ts";
import { RngStream } from "../../src/kernel/rng.ts";
import { Simulator } from "../../src/kernel/simulator.ts";

/**
 * A component that takes steps `gapPs` apart and logs each with the tick; `inline` lets it move the
 * clock on by itself (`advanceTo`) instead of scheduling its next step whenever the kernel allows.
 */
class Stepper implements EventHandler {
  readonly name = "test.stepper";
  steps = 0;
  constructor(
    private readonly sim: Simulator,
    private readonly log: string[],
    private readonly gapPs: number,
    private readonly total: number,
    private readonly inline: boolean,
  ) {}
  handleEvent(): void {
    for (;;) {
      this.log.push(`${this.sim.now} step ${this.steps}`);
      if (++this.steps === this.total) return;
      const next = this.sim.now + this.gapPs;
      if (!this.inline || !this.sim.advanceTo(next)) {
        this.sim.scheduleAt(this, next, 0, null);
        return;
      }
    }
  }
}

/** Other traffic: events at random ticks, some equal to the stepper's, each logging and sometimes scheduling another. */
class Noise implements EventHandler {
  readonly name = "test.noise";
  constructor(
    private readonly sim: Simulator,
    private readonly log: string[],
    private readonly rng: () => number,
  ) {}
  handleEvent(kind: number): void {
    this.log.push(`${this.sim.now} noise ${kind}`);
    if (this.rng() < 0.3) this.sim.schedule(this, Math.floor(this.rng() * 5) * 500, kind + 1000, null);
  }
}

function trace(inline: boolean, seed: number): { log: string[]; events: number } {
  const sim = new Simulator();
  const log: string[] = [];
  const stream = new RngStream(seed, "noise");
  const rng = () => stream.next();
  const noise = new Noise(sim, log, rng);
  const stepper = new Stepper(sim, log, 500, 400, inline);
  sim.scheduleAt(stepper, 0, 0, null);
  // Sparse bursts: long quiet stretches the stepper can cross alone, and ticks equal to its own.
  for (let i = 0; i < 60; i++) sim.scheduleAt(noise, Math.floor(rng() * 400) * 500 + (rng() < 0.5 ? 0 : 250), i, null);
  sim.run();
  return { log, events: sim.eventsDispatched };
}

describe("moving the clock on inside an event (advanceTo)", () => {
  it("gives the same order of everything as scheduling each step, with fewer events", () => {
    for (const seed of [1, 2, 3]) {
      const scheduled = trace(false, seed);
      const inline = trace(true, seed);
      expect(inline.log).toEqual(scheduled.log);
      expect(inline.events).toBeLessThan(scheduled.events / 2);
    }
  });

  it("refuses when an event is due at or before the tick, and moves the clock when none is", () => {
    const sim = new Simulator();
    const answers: boolean[] = [];
    const nows: number[] = [];
    const other = { name: "other", handleEvent() {} };
    const h = {
      name: "h",
      handleEvent() {
        answers.push(sim.advanceTo(5_000_000), sim.advanceTo(2_000), sim.advanceTo(1_999));
        nows.push(sim.now);
        answers.push(sim.advanceTo(1_000));
      },
    };
    sim.scheduleAt(h, 1_000, 0, null);
    sim.scheduleAt(other, 2_000, 0, null);
    sim.run();
    // Far ahead and at 2,000 an event comes first (an equal tick too); by 1,999 none; the clock
    // never goes back.
    expect(answers).toEqual([false, false, true, false]);
    expect(nows).toEqual([1_999]);
  });

  it("stays within the running loop: not past run's bound, not in runUntil, not outside a run", () => {
    const sim = new Simulator();
    const answers: boolean[] = [];
    const h = { name: "h", handleEvent: () => answers.push(sim.advanceTo(sim.now + 100)) };
    expect(sim.advanceTo(10)).toBe(false);
    sim.scheduleAt(h, 1_000, 0, null);
    sim.run(1_050);
    sim.scheduleAt(h, 2_000, 0, null);
    sim.runUntil(() => false);
    sim.scheduleAt(h, 3_000, 0, null);
    sim.run();
    expect(answers).toEqual([false, false, true]);
    expect(sim.now).toBe(3_100);
  });
});
