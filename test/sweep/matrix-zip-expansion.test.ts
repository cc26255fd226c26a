import { describe, expect, it } from "vitest";
import { expandSweep } from "../../src/sweep/expand.ts";
import { loadSweepFile } from "../../src/sweep/sweep-spec.ts";
import { tmpDir, writeSweep } from "./helpers.ts";

const dir = tmpDir("expand");
const load = (name: string, spec: Record<string, unknown>) => loadSweepFile(writeSweep(dir, name, { columns: ["simulatedNs"], ...spec }));

describe("sweep expansion", () => {
  it("takes the full product of the matrix, the first axis varying slowest", () => {
    const points = expandSweep(load("product", { matrix: { "link.latency": ["4ns", "8ns", "16ns"], "link.widthBits": [8, 16] } }));
    expect(points.map((p) => [p.params["link.latency"], p.params["link.widthBits"]])).toEqual([
      ["4ns", 8],
      ["4ns", 16],
      ["8ns", 8],
      ["8ns", 16],
      ["16ns", 8],
      ["16ns", 16],
    ]);
    expect(points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(points[3]!.overrides).toEqual(["link.latency=8ns", "link.widthBits=16"]);
  });

  it("zips lists value by value and combines them with the matrix product", () => {
    const points = expandSweep(load("zip", { matrix: { "link.widthBits": [8, 16] }, zip: { "link.latency": ["4ns", "8ns", "16ns"], "link.credits": [4, 8, 16] } }));
    expect(points).toHaveLength(6);
    expect(points.map((p) => `${p.params["link.widthBits"]}/${p.params["link.latency"]}/${p.params["link.credits"]}`)).toEqual(["8/4ns/4", "8/8ns/8", "8/16ns/16", "16/4ns/4", "16/8ns/8", "16/16ns/16"]);
  });

  it("repeats every combination for each seed, replicates N meaning seeds 1..N", () => {
    const points = expandSweep(load("seeds", { matrix: { "link.widthBits": [8, 16] }, replicates: 3 }));
    expect(points.map((p) => [p.params["link.widthBits"], p.seed])).toEqual([
      [8, 1],
      [8, 2],
      [8, 3],
      [16, 1],
      [16, 2],
      [16, 3],
    ]);
    expect(expandSweep(load("seed-list", { seeds: [7, 11] })).map((p) => p.seed)).toEqual([7, 11]);
  });

  it("sets every key of an axis with `set` and shows its labels", () => {
    const points = expandSweep(
      load("labels", {
        matrix: {
          policy: { set: ["workload.regions[0].policy", "workload.regions[1].policy"], values: ["local", { kind: "bind", nodes: [1] }], labels: ["local", "bind-1"] },
        },
      }),
    );
    expect(points.map((p) => p.params["policy"])).toEqual(["local", "bind-1"]);
    expect(points[1]!.overrides).toEqual(['workload.regions[0].policy={"kind":"bind","nodes":[1]}', 'workload.regions[1].policy={"kind":"bind","nodes":[1]}']);
  });

  it("keeps the first N items of a list for each value of a `take` axis", () => {
    const points = expandSweep(load("take", { matrix: { threads: { take: "workload.threads", values: [1, 2] } } }));
    expect(points.map((p) => p.params["threads"])).toEqual([1, 2]);
    const lists = points.map((p) => JSON.parse(p.overrides[0]!.replace(/^workload\.threads=/, "")) as { region: string }[]);
    expect(lists.map((l) => l.map((t) => t.region))).toEqual([["local"], ["local", "remote"]]);
  });

  it("rejects a `take` beyond the length of the list", () => {
    expect(() => load("take-long", { matrix: { threads: { take: "workload.threads", values: [1, 3] } } })).toThrow(/matrix\.threads\.values\[1\]: workload\.threads has only 2 items, cannot keep 3/);
  });

  it("is a single point when nothing varies", () => {
    const points = expandSweep(load("single", { set: ["link.latency=4ns"] }));
    expect(points).toEqual([{ index: 0, params: { seed: 1 }, overrides: ["link.latency=4ns"], seed: 1 }]);
  });
});
