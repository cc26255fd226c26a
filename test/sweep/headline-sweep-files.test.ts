import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planSweep } from "../../src/sweep/plan.ts";
import { loadSweepFile } from "../../src/sweep/sweep-spec.ts";
import { ROOT } from "./helpers.ts";

const dir = path.join(ROOT, "scripts/sweeps");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"));

describe("the sweep files in scripts/sweeps", () => {
  it.each(files)("%s loads and every point resolves", (name) => {
    const points = planSweep(loadSweepFile(path.join(dir, name)));
    expect(points.length).toBeGreaterThan(1);
    expect(points.filter((p) => p.error !== undefined).map((p) => p.error)).toEqual([]);
    expect(new Set(points.map((p) => p.id)).size).toBe(points.length);
  });
});
