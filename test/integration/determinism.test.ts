import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.ts";
import { MachineSpec } from "../../src/config/machine-spec.ts";
import { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";
import { writeRunResults } from "../../src/machine/write-results.ts";

const machine = loadConfigFile("machines/default.yaml", MachineSpec);
const workload = loadConfigFile("workloads/default.yaml", WorkloadSpec, { overrides: ["threads[0].accesses=3000", "threads[1].accesses=3000"] });

function statsBytes(seed: number): string {
  const dir = mkdtempSync(join(tmpdir(), "hopsim-det-"));
  const r = runSimulation(machine, workload, seed);
  writeRunResults(dir, r, { machineFile: "m", workloadFile: "w", overrides: [], seed, machine: {}, workload: {} });
  return readFileSync(join(dir, "stats.json"), "utf8");
}

describe("determinism", () => {
  it("gives byte-identical stats.json for the same inputs and seed", () => {
    expect(statsBytes(7)).toBe(statsBytes(7));
  });

  it("gives different statistics for another seed where randomness is used (the chase order)", () => {
    const a = statsBytes(7);
    const b = statsBytes(8);
    expect(a).not.toBe(b);
    // A different random chase touches a different set of pages.
    expect(JSON.parse(a).numaMaps[0].mapped).not.toBe(JSON.parse(b).numaMaps[0].mapped);
  });
});
