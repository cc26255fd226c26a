import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hopsim } from "./run-cli.ts";

const small = ["--set", "workload.threads[0].accesses=2000", "--set", "workload.threads[1].accesses=2000"];

describe("hopsim run", () => {
  it("writes stats.json, summary.txt and config.json and prints local vs remote", () => {
    const out = mkdtempSync(join(tmpdir(), "hopsim-run-"));
    const r = hopsim(["run", "-m", "machines/default.yaml", "-w", "workloads/default.yaml", "--out", out, ...small]);
    expect(r.code).toBe(0);
    for (const f of ["stats.json", "summary.txt", "config.json"]) expect(existsSync(join(out, f))).toBe(true);
    const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(cfg.seed).toBe(1);
    expect(cfg.hopsim).toMatch(/^\d+\.\d+\.\d+/);
    expect(cfg.overrides).toEqual(small.filter((s) => s !== "--set"));
    expect(r.stdout).toMatch(/node0\.core0\s+pointer-chase\s+local/);
    expect(r.stdout).toMatch(/node0\.core1\s+pointer-chase\s+remote/);
  });

  it("prints the statistics as JSON with --json, each with a unit", () => {
    const out = mkdtempSync(join(tmpdir(), "hopsim-run-"));
    const r = hopsim(["run", "-m", "machines/default.yaml", "-w", "workloads/default.yaml", "--out", out, "--json", "--log-level", "info", ...small]);
    expect(r.code).toBe(0);
    // Progress goes to stderr as plain lines, not pino's JSON.
    expect(r.stderr.trim().split("\n")).toEqual([
      "hopsim: info: running machine=default workload=default seed=1",
      expect.stringMatching(/^hopsim: info: finished simulatedNs=[\d.]+ events=\d+ wallSeconds=[\d.]+$/),
    ]);
    const j = JSON.parse(r.stdout);
    expect(j.stats["node0.mc.reads"].unit).toBe("count");
    expect(j.threads[1].nsPerAccess).toBeGreaterThan(j.threads[0].nsPerAccess);
    // The same document as stats.json: version, event count and numa_maps included.
    expect(j).toEqual(JSON.parse(readFileSync(join(out, "stats.json"), "utf8")));
    expect(Object.keys(j)).toEqual(["hopsim", "machine", "workload", "seed", "simulatedNs", "events", "threads", "numaMaps", "stats"]);
  });

  it("answers --help for every command", () => {
    for (const cmd of [[], ["run"], ["bench"]]) {
      const r = hopsim([...cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Options:/);
    }
  });
});
