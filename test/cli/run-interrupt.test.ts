import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./run-cli.ts";

describe("hopsim run stopped by a signal", () => {
  it("stops on SIGINT, writes partial results saying where, leaves no temporary file, exits 130", async () => {
    const out = mkdtempSync(join(tmpdir(), "hopsim-int-"));
    const child = spawn(process.execPath, ["--import", "tsx", `${ROOT}/src/cli/main.ts`, "run", "-m", "machines/opteron-4p.yaml", "-w", "workloads/default.yaml", "--out", out, "--set", "workload.threads[0].accesses=50000000", "--set", "workload.threads[1].accesses=50000000"], { cwd: ROOT });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => {
      setTimeout(() => child.kill("SIGINT"), 3000);
      child.on("exit", (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopped by SIGINT at \d+ ps/);
    const stats = JSON.parse(readFileSync(join(out, "stats.json"), "utf8"));
    expect(stats.partial).toBe(true);
    expect(stats.stoppedAtPs).toBeGreaterThan(0);
    expect(stats.threads[0].loads).toBeGreaterThan(0);
    expect(existsSync(join(out, "summary.txt"))).toBe(true);
    expect(readdirSync(out).filter((f) => f.includes(".tmp-"))).toEqual([]);
  }, 60_000);
});
