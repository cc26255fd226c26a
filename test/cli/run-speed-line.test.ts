import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hopsim } from "./run-cli.ts";

/** The last line `hopsim run` prints: how fast it went, and what it wrote. */
function speedLine(args: string[]): string {
  const r = hopsim(["run", ...args, "--out", mkdtempSync(join(tmpdir(), "hopsim-speed-"))]);
  expect(r.code).toBe(0);
  return r.stdout.trim().split("\n").at(-1)!;
}

describe("the speed line at the end of a run", () => {
  it("gives core accesses per second when cores made the accesses", () => {
    const line = speedLine(["-m", "machines/default.yaml", "-w", "workloads/default.yaml", "--set", "workload.threads[0].accesses=300", "--set", "workload.threads[1].accesses=300"]);
    expect(line).toMatch(/^\d+\.\d\d M accesses\/s \(\d+ events\), \d+\.\d\d s wall; wrote /);
  });

  it("gives GPU line requests and events per second, not 0 accesses/s, when only a GPU ran", () => {
    const sizes = [0, 1, 2].flatMap((i) => ["--set", `workload.regions[${i}].size=256KiB`]);
    const line = speedLine(["-m", "machines/gpu-node.yaml", "-w", "workloads/gpu-vector-add.yaml", "--set", "workload.agents.0.memory=on-demand", ...sizes]);
    expect(line).not.toMatch(/accesses\/s/);
    // 3 arrays of 256 KiB in 64-byte lines: 12288 line requests.
    expect(line).toMatch(/^\d+\.\d\d M GPU line requests\/s, \d+\.\d\d M events\/s \(12288 line requests, \d+ events\), \d+\.\d\d s wall; wrote /);
  });
});
