// `--set` overrides on the bundled machine and a small workload: legal ones run, others are refused cleanly.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import YAML from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { loadRaw } from "../../src/config/load.ts";
import { runFilesGuarded } from "../../src/trust/run-inputs.ts";
import { ROOT } from "../cli/run-cli.ts";
import { FUZZ_SEED, judge, runs, Tally } from "./fuzz/judge.ts";
import { leafPaths, overrideCaseArb } from "./fuzz/override-cases.ts";

const dir = mkdtempSync(join(tmpdir(), "hopsim-fuzz-set-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const machine = join(ROOT, "machines", "default.yaml");
const workload = join(dir, "small.yaml");
const w = loadRaw(join(ROOT, "workloads", "default.yaml")) as { threads: { accesses: number }[] };
for (const t of w.threads) t.accesses = 40;
writeFileSync(workload, YAML.stringify(w));

const files = [machine, join(ROOT, "machines", "opteron-2p.yaml"), workload];
const sources = [...files, ...files.map((f) => relative(process.cwd(), f)), "--set"];

describe("fuzzed --set overrides", () => {
  it("run when legal, and are otherwise refused naming --set or the file, never thrown", () => {
    const tally = new Tally();
    fc.assert(
      fc.property(overrideCaseArb(leafPaths(loadRaw(machine)), leafPaths(w)), (c) => {
        const o = runFilesGuarded(machine, workload, c.sets, 1);
        const why = judge(c, o, sources, tally);
        if (why !== null) throw new Error(`${why}\n(--set ${c.sets.join(" --set ")})`);
        if (c.mustRun && o.kind !== "ran") throw new Error(`legal overrides did not run (${o.kind}): ${o.kind === "rejected" ? o.lines.join("\n") : ""}\n(--set ${c.sets.join(" --set ")})`);
      }),
      { numRuns: runs(250), seed: FUZZ_SEED },
    );
    expect(tally.get("rejected")).toBeGreaterThan(tally.total / 3);
    expect(tally.get("ran")).toBeGreaterThan(tally.total / 10);
    console.log(`overrides: ${tally}`);
  });
});
