import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planSweep } from "../../src/sweep/plan.ts";
import { collectSweep, runSweep } from "../../src/sweep/run-sweep.ts";
import { slurmScript } from "../../src/sweep/slurm-executor.ts";
import { loadSweepFile } from "../../src/sweep/sweep-spec.ts";
import { shortChase, tmpDir, writeSweep } from "./helpers.ts";

const dir = tmpDir("tasks");
const file = writeSweep(dir, "tasks", { set: shortChase(200), matrix: { "link.latency": ["4ns", "8ns", "16ns", "32ns"], "link.widthBits": [8, 16] }, columns: ["threads[1].nsPerAccess"] });
const sweep = loadSweepFile(file);
const ids = planSweep(sweep).map((p) => p.id);
const pointFiles = (out: string) => new Set(fs.readdirSync(path.join(out, "points")).map((f) => f.replace(/\.json$/, "")));

describe("the array-task contract (--task-index I --task-count N)", () => {
  it("runs exactly the points whose index % N == I", async () => {
    const out = path.join(dir, "one-task");
    const s = await runSweep(sweep, { out, jobs: 1, task: { index: 1, count: 3 } });
    expect(s.points).toBe(3);
    expect(pointFiles(out)).toEqual(new Set([ids[1], ids[4], ids[7]]));
    expect(fs.existsSync(path.join(out, "points.csv"))).toBe(false);
  });

  it("gives, once every task has run and the points are collected, the points.csv of a local run", async () => {
    const tasks = path.join(dir, "all-tasks");
    for (const index of [2, 0, 1]) await runSweep(sweep, { out: tasks, jobs: 1, task: { index, count: 3 } });
    const c = collectSweep(tasks);
    expect(c).toMatchObject({ points: 8, failed: 0, missing: 0 });
    const local = path.join(dir, "local");
    await runSweep(sweep, { out: local, jobs: 1 });
    expect(fs.readFileSync(c.csv, "utf8")).toBe(fs.readFileSync(path.join(local, "points.csv"), "utf8"));
    expect(fs.readFileSync(path.join(tasks, "sweep.json"), "utf8")).toBe(fs.readFileSync(path.join(local, "sweep.json"), "utf8"));
  });

  it("is what the Slurm job array script runs, one array task per index", () => {
    const text = slurmScript("tasks", path.join(dir, "out"), { sweepFile: file, tasks: 4, cpusPerTask: 2, sbatchArgs: ["--mem=1G"], logLevel: "info", pollSeconds: 5, command: ["node", "hopsim.mjs"] });
    expect(text).toMatch(/^#SBATCH --array=0-3$/m);
    expect(text).toMatch(/^#SBATCH --cpus-per-task=2$/m);
    expect(text).toMatch(/^#SBATCH --mem=1G$/m);
    expect(text).toMatch(/exec node hopsim\.mjs sweep \S+tasks\.yaml --out \S+ --task-index "\$SLURM_ARRAY_TASK_ID" --task-count 4 --jobs "\$\{SLURM_CPUS_PER_TASK:-1\}" --no-cache/);
  });
});
