import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hopsim } from "./run-cli.ts";

const small = ["--set", "workload.threads[0].accesses=300", "--set", "workload.threads[1].accesses=300"];

describe("hopsim run --trace-out", () => {
  it("writes Chrome trace-event JSON with a span per component a request crosses", () => {
    const dir = mkdtempSync(join(tmpdir(), "hopsim-trace-"));
    const file = join(dir, "trace.json");
    const r = hopsim(["run", "-m", "machines/opteron-4p.yaml", "-w", "workloads/default.yaml", "--out", dir, "--trace-out", file, ...small]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    const spans = doc.traceEvents.filter((e: { ph: string }) => e.ph === "X");
    const names = new Set(spans.map((e: { name: string }) => e.name));
    for (const n of ["miss", "local request", "remote request", "ReadReq", "Probe", "Data", "read"]) expect(names).toContain(n);
    for (const e of spans.slice(0, 50)) {
      expect(e.dur).toBeGreaterThanOrEqual(0);
      expect(typeof e.ts).toBe("number");
    }
  });

  it("keeps only spans overlapping the window", () => {
    const dir = mkdtempSync(join(tmpdir(), "hopsim-trace-"));
    const file = join(dir, "trace.json");
    const r = hopsim(["run", "-m", "machines/opteron-4p.yaml", "-w", "workloads/default.yaml", "--out", dir, "--trace-out", file, "--trace-window", "10us..12us", ...small]);
    expect(r.code).toBe(0);
    const spans = JSON.parse(readFileSync(file, "utf8")).traceEvents.filter((e: { ph: string }) => e.ph === "X");
    expect(spans.length).toBeGreaterThan(0);
    for (const e of spans) expect(e.ts + e.dur >= 10 && e.ts <= 12).toBe(true);
  });

  it("refuses --trace-window without --trace-out, in one line with exit code 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "hopsim-trace-"));
    const r = hopsim(["run", "-m", "machines/opteron-4p.yaml", "-w", "workloads/default.yaml", "--out", dir, "--trace-window", "10us..12us", ...small]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("--trace-window: narrows the trace that --trace-out writes, and no --trace-out was given\n");
    expect(existsSync(join(dir, "stats.json"))).toBe(false);
  });

  it("warns in one line, and still succeeds, when the window held nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "hopsim-trace-"));
    const file = join(dir, "trace.json");
    const r = hopsim(["run", "-m", "machines/opteron-4p.yaml", "-w", "workloads/default.yaml", "--out", dir, "--trace-out", file, "--trace-window", "1s..", ...small]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hopsim: warning: .* is an empty trace: --trace-window 1s\.\. held nothing \(the run ended at \d+\.\d{3} us simulated\)$/);
    expect(lines[0]).toContain(file);
    expect(JSON.parse(readFileSync(file, "utf8")).traceEvents.filter((e: { ph: string }) => e.ph === "X")).toEqual([]);
  });

  it("does not warn when the window held spans", () => {
    const dir = mkdtempSync(join(tmpdir(), "hopsim-trace-"));
    const r = hopsim(["run", "-m", "machines/opteron-4p.yaml", "-w", "workloads/default.yaml", "--out", dir, "--trace-out", join(dir, "trace.json"), "--trace-window", "..5us", ...small]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("names a malformed window in one line with exit code 2", () => {
    const r = hopsim(["run", "-m", "machines/opteron-4p.yaml", "-w", "workloads/default.yaml", "--trace-out", "/tmp/x.json", "--trace-window", "10us", ...small]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^--trace-window: expected FROM\.\.TO/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
