import { describe, expect, it } from "vitest";
import { SchedulingError, Simulator } from "../../src/kernel/simulator.ts";
import { Recorder } from "./recorder.ts";

describe("scheduling errors", () => {
  it("throws naming the component and the tick when scheduling into the past", () => {
    const sim = new Simulator();
    const r = new Recorder(sim, "node0.core1");
    sim.scheduleAt(r, 1000, 0, null);
    sim.run();
    expect(() => sim.scheduleAt(r, 999, 0, null)).toThrowError(SchedulingError);
    expect(() => sim.scheduleAt(r, 999, 0, null)).toThrowError(/node0\.core1.*999 ps.*1000 ps/);
  });

  it("rejects negative, fractional and NaN delays", () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    expect(() => sim.schedule(r, -1, 0, null)).toThrowError(SchedulingError);
    expect(() => sim.schedule(r, 1.5, 0, null)).toThrowError(SchedulingError);
    expect(() => sim.schedule(r, Number.NaN, 0, null)).toThrowError(SchedulingError);
  });
});
