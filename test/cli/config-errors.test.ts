import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hopsim, ROOT } from "./run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "hopsim-cfg-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const machine = `${ROOT}/machines/default.yaml`;
const workload = `${ROOT}/workloads/default.yaml`;

function expectClean(r: { code: number; stderr: string }, ...patterns: RegExp[]) {
  expect(r.code).toBe(2);
  for (const p of patterns) expect(r.stderr).toMatch(p);
  // One line per problem, never a stack trace.
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/Error:/);
}

describe("config mistakes", () => {
  it("names the file, the field and the expected unit for a bad duration", () => {
    const m = file("bad-unit.yaml", `extends: ${machine}\nlink: { widthBits: 16, clock: 1GHz, latency: 12 furlongs }\n`);
    expectClean(hopsim(["run", "-m", m, "-w", workload]), /bad-unit\.yaml: link\.latency: expected a duration/);
  });

  it("says when a unit is of the wrong kind", () => {
    const m = file("wrong-kind.yaml", `extends: ${machine}\nlink: { widthBits: 16, clock: 12ns, latency: 12ns }\n`);
    expectClean(hopsim(["run", "-m", m, "-w", workload]), /link\.clock: expected a frequency.*got a duration "12ns"/);
  });

  it("suggests the right name for an unknown key", () => {
    const m = file("typo.yaml", `extends: ${machine}\ncoherance: directory\n`);
    expectClean(hopsim(["run", "-m", m, "-w", workload]), /unknown key "coherance" \(did you mean "coherence"\?\)/);
  });

  it("reports every problem of both files at once", () => {
    const m = file("two.yaml", `extends: ${machine}\nlineSize: 48B\nlink: { widthBits: -1, clock: 1GHz, latency: 1ns }\n`);
    const w = file("w-bad.yaml", `extends: ${workload}\nthreads: [{ core: 0, generator: pointer-chase, region: nowhere, accesses: 10 }]\n`);
    const r = hopsim(["run", "-m", m, "-w", w]);
    expectClean(r, /two\.yaml: lineSize: expected a power of two/, /two\.yaml: link\.widthBits/, /w-bad\.yaml: threads\[0\]\.region: no region named "nowhere"/);
    expect(r.stderr.trim().split("\n").length).toBe(3);
  });

  it("names a missing file", () => {
    expectClean(hopsim(["run", "-m", join(dir, "absent.yaml"), "-w", workload]), /absent\.yaml: file not found/);
  });

  it("detects a cycle of extends", () => {
    file("a.yaml", "extends: b.yaml\n");
    file("b.yaml", "extends: a.yaml\n");
    expectClean(hopsim(["run", "-m", join(dir, "a.yaml"), "-w", workload]), /extends cycle: a\.yaml -> b\.yaml -> a\.yaml/);
  });

  it("rejects a thread pinned to a core that does not exist", () => {
    expectClean(hopsim(["run", "-m", machine, "-w", workload, "--set", "workload.threads[0].core=9"]), /threads\[0\]\.core: core 9 does not exist/);
  });

  it("names --set as the source of a bad override", () => {
    expectClean(hopsim(["run", "-m", machine, "-w", workload, "--set", "node.memory.bandwidth=fast"]), /--set: node\.memory\.bandwidth: expected a bandwidth/);
  });

  it("shows a workload override's path with the workload. prefix the user typed", () => {
    const unknown = hopsim(["run", "-m", machine, "-w", workload, "--set", "workload.threads[0].acesses=5"]);
    expectClean(unknown);
    expect(unknown.stderr.trim()).toBe('--set: workload.threads[0]: unknown key "acesses" (did you mean "accesses"?)');
    const unset = hopsim(["run", "-m", machine, "-w", workload, "--set", "workload.threads[5].accesses=5", "--set", "workload.agents.0.memory=on-demand"]);
    expectClean(unset);
    expect(unset.stderr.trim().split("\n")).toEqual([
      '--set "workload.threads[5].accesses=5": cannot set "workload.threads[5].accesses": index 5 is out of range ("workload.threads" has 2 items)',
      '--set "workload.agents.0.memory=on-demand": cannot set "workload.agents.0.memory": there is no list "workload.agents" to set item 0 of',
    ]);
  });

  it("rejects a malformed override", () => {
    expectClean(hopsim(["run", "-m", machine, "-w", workload, "--set", "link.latency"]), /--set "link\.latency": expected key=value/);
  });

  it("points at the line of a YAML syntax error", () => {
    const m = file("syntax.yaml", "name: x\ntopology: [unclosed\n");
    expectClean(hopsim(["run", "-m", m, "-w", workload]), /syntax\.yaml: syntax error at line \d+/);
  });
});
