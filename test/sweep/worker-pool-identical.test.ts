import path from "node:path";
import { describe, expect, it } from "vitest";
import { runSweep } from "../../src/sweep/run-sweep.ts";
import { loadSweepFile } from "../../src/sweep/sweep-spec.ts";
import { folderContents, shortChase, tmpDir, writeSweep } from "./helpers.ts";

describe("the worker pool", () => {
  it("gives byte-identical points and points.csv to an in-process run", async () => {
    const dir = tmpDir("pool");
    const sweep = loadSweepFile(
      writeSweep(dir, "pool", {
        set: shortChase(500),
        matrix: { "link.latency": ["4ns", "16ns"], "workload.regions[1].policy": ["local", "interleave"] },
        columns: ["threads[0].nsPerAccess", "threads[1].nsPerAccess", "node1.mc.bandwidthGBs"],
      }),
    );
    const one = await runSweep(sweep, { out: path.join(dir, "jobs1"), jobs: 1 });
    const two = await runSweep(sweep, { out: path.join(dir, "jobs2"), jobs: 2 });
    expect(one.simulated).toBe(4);
    expect(two.simulated).toBe(4);
    expect(folderContents(path.join(dir, "jobs2"))).toEqual(folderContents(path.join(dir, "jobs1")));
  });
});
