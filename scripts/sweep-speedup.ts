/**
 * Measures the sweep's parallel speed-up: one sweep of 8 equal points (a local and a remote pointer
 * chase on the default machine, seeds 1..8) run with --jobs 1 (in-process) and --jobs 2 (two worker
 * threads), printing both times and their ratio, and checking that both runs wrote byte-identical
 * points. The chase length is calibrated first so that a point takes about a second here. The two
 * runs alternate `--repeat` times and the best time of each counts, which keeps other load on the
 * machine from deciding the result.
 *
 *   npx tsx scripts/sweep-speedup.ts [--points 8] [--jobs 2] [--seconds 1] [--repeat 2]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfigFile } from "../src/config/load.ts";
import { MachineSpec } from "../src/config/machine-spec.ts";
import { WorkloadSpec } from "../src/config/workload-spec.ts";
import { runSimulation } from "../src/machine/run-simulation.ts";
import { runSweep } from "../src/sweep/run-sweep.ts";
import { loadSweepFile } from "../src/sweep/sweep-spec.ts";

const { values } = parseArgs({ options: { points: { type: "string", default: "8" }, jobs: { type: "string", default: "2" }, seconds: { type: "string", default: "1" }, repeat: { type: "string", default: "2" } } });
const points = Number(values.points);
const jobs = Number(values.jobs);
const root = path.resolve(import.meta.dirname, "..");
const machineFile = path.join(root, "machines/default.yaml");
const workloadFile = path.join(root, "workloads/default.yaml");

/** Chase length that makes one point take about `seconds` in this process (a line fitted through two lengths). */
function calibrate(seconds: number): number {
  const machine = loadConfigFile(machineFile, MachineSpec);
  const time = (n: number, seed: number) => {
    const workload = loadConfigFile(workloadFile, WorkloadSpec, { overrides: [`threads[0].accesses=${n}`, `threads[1].accesses=${n}`] });
    const t0 = performance.now();
    runSimulation(machine, workload, seed);
    return (performance.now() - t0) / 1000;
  };
  time(20000, 1); // warms up the JIT
  const [n1, n2] = [10000, 40000];
  const t1 = time(n1, 2);
  const t2 = time(n2, 3);
  const perAccess = Math.max(1e-9, (t2 - t1) / (n2 - n1));
  const fixed = Math.max(0, t1 - perAccess * n1);
  // The chase's region holds 262144 lines; stay within it.
  return Math.min(250_000, Math.max(1000, Math.round((seconds - fixed) / perAccess)));
}

const accesses = calibrate(Number(values.seconds));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsim-speedup-"));
const file = path.join(dir, "speedup.yaml");
fs.writeFileSync(
  file,
  [
    "name: speedup",
    `machine: ${machineFile}`,
    `workload: ${workloadFile}`,
    "set:",
    `  - workload.threads[0].accesses=${accesses}`,
    `  - workload.threads[1].accesses=${accesses}`,
    `replicates: ${points}`,
    "columns:",
    "  - threads[0].nsPerAccess",
    "  - threads[1].nsPerAccess",
    "",
  ].join("\n"),
);
const sweep = loadSweepFile(file);

async function timed(j: number, round: number): Promise<{ seconds: number; out: string }> {
  const out = path.join(dir, `jobs${j}-${round}`);
  const t0 = performance.now();
  const s = await runSweep(sweep, { out, jobs: j });
  const seconds = (performance.now() - t0) / 1000;
  if (s.simulated !== points || s.failed > 0) throw new Error(`--jobs ${j}: expected ${points} simulated points, got ${s.simulated} (${s.failed} failed)`);
  return { seconds, out };
}

const ones: number[] = [];
const manys: number[] = [];
let same = true;
const read = (out: string) => [...fs.readdirSync(path.join(out, "points")).sort().map((f) => fs.readFileSync(path.join(out, "points", f), "utf8")), fs.readFileSync(path.join(out, "points.csv"), "utf8")].join("\n");
for (let round = 0; round < Number(values.repeat); round++) {
  const one = await timed(1, round);
  const many = await timed(jobs, round);
  ones.push(one.seconds);
  manys.push(many.seconds);
  same &&= read(one.out) === read(many.out);
}
fs.rmSync(dir, { recursive: true, force: true });
const best = (xs: number[]) => Math.min(...xs);
const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
console.log(`${points} points of ${accesses} + ${accesses} dependent loads on ${os.availableParallelism()} CPUs (load average ${os.loadavg()[0]!.toFixed(2)} at the end)`);
console.log(`--jobs 1: ${best(ones).toFixed(2)} s (${(best(ones) / points).toFixed(2)} s per point; runs ${list(ones)})`);
console.log(`--jobs ${jobs}: ${best(manys).toFixed(2)} s (runs ${list(manys)})`);
console.log(`ratio ${(best(manys) / best(ones)).toFixed(2)} (goal <= 0.60); results ${same ? "identical" : "DIFFERENT"}`);
if (!same) process.exitCode = 1;
