import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.ts";
import { loadSweepFile } from "../../src/sweep/sweep-spec.ts";
import { hopsim, MACHINE, tmpDir, WORKLOAD } from "./helpers.ts";

const dir = tmpDir("bad-sweep");
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

/** The problem lines loading a sweep file gives. */
function problems(file: string): string[] {
  try {
    loadSweepFile(file);
  } catch (e) {
    if (e instanceof ConfigError) return e.lines();
    throw e;
  }
  throw new Error("expected the sweep file to be rejected");
}

const BAD = `name: bad
machine: ${MACHINE}
workload: ${WORKLOAD}
seeds: [1, 2]
replicates: 3
matrix:
  link.latency: [4ns, 8ns]
  policy:
    set:
      - workload.regions[0].policy
    values: [local, interleave]
    labels: [a]
zip:
  link.widthBits: [8, 16, 32]
  link.credits: [4, 8]
columns:
  - threads[0].nsPerAccess
  - { name: ratio, expr: "threads[1].nsPerAccess / (threads[0].nsPerAccess" }
plots:
  - { x: link.latency, y: nowhere }
colums: []
`;

describe("bad sweep files", () => {
  it("report every problem at once, each naming the file and the field", () => {
    const file = write("bad.yaml", BAD);
    const lines = problems(file);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/bad\.yaml: replicates: give seeds or replicates, not both/),
        expect.stringMatching(/bad\.yaml: matrix\.policy\.labels: expected 2 labels \(one per value\), got 1/),
        expect.stringMatching(/bad\.yaml: zip\["link\.credits"\]: has 2 values, but zip\["link\.widthBits"\] has 3/),
        expect.stringMatching(/bad\.yaml: columns\[1\]: invalid expression: expected "\)" at the end/),
        expect.stringMatching(/bad\.yaml: plots\[0\]\.y: no column named "nowhere"/),
        expect.stringMatching(/bad\.yaml: unknown key "colums" \(did you mean "columns"\?\)/),
      ]),
    );
    expect(lines).toHaveLength(6);
  });

  it("name a machine or workload file that does not exist", () => {
    const file = write("missing.yaml", `machine: nowhere.yaml\nworkload: ${WORKLOAD}\ncolumns: [simulatedNs]\n`);
    expect(problems(file)).toEqual([expect.stringMatching(/missing\.yaml: machine: file not found: "nowhere\.yaml" \(looked for .*nowhere\.yaml\)/)]);
  });

  it("name a malformed --set key", () => {
    const file = write("key.yaml", `machine: ${MACHINE}\nworkload: ${WORKLOAD}\nset: [link.latency]\nmatrix:\n  "link..latency": [1ns]\ncolumns: [simulatedNs]\n`);
    expect(problems(file)).toEqual([
      expect.stringMatching(/key\.yaml: set\[0\]: expected key=value/),
      expect.stringMatching(/key\.yaml: matrix\["link\.\.latency"\]: invalid --set key "link\.\.latency"/),
    ]);
  });

  it("make `hopsim sweep` exit with code 2, one line per problem and no stack trace", () => {
    const file = write("cli.yaml", BAD);
    const r = hopsim(["sweep", file, "--out", path.join(dir, "out")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(6);
    expect(r.stderr).toMatch(/cli\.yaml: replicates: give seeds or replicates, not both/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
  });
});
