// A sample of the fuzzed invalid inputs through the real command line: exit code 2, one problem
// line each, no stack trace. (The in-process fuzz tests cover many more cases, faster.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import YAML from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { loadRaw } from "../../src/config/load.ts";
import { badProblemLines, looksLikeCrash } from "../../src/trust/problem-lines.ts";
import { runFilesGuarded } from "../../src/trust/run-inputs.ts";
import { ROOT } from "../cli/run-cli.ts";
import { hopsimAsync, mapLimit } from "./fuzz/cli-async.ts";
import { FUZZ_SEED, runs } from "./fuzz/judge.ts";
import { knownGapOf } from "./fuzz/known-gaps.ts";
import { mutatedArb } from "./fuzz/mutations.ts";
import { leafPaths, overrideCaseArb } from "./fuzz/override-cases.ts";
import { validCaseArb } from "./fuzz/valid-inputs.ts";

const root = mkdtempSync(join(tmpdir(), "hopsim-fuzz-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bundledMachine = join(ROOT, "machines", "default.yaml");
const smallWorkload = join(root, "small.yaml");
const w = loadRaw(join(ROOT, "workloads", "default.yaml")) as { threads: { accesses: number }[] };
for (const t of w.threads) t.accesses = 40;
writeFileSync(smallWorkload, YAML.stringify(w));

/** One command line: files to write into its folder, then the arguments. */
interface CliCase {
  what: string;
  files: { name: string; text: string }[];
  machine: string;
  workload: string;
  sets: string[];
}

const mutatedCli: fc.Arbitrary<CliCase> = mutatedArb(validCaseArb)
  .filter((c) => c.mustReject)
  .map((c) => ({
    what: `${c.kind} at ${c.target}:${c.path}`,
    files: [
      { name: "machine.yaml", text: YAML.stringify(c.machine) },
      { name: "workload.yaml", text: YAML.stringify(c.workload) },
    ],
    machine: "machine.yaml",
    workload: "workload.yaml",
    sets: [],
  }));

// An argument cannot hold a NUL byte (the operating system ends it there): none are passed.
const overrideCli: fc.Arbitrary<CliCase> = overrideCaseArb(leafPaths(loadRaw(bundledMachine)), leafPaths(w))
  .filter((c) => c.kind !== "legal" && c.sets.every((s) => !s.includes("\0")))
  .map((c) => ({ what: `--set ${c.sets.join(" --set ")}`, files: [], machine: bundledMachine, workload: smallWorkload, sets: c.sets }));

describe("fuzzed invalid inputs through the CLI", () => {
  it("exit with code 2 and one `<file>: <path>: <message>` line per problem, no stack trace", async () => {
    // Cases the in-process run refuses (known gaps aside: they are reported elsewhere).
    const candidates = fc.sample(fc.oneof({ weight: 3, arbitrary: mutatedCli }, { weight: 1, arbitrary: overrideCli }), { numRuns: runs(20) * 4, seed: FUZZ_SEED });
    const cases: { c: CliCase; dir: string; machine: string; workload: string }[] = [];
    for (const [i, c] of candidates.entries()) {
      if (cases.length === runs(20)) break;
      const dir = join(root, `case${i}`);
      mkdirSync(dir);
      for (const f of c.files) writeFileSync(join(dir, f.name), f.text);
      const machine = c.files.length > 0 ? join(dir, c.machine) : c.machine;
      const workload = c.files.length > 0 ? join(dir, c.workload) : c.workload;
      const o = runFilesGuarded(machine, workload, c.sets);
      if (o.kind === "rejected" && knownGapOf({ kind: "", path: "" }, o) === undefined) cases.push({ c, dir, machine, workload });
    }
    expect(cases.length).toBe(runs(20));
    const results = await mapLimit(cases, 3, ({ c, dir, machine, workload }) =>
      hopsimAsync(["run", "-m", machine, "-w", workload, "--out", join(dir, "out"), ...c.sets.flatMap((s) => ["--set", s])]),
    );
    const sources = [bundledMachine, join(ROOT, "machines", "opteron-2p.yaml"), smallWorkload, ...cases.flatMap((k) => [k.machine, k.workload])];
    const allSources = [...sources, ...sources.map((s) => relative(ROOT, s)), "--set"];
    const failures: string[] = [];
    results.forEach((r, i) => {
      const what = cases[i]!.c.what;
      if (r.code !== 2) failures.push(`${what}: exit code ${r.code} (signal ${r.signal})\n${r.stderr}`);
      else if (looksLikeCrash(r.stderr)) failures.push(`${what}: stack trace on stderr\n${r.stderr}`);
      else if (r.stderr.trim() === "") failures.push(`${what}: no problem printed`);
      else {
        const bad = badProblemLines(r.stderr, allSources);
        if (bad.length > 0) failures.push(`${what}: lines not of the form "<file>: <path>: <message>":\n${bad.join("\n")}`);
      }
    });
    expect(failures).toEqual([]);
  });
});
