import { describe, expect, it } from "vitest";
import type { MachineSpec } from "../../src/config/machine-spec.ts";
import { machine } from "../integration/numa-helpers.ts";
import { withTlb } from "../../src/repro/vm-repro.ts";
import { stat } from "./helpers.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";

const MiB = 2 ** 20;

/** One thread streaming reads over 1.5 MiB (more than L2, fewer pages than the L2 TLB holds). */
function stream(m: MachineSpec, passes: number) {
  return runSimulation(m, {
    name: "s",
    description: "",
    regions: [{ name: "r", size: 1.5 * MiB, policy: { kind: "local" }, kind: "anon", populate: true }],
    threads: [{ core: 0, generator: "stream-read", region: "r", elementBytes: 64, passes, dependsOn: 1, gapCycles: 0, startNs: 0 }],
  }, 1);
}

describe("hardware prefetch and page boundaries (fact 6)", () => {
  const base = machine("machines/opteron-2p.yaml", "node.core.prefetchLines=4");

  it("prefetches the next lines of a page after a miss", () => {
    expect(stat(stream(base, 1), "node0.core0.hwPrefetches")).toBeGreaterThan(500);
  });

  it("never leaves the page when it cannot see the TLB (untimed translation): stops at every page end, every pass", () => {
    const one = stat(stream(base, 1), "node0.core0.hwPrefetchStopped");
    expect(one).toBeGreaterThan(300);
    expect(stat(stream(base, 2), "node0.core0.hwPrefetchStopped")).toBeGreaterThan(1.8 * one);
  });

  it("crosses into the next page only once that page has a TLB entry", () => {
    const timed = withTlb(base);
    const one = stat(stream(timed, 1), "node0.core0.hwPrefetchStopped");
    const two = stat(stream(timed, 2), "node0.core0.hwPrefetchStopped");
    expect(one).toBeGreaterThan(100);
    expect(two).toBeLessThan(1.3 * one);
  });

  it("is off by default", () => {
    expect(stat(stream(machine("machines/opteron-2p.yaml"), 1), "node0.core0.hwPrefetches")).toBe(0);
  });
});
