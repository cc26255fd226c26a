import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.ts";
import { MachineSpec } from "../../src/config/machine-spec.ts";
import { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { planSweep, resolvedId } from "../../src/sweep/plan.ts";
import { loadSweepFile } from "../../src/sweep/sweep-spec.ts";
import { MACHINE, tmpDir, WORKLOAD, writeSweep } from "./helpers.ts";

const dir = tmpDir("ids");
const file = writeSweep(dir, "ids", { matrix: { "link.latency": ["4ns", "8ns"], "link.widthBits": [8, 16] }, replicates: 2, columns: ["simulatedNs"] });

describe("point ids", () => {
  it("are the same when the sweep is planned again", () => {
    const a = planSweep(loadSweepFile(file)).map((p) => p.id);
    const b = planSweep(loadSweepFile(file)).map((p) => p.id);
    expect(a).toEqual(b);
    for (const id of a) expect(id).toMatch(/^[0-9a-f]{12}$/);
  });

  it("differ between distinct points", () => {
    const ids = planSweep(loadSweepFile(file)).map((p) => p.id);
    expect(new Set(ids).size).toBe(8);
  });

  it("depend on the resolved inputs, not on how a value is written", () => {
    const other = writeSweep(dir, "ids-ps", { matrix: { "link.latency": ["4000ps", "8000ps"], "link.widthBits": [8, 16] }, replicates: 2, columns: ["simulatedNs"] });
    expect(planSweep(loadSweepFile(other)).map((p) => p.id)).toEqual(planSweep(loadSweepFile(file)).map((p) => p.id));
  });

  it("hash the machine and workload exactly as the loader validates them, with the seed", () => {
    const p = planSweep(loadSweepFile(file))[5]!;
    const machine = loadConfigFile(MACHINE, MachineSpec, { overrides: ["link.latency=8ns", "link.widthBits=8"] });
    const workload = loadConfigFile(WORKLOAD, WorkloadSpec);
    expect(p.params).toEqual({ "link.latency": "8ns", "link.widthBits": 8, seed: 2 });
    expect(p.id).toBe(resolvedId(machine, workload, 2));
  });

  it("give a point whose overrides do not resolve an id and its error", () => {
    const bad = writeSweep(dir, "ids-bad", { matrix: { "link.latency": ["4ns", "fast"] }, columns: ["simulatedNs"] });
    const [good, broken] = planSweep(loadSweepFile(bad));
    expect(good!.error).toBeUndefined();
    expect(broken!.id).toMatch(/^[0-9a-f]{12}$/);
    expect(broken!.id).not.toBe(good!.id);
    expect(broken!.error).toMatch(/ids-bad\.yaml \(set and matrix\): link\.latency: expected a duration/);
  });
});
