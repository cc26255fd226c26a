import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfigFile, loadRaw, resolveConfig } from "../../src/config/load.ts";
import { Duration } from "../../src/config/units.ts";
import { problemLines } from "./problem-lines.ts";

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsim-config-"));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes files into the temp dir and returns the path of the first one. */
function write(files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, Object.keys(files)[0]!);
}


describe("extends", () => {
  it("merges nested mappings from the base", () => {
    const file = write({
      "child.yaml": "extends: base.yaml\ncpu:\n  clock: 3GHz\n",
      "base.yaml": "name: base\ncpu:\n  clock: 2GHz\n  cores: 8\n",
    });
    expect(loadRaw(file)).toEqual({ name: "base", cpu: { clock: "3GHz", cores: 8 } });
  });

  it("replaces lists instead of merging them", () => {
    const file = write({
      "child.yaml": "extends: base.yaml\nlinks: [c]\n",
      "base.yaml": "links: [a, b]\n",
    });
    expect(loadRaw(file)).toEqual({ links: ["c"] });
  });

  it("follows multi-level chains", () => {
    const file = write({
      "c.yaml": "extends: b.yaml\nc: 3\n",
      "b.yaml": "extends: a.yaml\nb: 2\nx: from-b\n",
      "a.yaml": "a: 1\nx: from-a\n",
    });
    expect(loadRaw(file)).toEqual({ a: 1, b: 2, c: 3, x: "from-b" });
  });

  it("applies a list of bases in order", () => {
    const file = write({
      "child.yaml": "extends: [one.yaml, two.yaml]\n",
      "one.yaml": "x: 1\ny: 1\n",
      "two.yaml": "y: 2\n",
    });
    expect(loadRaw(file)).toEqual({ x: 1, y: 2 });
  });

  it("resolves bases relative to the extending file", () => {
    fs.mkdirSync(path.join(dir, "sub"));
    const file = write({
      "sub/child.yaml": "extends: ../base.json\nb: 2\n",
      "base.json": '{ "a": 1 }',
    });
    expect(loadRaw(file)).toEqual({ a: 1, b: 2 });
  });

  it("names the chain of a cycle", () => {
    const file = write({
      "a.yaml": "extends: b.yaml\n",
      "b.yaml": "extends: a.yaml\n",
    });
    const lines = problemLines(() => loadRaw(file));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("extends cycle: a.yaml -> b.yaml -> a.yaml");
  });

  it("names the extending file and field for a missing base", () => {
    const file = write({ "child.yaml": "extends: nowhere.yaml\n" });
    const lines = problemLines(() => loadRaw(file));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/child\.yaml: extends: file not found: "nowhere\.yaml"/);
  });

  it("reports a missing top-level file", () => {
    const missing = path.join(dir, "absent.yaml");
    expect(problemLines(() => loadRaw(missing))).toEqual([`${missing}: file not found`]);
  });

  it("does not pass the extends key on to validation", () => {
    const file = write({ "child.yaml": "extends: base.yaml\n", "base.yaml": "latency: 5ns\n" });
    const schema = z.strictObject({ latency: Duration });
    expect(loadConfigFile(file, schema)).toEqual({ latency: 5000 });
  });

  it("blames the base file for a bad inherited value", () => {
    const file = write({ "child.yaml": "extends: base.yaml\nname: x\n", "base.yaml": "latency: 5 furlongs\n" });
    const schema = z.strictObject({ name: z.string(), latency: Duration });
    const lines = problemLines(() => loadConfigFile(file, schema));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/base\.yaml: latency: expected a duration/);
  });
});

describe("overrides while loading", () => {
  it("applies --set after merging", () => {
    const file = write({ "child.yaml": "extends: base.yaml\n", "base.yaml": "latency: 5ns\n" });
    const schema = z.strictObject({ latency: Duration });
    expect(loadConfigFile(file, schema, { overrides: ["latency=7ns"] })).toEqual({ latency: 7000 });
  });

  it("blames --set for a bad overridden value", () => {
    const file = write({ "c.yaml": "latency: 5ns\n" });
    const schema = z.strictObject({ latency: Duration });
    expect(problemLines(() => loadConfigFile(file, schema, { overrides: ["latency=2GHz"] }))).toEqual([
      '--set: latency: expected a duration such as "60ns", got a frequency "2GHz"',
    ]);
  });
});

describe("resolveConfig", () => {
  it("validates a plain object and names the given file", () => {
    const schema = z.strictObject({ latency: Duration });
    expect(problemLines(() => resolveConfig({ latency: "x" }, schema, "inline"))[0]).toMatch(/^inline: latency: /);
  });
});

describe("extends with variants", () => {
  it("replaces an object whose kind changes instead of merging it", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { loadRaw } = await import("../../src/config/load.ts");
    const dir = mkdtempSync(join(tmpdir(), "hopsim-variant-"));
    writeFileSync(join(dir, "base.yaml"), "topology: { kind: edges, nodes: 2, edges: [[0, 1]] }\nlink: { width: 16 }\n");
    writeFileSync(join(dir, "child.yaml"), "extends: base.yaml\ntopology: { kind: square4 }\nlink: { clock: 1GHz }\n");
    const raw = loadRaw(join(dir, "child.yaml"));
    expect(raw.topology).toEqual({ kind: "square4" });
    expect(raw.link).toEqual({ width: 16, clock: "1GHz" });
  });
});
