import { describe, expect, it } from "vitest";
import type { ThreadSpec, WorkloadSpec } from "../../src/config/workload-spec.ts";
import { prepareRun } from "../../src/machine/run-simulation.ts";
import { machine } from "./numa-helpers.ts";

/**
 * A core whose next access is due before anything else moves the clock on by itself instead of
 * scheduling a wake-up (Simulator.advanceTo). `runUntil` forbids that, so the same run through
 * `runUntil` takes every step as an event: the statistics must match to the last byte.
 */
function both(w: WorkloadSpec, ...sets: string[]): { fast: string; stepped: string; fastEvents: number; steppedEvents: number; simulatedPs: number } {
  const m = machine("machines/opteron-4p.yaml", ...sets);
  const a = prepareRun(m, w, 7, "w", {});
  a.machine.sim.run();
  const b = prepareRun(m, w, 7, "w", {});
  b.machine.sim.runUntil(() => false);
  return {
    fast: JSON.stringify(a.machine.stats.dump()),
    stepped: JSON.stringify(b.machine.stats.dump()),
    fastEvents: a.machine.sim.eventsDispatched,
    steppedEvents: b.machine.sim.eventsDispatched,
    simulatedPs: a.machine.sim.now,
  };
}

function workload(threads: ThreadSpec[], regionBytes = 256 * 1024): WorkloadSpec {
  return { name: "w", description: "", regions: [{ name: "r", size: regionBytes, policy: { kind: "local" }, kind: "anon" }], threads };
}

describe("a core moving the clock on between accesses", () => {
  it("changes nothing for a pointer chase that mostly hits in the caches (each load waits for the last)", () => {
    const r = both(workload([{ core: 0, generator: "pointer-chase", region: "r", workingSet: 48 * 1024, stride: 64, accesses: 30_000, order: "random", gapCycles: 0, startNs: 0 }]));
    expect(r.fast).toBe(r.stepped);
    expect(r.fastEvents).toBeLessThan(r.steppedEvents / 2);
  });

  it("changes nothing for streams spaced by compute cycles on several cores, missing to memory", () => {
    const t = (core: number, gen: "stream-read" | "stream-write"): ThreadSpec => ({ core, generator: gen, region: "r", elementBytes: 8, passes: 2, dependsOn: 0, gapCycles: 3, startNs: core * 10 });
    const r = both(workload([t(0, "stream-read"), t(1, "stream-write"), t(2, "stream-read")]));
    expect(r.fast).toBe(r.stepped);
    expect(r.fastEvents).toBeLessThan(r.steppedEvents);
  });

  it("changes nothing when cores on two nodes write and read the same lines (probes take lines from under a core)", () => {
    const t = (core: number, gen: "stream-read" | "stream-write", gapCycles: number): ThreadSpec => ({ core, generator: gen, region: "r", workingSet: 4096, elementBytes: 8, passes: 30, dependsOn: 0, gapCycles, startNs: 0 });
    const r = both(workload([t(0, "stream-write", 5), t(2, "stream-write", 7), t(4, "stream-read", 3)]));
    expect(r.fast).toBe(r.stepped);
    expect(r.fastEvents).toBeLessThan(r.steppedEvents);
  });

  it("changes nothing with timed address translation (walks, context switches and system calls pause the core)", () => {
    const r = both(
      workload([{ core: 0, generator: "pointer-chase", region: "r", workingSet: 192 * 1024, stride: 4096 + 64, accesses: 3000, order: "random", gapCycles: 1, startNs: 0 }], 1 << 20),
      "node.core.tlb.enabled=true",
      "os.timeslice=2us",
      "os.contextSwitchCycles=2000",
      "os.syscallEvery=1us",
      "os.syscallCycles=300",
    );
    expect(r.fast).toBe(r.stepped);
    expect(r.fastEvents).toBeLessThan(r.steppedEvents);
  });
});
