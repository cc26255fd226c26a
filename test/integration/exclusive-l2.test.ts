import { describe, expect, it } from "vitest";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { prepareRun, runSimulation } from "../../src/machine/run-simulation.ts";
import { machine } from "./numa-helpers.ts";

// Small caches so the effect shows in a few thousand accesses: 1 KiB 2-way L1d, 4 KiB 4-way L2.
const small = (exclusive: boolean) =>
  machine("machines/opteron-2p.yaml", "node.core.l1d.size=1KiB", "node.core.l2.size=4KiB", "node.core.l2.assoc=4", `node.core.l2.exclusive=${exclusive}`);

/** Reads (or writes) `bytes` sequentially, `passes` times, from core 0 on node 0. */
function stream(bytes: number, passes: number, write = false): WorkloadSpec {
  return {
    name: "stream",
    description: "",
    regions: [{ name: "r", size: 64 * 1024, policy: { kind: "local" }, kind: "anon" }],
    threads: [{ core: 0, generator: write ? "stream-write" : "stream-read", region: "r", workingSet: bytes, elementBytes: 64, passes, dependsOn: 0, gapCycles: 0, startNs: 0 }],
  };
}

const misses = (exclusive: boolean, w: WorkloadSpec) => runSimulation(small(exclusive), w, 1).stats["node0.core0.l2.misses"].value as number;

describe("an exclusive L2 (K8)", () => {
  it("holds more than the L2 alone: 5 KiB read twice mostly hits on the second pass", () => {
    const lines = (5 * 1024) / 64;
    // L1d and L2 hold 80 lines between them, but not every set's share of the loop: an L1d
    // victim lands in its own L2 set, not always the one just given up.
    const exclusive = misses(true, stream(5 * 1024, 2));
    expect(exclusive).toBeGreaterThanOrEqual(lines);
    expect(exclusive).toBeLessThan(1.5 * lines);
    // Inclusive, the L2's 4 KiB is all there is: each of its sets sees five lines go round, and
    // LRU misses every time.
    expect(misses(false, stream(5 * 1024, 2))).toBe(2 * lines);
  });

  it("keeps each line in one of the two caches, and writes every dirty line back once", () => {
    const ctx = prepareRun(small(true), stream(8 * 1024, 2, true), 1, "x", {});
    ctx.machine.sim.run();
    const core = ctx.machine.nodes[0].cores[0];
    // The region's 64 KiB are among node 0's first frames: look at every line of its first 1 MiB.
    let inL1 = 0;
    for (let line = 0; line < (1 << 20) / 64; line++) {
      if (core.l1d.find(line) < 0) continue;
      inL1++;
      expect(core.l2.find(line)).toBe(-1);
    }
    expect(inL1).toBe(core.l1d.validLines());
    const stats = ctx.machine.stats;
    // 8 KiB written twice through 5 KiB of cache: every line of the first pass, and all but the
    // ones still cached of the second, go back to memory.
    const held = core.l1d.validLines() + core.l2.validLines();
    expect(held).toBe((5 * 1024) / 64);
    expect(stats.value("node0.core0.l2.writebacks")).toBe(2 * 128 - held);
  });
});
