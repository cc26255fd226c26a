import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/kernel/simulator.ts";
import { RngStream } from "../../src/kernel/rng.ts";
import { Recorder } from "./recorder.ts";

describe("event order", () => {
  it("dispatches events in tick order whatever the insertion order", () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    for (const t of [500, 100, 300, 200, 400]) sim.scheduleAt(r, t, t, null);
    sim.run();
    expect(r.seen.map(([t]) => t)).toEqual([100, 200, 300, 400, 500]);
  });

  it("dispatches events of equal tick in insertion order (FIFO)", () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    for (let k = 0; k < 50; k++) sim.scheduleAt(r, 1000, k, null);
    sim.run();
    expect(r.seen.map(([, k]) => k)).toEqual([...Array(50).keys()]);
  });

  it("keeps (tick, insertion) order across calendar resizes with many random events", () => {
    const sim = new Simulator(16);
    const r = new Recorder(sim);
    const rng = new RngStream(7, "test");
    const expected: Array<[number, number]> = [];
    for (let k = 0; k < 20_000; k++) {
      // Few distinct ticks so that equal ticks are common.
      const t = rng.int(2_000) * 1_000;
      sim.scheduleAt(r, t, k, null);
      expected.push([t, k]);
    }
    expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    sim.run();
    expect(r.seen).toEqual(expected);
  });

  it("orders events scheduled while running, including at the current tick", () => {
    const sim = new Simulator();
    const seen: string[] = [];
    const h = {
      name: "test.chain",
      handleEvent(kind: number) {
        seen.push(`${sim.now}:${kind}`);
        if (kind === 1) {
          sim.schedule(h, 0, 3, null);
          sim.schedule(h, 5, 4, null);
        }
      },
    };
    sim.scheduleAt(h, 10, 1, null);
    sim.scheduleAt(h, 10, 2, null);
    sim.scheduleAt(h, 15, 5, null);
    sim.run();
    expect(seen).toEqual(["10:1", "10:2", "10:3", "15:5", "15:4"]);
  });

  it("copes with sparse far-future events after dense ones", () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    for (let k = 0; k < 1000; k++) sim.scheduleAt(r, k, 0, null);
    sim.scheduleAt(r, 10 ** 12, 1, null);
    sim.scheduleAt(r, 10 ** 9, 2, null);
    sim.run();
    expect(r.seen.slice(-2)).toEqual([
      [10 ** 9, 2],
      [10 ** 12, 1],
    ]);
  });
});
