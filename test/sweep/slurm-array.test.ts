import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { folderContents, hopsim, shortChase, tmpDir, writeSweep } from "./helpers.ts";

/** Whether a Slurm controller answers here (sbatch installed and sinfo working). */
function slurmAvailable(): boolean {
  const which = spawnSync("sh", ["-c", "command -v sbatch"], { encoding: "utf8" });
  if (which.status !== 0) return false;
  const info = spawnSync("sinfo", ["-h"], { encoding: "utf8", timeout: 5000 });
  return info.status === 0;
}

const available = slurmAvailable();
if (!available) console.warn("slurm-array.test.ts: skipped — no Slurm here (sbatch missing or sinfo fails); see the sweep README section on Slurm");

describe("the Slurm executor", () => {
  it.skipIf(!available)(
    "runs a sweep as a job array and gives the same points as a local run",
    () => {
      const dir = tmpDir("slurm");
      const file = writeSweep(dir, "slurm", { set: shortChase(300), matrix: { "link.latency": ["4ns", "8ns", "16ns"], "link.widthBits": [8, 16] }, columns: ["threads[1].nsPerAccess", "node1.mc.reads"] });
      const onSlurm = hopsim(["sweep", file, "--out", path.join(dir, "slurm"), "--executor", "slurm", "--tasks", "2", "--cpus-per-task", "1", "--poll", "0.5", "--no-cache", "--no-progress"]);
      expect(onSlurm.stderr).toBe("");
      expect(onSlurm.code).toBe(0);
      expect(onSlurm.stdout).toMatch(/6 points, 6 simulated, 0 reused, 0 failed/);
      const local = hopsim(["sweep", file, "--out", path.join(dir, "local"), "--jobs", "1", "--no-cache"]);
      expect(local.code).toBe(0);
      const skipSlurm = (rel: string) => rel === "slurm";
      expect(folderContents(path.join(dir, "slurm"), skipSlurm)).toEqual(folderContents(path.join(dir, "local")));
    },
    120_000,
  );
});
