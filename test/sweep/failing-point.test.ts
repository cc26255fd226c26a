import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { hopsim, readCsvRows, shortChase, tmpDir, writeSweep } from "./helpers.ts";

const dir = tmpDir("failing");
const out = path.join(dir, "out");
let run: { code: number; stdout: string; stderr: string };

beforeAll(() => {
  // Point 1 has an invalid override value; point 2 pins a thread to a core the machine lacks.
  const file = writeSweep(dir, "failing", {
    set: shortChase(300),
    zip: { "link.latency": ["8ns", "fast", "8ns"], "workload.threads[1].core": [1, 1, 9] },
    columns: ["threads[0].nsPerAccess"],
  });
  run = hopsim(["sweep", file, "--out", out, "--jobs", "1", "--no-cache"]);
});

const pointFile = (index: number) => {
  const row = readCsvRows(path.join(out, "points.csv"))[index]!;
  return JSON.parse(fs.readFileSync(path.join(out, "points", `${row["id"]}.json`), "utf8")) as { error?: string; result?: unknown };
};

describe("a failing point", () => {
  it("is recorded with its error when an override value is invalid", () => {
    expect(pointFile(1).error).toMatch(/failing\.yaml \(set and matrix\): link\.latency: expected a duration/);
    expect(pointFile(1).result).toBeUndefined();
  });

  it("is recorded with its error when a thread cannot be placed", () => {
    expect(pointFile(2).error).toMatch(/threads\[1\]\.core: core 9 does not exist/);
  });

  it("does not stop the other points", () => {
    const rows = readCsvRows(path.join(out, "points.csv"));
    expect(rows.map((r) => r["point"])).toEqual(["0", "1", "2"]);
    expect(Number(rows[0]!["threads[0].nsPerAccess"])).toBeGreaterThan(0);
    expect(rows[0]!["error"]).toBe("");
    expect(rows[1]!["error"]).toMatch(/failing\.yaml \(set and matrix\): link\.latency: expected a duration such as "60ns"/);
    expect(pointFile(0).result).toBeDefined();
  });

  it("makes the sweep exit with code 1 and name the failures", () => {
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/3 points, 1 simulated, 0 reused, 2 failed/);
    expect(run.stdout).toMatch(/point 1 \([0-9a-f]+\): \S*failing\.yaml \(set and matrix\): link\.latency/);
  });
});

describe("a sweep none of whose points can be built", () => {
  it("is a mistake in the sweep file: one line per problem naming it, exit 2, nothing written", () => {
    const d = tmpDir("unbuildable");
    const file = writeSweep(d, "typo", { set: shortChase(300), matrix: { "link.latncy": ["2ns", "4ns"], "link.widthBits": [8, 16] }, columns: ["threads[0].nsPerAccess"] });
    const r = hopsim(["sweep", file, "--out", path.join(d, "out"), "--jobs", "1", "--no-cache"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/typo\.yaml \(set and matrix\): link: unknown key "latncy" \(did you mean "latency"\?\)$/)]);
    expect(fs.existsSync(path.join(d, "out"))).toBe(false);
  });
});
