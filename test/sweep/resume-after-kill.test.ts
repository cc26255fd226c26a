import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hopsim, readCsvRows, shortChase, startHopsim, tmpDir, writeSweep } from "./helpers.ts";

const dir = tmpDir("resume");
const out = path.join(dir, "out");
const POINTS = 6;
const file = writeSweep(dir, "resume", { set: shortChase(4000), matrix: { "link.latency": ["2ns", "4ns", "8ns", "16ns", "32ns", "64ns"] }, columns: ["threads[1].nsPerAccess"] });
const children: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
});

/** Waits until `<out>/points` holds a point file, or the child has exited. */
async function firstPointFile(child: { exitCode: number | null }): Promise<void> {
  const points = path.join(out, "points");
  for (;;) {
    if (fs.existsSync(points) && fs.readdirSync(points).some((f) => f.endsWith(".json"))) return;
    if (child.exitCode !== null) throw new Error("the sweep ended before it could be killed");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("a sweep killed with SIGKILL", () => {
  it("resumes without repeating finished points and ends with every point exactly once", async () => {
    const child = startHopsim(["sweep", file, "--out", out, "--jobs", "1", "--no-cache"]);
    children.push(child);
    await firstPointFile(child);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const finished = fs.readdirSync(path.join(out, "points")).filter((f) => f.endsWith(".json")).length;
    expect(finished).toBeGreaterThanOrEqual(1);
    expect(finished).toBeLessThan(POINTS);

    const again = hopsim(["sweep", file, "--out", out, "--jobs", "1", "--no-cache"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`${POINTS} points, ${POINTS - finished} simulated, ${finished} reused, 0 failed`));
    const rows = readCsvRows(path.join(out, "points.csv"));
    expect(rows.map((r) => r["point"])).toEqual(["0", "1", "2", "3", "4", "5"]);
    expect(new Set(rows.map((r) => r["id"])).size).toBe(POINTS);
    for (const r of rows) expect(Number(r["threads[1].nsPerAccess"])).toBeGreaterThan(0);
    const files = fs.readdirSync(path.join(out, "points"));
    expect(files.sort()).toEqual(rows.map((r) => `${r["id"]}.json`).sort());
  });
});
