// Whole files on disk, as `hopsim run` reads them: rendered, damaged, chained with extends, or noise.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import YAML from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { loadRaw } from "../../src/config/load.ts";
import { runFilesGuarded } from "../../src/trust/run-inputs.ts";
import { ROOT } from "../cli/run-cli.ts";
import { fileCaseArb } from "./fuzz/file-cases.ts";
import { FUZZ_SEED, judge, runs, Tally } from "./fuzz/judge.ts";

const root = mkdtempSync(join(tmpdir(), "hopsim-fuzz-files-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bundledMachines = readdirSync(join(ROOT, "machines")).filter((f) => f.endsWith(".yaml")).map((f) => join(ROOT, "machines", f));
const defaultMachine = join(ROOT, "machines", "default.yaml");
// The bundled workload with few accesses, so a case runs in milliseconds.
const smallWorkload = join(root, "small-workload.yaml");
const w = loadRaw(join(ROOT, "workloads", "default.yaml")) as { threads: { accesses: number }[] };
for (const t of w.threads) t.accesses = 50;
writeFileSync(smallWorkload, YAML.stringify(w));

/** How the loader names each file a case may involve: as given, or relative to the working directory when inside it. */
function sourcesFor(dir: string, files: string[]): string[] {
  const named = [...files.map((f) => join(dir, f)), dir, smallWorkload, defaultMachine, ...bundledMachines];
  return [...new Set([...named, ...named.map((p) => relative(process.cwd(), p))])];
}

let caseNo = 0;

describe("fuzzed input files", () => {
  it("are read and run, or refused with one problem line each, never thrown", () => {
    const tally = new Tally();
    fc.assert(
      fc.property(fileCaseArb(bundledMachines), (c) => {
        const dir = join(root, `case${caseNo++}`);
        mkdirSync(dir);
        for (const f of c.files) writeFileSync(join(dir, f.name), f.content);
        const machine = c.machine === "" ? defaultMachine : join(dir, c.machine);
        const workload = c.workload === "" ? smallWorkload : join(dir, c.workload);
        const o = runFilesGuarded(machine, workload, [], c.seed);
        const why = judge(c, o, sourcesFor(dir, c.files.map((f) => f.name)), tally);
        if (why !== null) throw new Error(c.damage === "" ? why : `${why}\n(file damage: ${c.damage})`);
        if (c.mustRun && o.kind !== "ran") throw new Error(`a valid input did not run (${o.kind}): ${o.kind === "rejected" ? o.lines.join("\n") : ""}`);
        rmSync(dir, { recursive: true });
      }),
      { numRuns: runs(250), seed: FUZZ_SEED },
    );
    expect(tally.get("rejected")).toBeGreaterThan(tally.total / 3);
    expect(tally.get("ran")).toBeGreaterThan(0);
    console.log(`input files: ${tally}`);
  });
});
