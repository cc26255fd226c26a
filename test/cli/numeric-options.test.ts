import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hopsim } from "./run-cli.ts";

const small = ["--set", "workload.threads[0].accesses=200", "--set", "workload.threads[1].accesses=200"];

/** Exit code 2 and exactly `lines` on stderr: one line per problem, no stack trace, nothing on stdout. */
function expectRejected(r: { code: number; stdout: string; stderr: string }, lines: string[]) {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split("\n")).toEqual(lines);
  expect(r.stdout).toBe("");
}

describe("numeric options", () => {
  it("topo --accesses takes a positive whole number (abc hung, 0 and -5 printed NaN)", () => {
    const topo = (v: string) => hopsim(["topo", "machines/opteron-4p.yaml", "--accesses", v], undefined, 50_000);
    expectRejected(topo("abc"), ['--accesses: expected a positive whole number, got "abc"']);
    expectRejected(topo("0"), ['--accesses: expected a positive whole number, got "0"']);
    expectRejected(topo("-5"), ['--accesses: expected a positive whole number, got "-5"']);
    expectRejected(topo("2.5"), ['--accesses: expected a positive whole number, got "2.5"']);
  });

  it("run --seed takes a whole number from 0 to 2^53-1, and writes nothing when it is not one", () => {
    for (const v of ["abc", "-1", "1.5", "9007199254740993"]) {
      const out = mkdtempSync(join(tmpdir(), "hopsim-seed-"));
      const r = hopsim(["run", "-m", "machines/default.yaml", "-w", "workloads/default.yaml", "--out", out, "--seed", v, ...small]);
      expectRejected(r, [`--seed: expected a whole number from 0 to 9007199254740991, got "${v}"`]);
      expect(existsSync(join(out, "config.json"))).toBe(false);
    }
  });

  it("run --seed 0 is a seed like any other", () => {
    const out = mkdtempSync(join(tmpdir(), "hopsim-seed-"));
    const r = hopsim(["run", "-m", "machines/default.yaml", "-w", "workloads/default.yaml", "--out", out, "--seed", "0", ...small]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/seed 0$/m);
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).seed).toBe(0);
  });

  it("bench --events and --repetitions take positive whole numbers, each problem on its line", () => {
    expectRejected(hopsim(["bench", "--events", "abc", "--repetitions", "0", "--no-write"]), [
      '--events: expected a positive whole number, got "abc"',
      '--repetitions: expected a positive whole number, got "0"',
    ]);
  });

  it("sweep checks every numeric option at once, before reading the sweep file", () => {
    const r = hopsim(["sweep", "absent.yaml", "--jobs", "abc", "--poll", "0", "--tasks", "x", "--cpus-per-task", "1.5", "--task-index", "-1", "--task-count", "0"]);
    expectRejected(r, [
      '--jobs: expected a positive whole number, got "abc"',
      '--poll: expected a positive number, got "0"',
      '--tasks: expected a positive whole number, got "x"',
      '--cpus-per-task: expected a positive whole number, got "1.5"',
      '--task-index: expected a non-negative whole number, got "-1"',
      '--task-count: expected a positive whole number, got "0"',
    ]);
  });

  it("names the short alias's option too (-j is --jobs)", () => {
    expectRejected(hopsim(["sweep", "absent.yaml", "-j", "0"]), ['--jobs: expected a positive whole number, got "0"']);
  });

  it("says when a numeric option is given twice or without a value", () => {
    expectRejected(hopsim(["topo", "machines/opteron-4p.yaml", "--accesses", "10", "--accesses", "20"], undefined, 50_000), ['--accesses: expected one value, got 2 ("10", "20")']);
    const r = hopsim(["topo", "machines/opteron-4p.yaml", "--accesses"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("hopsim topo: --accesses needs a value; see hopsim topo --help\n");
  });

  it("still checks how --task-index and --task-count go together", () => {
    const r = hopsim(["sweep", "scripts/sweeps/hops.yaml", "--task-index", "2", "--task-count", "2"]);
    expectRejected(r, ["hopsim sweep: expected --task-index below --task-count, got 2 and 2"]);
  });
});
