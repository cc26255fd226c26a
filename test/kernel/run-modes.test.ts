import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/kernel/simulator.ts";
import { Recorder } from "./recorder.ts";

describe("run modes", () => {
  it("runs until a tick, leaving later events pending and now at that tick", () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    for (const t of [10, 20, 30, 40]) sim.scheduleAt(r, t, 0, null);
    expect(sim.run(25)).toBe("until");
    expect(r.seen.length).toBe(2);
    expect(sim.now).toBe(25);
    expect(sim.pending).toBe(2);
    expect(sim.run()).toBe("empty");
    expect(r.seen.length).toBe(4);
  });

  it("runs an event exactly at the until tick", () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    sim.scheduleAt(r, 25, 0, null);
    sim.run(25);
    expect(r.seen).toEqual([[25, 0]]);
  });

  it("runs until a condition holds", () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    for (let t = 1; t <= 100; t++) sim.scheduleAt(r, t, t, null);
    expect(sim.runUntil(() => r.seen.length === 10)).toBe("condition");
    expect(sim.now).toBe(10);
  });

  it("stops when a handler asks", () => {
    const sim = new Simulator();
    let n = 0;
    const h = {
      name: "test.stopper",
      handleEvent() {
        if (++n === 3) sim.stop();
      },
    };
    for (let t = 1; t <= 10; t++) sim.scheduleAt(h, t, 0, null);
    expect(sim.run()).toBe("stopped");
    expect(n).toBe(3);
    expect(sim.eventsDispatched).toBe(3);
  });
});

describe("running until a tick, then scheduling before a far event", () => {
  it("delivers an event pushed after an early stop, ahead of a far one", () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const h = { name: "h", handleEvent: () => seen.push(sim.now) };
    sim.schedule(h, 10_000_000_000, 0, null);
    sim.run(1_000_000);
    sim.schedule(h, 5_000, 0, null);
    sim.run(2_000_000);
    expect(seen).toEqual([1_005_000]);
    sim.run();
    expect(seen).toEqual([1_005_000, 10_000_000_000]);
  });
});
