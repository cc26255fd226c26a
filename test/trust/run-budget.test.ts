import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.ts";
import { MachineSpec } from "../../src/config/machine-spec.ts";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runCost } from "../../src/trust/run-budget.ts";

describe("run cost estimate", () => {
  it("counts the refreshes of bank-level memory while a thread waits to start", () => {
    const m = loadConfigFile("machines/opteron-4p-ddr400.yaml", MachineSpec);
    const w = (startNs: number): WorkloadSpec => ({
      name: "late",
      description: "",
      regions: [{ name: "r", size: 64 * 1024, policy: { kind: "local" }, kind: "anon" }],
      threads: [{ core: 0, generator: "pointer-chase", region: "r", stride: 64, accesses: 100, order: "random", gapCycles: 0, startNs }],
    });
    const soon = runCost(m, w(0)).operations;
    const late = runCost(m, w(1e9)).operations;
    // One second of four channels refreshing every 7.8 us: about half a million refreshes.
    expect(late - soon).toBeGreaterThan(4e5);
    expect(late - soon).toBeLessThan(6e5);
  });
});
