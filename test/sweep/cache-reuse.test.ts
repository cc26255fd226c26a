import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { folderContents, hopsim, shortChase, tmpDir, writeSweep } from "./helpers.ts";

const dir = tmpDir("cache");
const cache = path.join(dir, "cache");
const file = writeSweep(dir, "cached", { set: shortChase(300), matrix: { "link.widthBits": [8, 16, 32] }, columns: ["threads[1].nsPerAccess"] });
let first: { code: number; stdout: string };

beforeAll(() => {
  first = hopsim(["sweep", file, "--out", path.join(dir, "a"), "--jobs", "1", "--cache-dir", cache]);
});

describe("reuse of unchanged points", () => {
  it("simulates every point the first time", () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/3 points, 3 simulated, 0 reused, 0 failed/);
  });

  it("simulates nothing when the sweep runs again in its folder", () => {
    const r = hopsim(["sweep", file, "--out", path.join(dir, "a"), "--jobs", "1", "--no-cache"]);
    expect(r.stdout).toMatch(/3 points, 0 simulated, 3 reused, 0 failed/);
  });

  it("takes the points of another folder from the cache, giving the same files", () => {
    const r = hopsim(["sweep", file, "--out", path.join(dir, "b"), "--jobs", "1", "--cache-dir", cache]);
    expect(r.stdout).toMatch(/3 points, 0 simulated, 3 reused \(3 from the cache\), 0 failed/);
    expect(folderContents(path.join(dir, "b"))).toEqual(folderContents(path.join(dir, "a")));
  });
});
