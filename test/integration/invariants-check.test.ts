import { describe, expect, it } from "vitest";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { prepareRun } from "../../src/machine/run-simulation.ts";
import { LineState } from "../../src/mem/moesi.ts";
import { Cache } from "../../src/mem/cache.ts";
import { CoherenceAudit } from "../../src/machine/coherence-audit.ts";
import { machine } from "./numa-helpers.ts";

// Several threads updating one small table: lines change owner all the time.
const sharing: WorkloadSpec = {
  name: "sharing",
  description: "",
  regions: [{ name: "t", size: 64 * 1024, policy: { kind: "interleave" }, kind: "anon" }],
  threads: [0, 1, 2, 4, 6].map((core) => ({ core, generator: "gups" as const, region: "t", updates: 4000, gapCycles: 0, startNs: 0 })),
};

describe("invariant checks (--check)", () => {
  it("keeps at most one owner per line under heavy sharing with broadcast probes", () => {
    const m = machine("machines/opteron-4p.yaml");
    const ctx = prepareRun(m, sharing, 1, "w", { check: true });
    ctx.machine.sim.run();
    expect(ctx.machine.cores[0].audit?.checks).toBeGreaterThan(1000);
  });

  // The audit found a core upgraded from S to M keeping a second, stale S copy: a cache put the
  // upgraded line in a free way ahead of the way that already held it.
  it("keeps at most one owner per line with a shared L3 and a directory", () => {
    const ctx = prepareRun(machine("machines/xeon-2s.yaml"), sharing, 1, "w", { check: true });
    ctx.machine.sim.run();
    expect(ctx.machine.cores[0].audit?.checks).toBeGreaterThan(1000);
  });

  it("upgrades a line in the way that holds it, even with a free way before it", () => {
    const c = new Cache("c", { sizeBytes: 4 * 64, assoc: 4, lineBytes: 64 });
    c.insert(0, LineState.S);
    c.insert(4, LineState.S);
    c.invalidate(0);
    // Way 0 is free now; line 4 sits in way 1.
    c.insert(4, LineState.M);
    expect(c.validLines()).toBe(1);
    expect(c.stateOf(4)).toBe(LineState.M);
  });

  it("stops the run naming the filling core, the line and the other owner", () => {
    const audit = new CoherenceAudit();
    const a = new Cache("node0.core0.l2", { sizeBytes: 4096, assoc: 4, lineBytes: 64 });
    const b = new Cache("node1.core0.l2", { sizeBytes: 4096, assoc: 4, lineBytes: 64 });
    audit.add("node0.core0", a, 0, false);
    audit.add("node1.core0", b, 1, false);
    b.insert(0x91, LineState.M);
    expect(() => audit.onFill("node0.core0", 0, 0x91, LineState.S, 1234)).toThrowError(
      "node0.core0: invariant broken at 1234 ps: line 0x91 filled in state S while node1.core0 holds it in M (at most one owner)",
    );
    b.setSlotState(b.find(0x91), LineState.S);
    expect(() => audit.onFill("node0.core0", 0, 0x91, LineState.S, 1300)).not.toThrow();
    expect(() => audit.onFill("node0.core0", 0, 0x91, LineState.E, 1400)).toThrowError(/holds it in S/);
  });

  it("with an exclusive L2, sees a line another core holds in its L1d alone", () => {
    const m = machine("machines/opteron-4p.yaml");
    expect(m.node.core.l2.exclusive).toBe(true);
    const ctx = prepareRun(m, sharing, 1, "w", { check: true });
    const [a, , b] = ctx.machine.cores;
    b.l1d.insert(0x91, LineState.M);
    expect(b.l2.find(0x91)).toBe(-1);
    expect(() => a.audit?.onFill(a.name, a.node, 0x91, LineState.S, 1234)).toThrowError(`line 0x91 filled in state S while ${b.name} holds it in M`);
  });
});
