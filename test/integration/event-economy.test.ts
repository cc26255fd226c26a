import { describe, expect, it } from "vitest";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";
import { machine } from "./numa-helpers.ts";

// Guards against event storms (e.g. a component waking itself more than once per transfer):
// events must grow linearly with the lines a workload touches.
describe("event economy", () => {
  const m = machine("machines/opteron-4p.yaml");
  const eventsPerLine = (mode: "stream-read" | "stream-write", bytes: number) => {
    const w: WorkloadSpec = {
      name: "e",
      description: "",
      regions: [{ name: "r", size: bytes, policy: { kind: "bind", nodes: [3] }, kind: "anon" }],
      threads: [{ core: 2, generator: mode, region: "r", elementBytes: 64, passes: 1, gapCycles: 0, startNs: 0 }],
    };
    return runSimulation(m, w, 1).events / (bytes / 64);
  };

  it("a remote write stream with write-backs costs a bounded number of events per line", () => {
    const small = eventsPerLine("stream-write", 2 << 20);
    const large = eventsPerLine("stream-write", 4 << 20);
    // About 22: a data packet whose end a command inserted into it pushed back arrives one event later.
    expect(large).toBeLessThan(24);
    expect(large).toBeLessThan(small * 1.5);
  });

  it("a remote read stream costs a bounded number of events per line", () => {
    expect(eventsPerLine("stream-read", 2 << 20)).toBeLessThan(20);
  });
});
