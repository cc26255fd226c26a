import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, formatIssues, formatPath } from "../../src/config/errors.ts";
import { runWithConfigErrors } from "../../src/config/exit.ts";
import { loadConfigFile } from "../../src/config/load.ts";
import { Bandwidth, Duration, Frequency, parseDuration } from "../../src/config/units.ts";
import { problemLines } from "./problem-lines.ts";

const Machine = z.strictObject({
  name: z.string(),
  clock: Frequency,
  links: z.array(z.strictObject({ latency: Duration, bandwidth: Bandwidth })),
  nodes: z.record(z.string(), z.strictObject({ memory: z.strictObject({ size: z.number() }) })).optional(),
});

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsim-errors-"));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}


describe("problem reporting", () => {
  it("reports all problems of a file at once", () => {
    const file = write(
      "m.yaml",
      ["name: m", "clock: 2.6 furlongs", "links:", "  - latency: 2GHz", "    bandwidth: 0GB/s"].join("\n"),
    );
    const lines = problemLines(() => loadConfigFile(file, Machine));
    expect(lines).toEqual([
      `${file}: clock: expected a frequency such as "2.6GHz" or "800MHz", got "2.6 furlongs"`,
      `${file}: links[0].latency: expected a duration such as "60ns", got a frequency "2GHz"`,
      `${file}: links[0].bandwidth: expected a positive bandwidth such as "6.4GB/s" or "3200MB/s", got "0GB/s"`,
    ]);
  });

  it("formats paths with bracketed indices and dotted keys", () => {
    expect(formatPath(["links", 2, "latency"])).toBe("links[2].latency");
    expect(formatPath(["nodes", "node0", "memory", "size"])).toBe("nodes.node0.memory.size");
  });

  it("quotes keys that would be ambiguous in a dotted path", () => {
    expect(formatPath(["a", "b.c", 0])).toBe('a["b.c"][0]');
  });

  it("names the path of a nested problem", () => {
    const result = Machine.safeParse({ name: "m", clock: 1, links: [], nodes: { node0: { memory: { size: "x" } } } });
    const [problem] = formatIssues("f.yaml", result.error!);
    expect(problem!.path).toBe("nodes.node0.memory.size");
  });

  it("leaves out the path for whole-file problems", () => {
    expect(new ConfigError([{ file: "f.yaml", path: "", message: "file not found" }]).lines()).toEqual([
      "f.yaml: file not found",
    ]);
  });

  it("says a required field is missing", () => {
    const result = Machine.safeParse({ clock: 1, links: [] });
    expect(formatIssues("f.yaml", result.error!)[0]!.message).toBe("missing required field (expected string)");
  });

  it("suggests the closest known key for an unknown key", () => {
    const result = Machine.safeParse({ name: "m", clock: 1, links: [{ latncy: 1, latency: 1, bandwidth: 1 }] });
    expect(formatIssues("f.yaml", result.error!, Machine)).toEqual([
      { file: "f.yaml", path: "links[0]", message: 'unknown key "latncy" (did you mean "latency"?)' },
    ]);
  });

  it("names each unknown key separately", () => {
    const result = Machine.safeParse({ name: "m", clock: 1, links: [], nmae: 1, zzzzzz: 2 });
    expect(formatIssues("f.yaml", result.error!, Machine).map((p) => p.message)).toEqual([
      'unknown key "nmae" (did you mean "name"?)',
      'unknown key "zzzzzz"',
    ]);
  });

  it("suggests keys when loading a file", () => {
    const file = write("m.yaml", "name: m\nclokc: 2GHz\nlinks: []\n");
    expect(problemLines(() => loadConfigFile(file, Machine))).toEqual([
      `${file}: clock: missing required field (expected a frequency such as "2.6GHz" or "800MHz")`,
      `${file}: unknown key "clokc" (did you mean "clock"?)`,
    ]);
  });

  it("gives the unit message rather than a generic union message", () => {
    const result = Machine.safeParse({ name: "m", clock: { ghz: 2 }, links: [] });
    expect(formatIssues("f.yaml", result.error!)[0]!.message).toBe(
      'expected a frequency such as "2.6GHz" or "800MHz", got a mapping',
    );
  });

  it("reports the closest alternative of a failed union", () => {
    const Shape = z.union([
      z.strictObject({ kind: z.literal("ring"), size: z.number() }),
      z.strictObject({ kind: z.literal("mesh"), width: z.number(), height: z.number() }),
    ]);
    const result = Shape.safeParse({ kind: "ring", size: "big" });
    expect(formatIssues("f.yaml", result.error!).map((p) => `${p.path}: ${p.message}`)).toEqual([
      "size: Invalid input: expected number, received string",
    ]);
  });

  it("says what zod's own checks expected and what the file gave", () => {
    const Spec = z.strictObject({
      cores: z.number().int().positive(),
      ways: z.number().max(64),
      mode: z.enum(["on-demand", "device"]),
      kind: z.literal("pcie"),
      nodes: z.array(z.number()).min(2),
      name: z.string(),
    });
    const file = write("s.yaml", "cores: 0\nways: 100\nmode: ondemand\nkind: cxl\nnodes: [1]\nname: 5\n");
    expect(problemLines(() => loadConfigFile(file, Spec))).toEqual([
      `${file}: cores: expected a positive number, got 0`,
      `${file}: ways: expected a number of at most 64, got 100`,
      `${file}: mode: expected one of "on-demand" or "device", got "ondemand" (did you mean "on-demand"?)`,
      `${file}: kind: expected "pcie", got "cxl"`,
      `${file}: nodes: expected at least 2 items, got 1 item`,
      `${file}: name: expected a string, got 5`,
    ]);
  });

  it("shows the value an override gave, and a whole number where a fraction was given", () => {
    const Spec = z.strictObject({ node: z.strictObject({ cores: z.number().int().positive() }) });
    const file = write("n.yaml", "node: { cores: 2 }\n");
    expect(problemLines(() => loadConfigFile(file, Spec, { overrides: ["node.cores=many"] }))).toEqual(['--set: node.cores: expected a number, got "many"']);
    expect(problemLines(() => loadConfigFile(file, Spec, { overrides: ["node.cores=2.5"] }))).toEqual(["--set: node.cores: expected a whole number, got 2.5"]);
  });

  it("names the discriminator's values when a tagged alternative is unknown", () => {
    const Spec = z.strictObject({ policy: z.discriminatedUnion("kind", [z.strictObject({ kind: z.literal("bind") }), z.strictObject({ kind: z.literal("local") })]) });
    const file = write("p.yaml", "policy: { kind: bnid }\n");
    expect(problemLines(() => loadConfigFile(file, Spec))).toEqual([`${file}: policy.kind: expected one of "bind" or "local", got "bnid" (did you mean "bind"?)`]);
  });

  it("keeps a message the schema gives its own check", () => {
    const Spec = z.strictObject({ cores: z.number().positive({ error: "a node needs at least one core" }) });
    const file = write("c.yaml", "cores: 0\n");
    expect(problemLines(() => loadConfigFile(file, Spec))).toEqual([`${file}: cores: a node needs at least one core`]);
  });

  it("names the line and column of a YAML syntax error", () => {
    const file = write("bad.yaml", "name: m\nclock: [2GHz\nlinks: []\n");
    const lines = problemLines(() => loadConfigFile(file, Machine));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: syntax error at line \\d+, column \\d+: `));
  });

  it("names the line of a JSON syntax error", () => {
    const file = write("bad.json", '{\n  "name": "m",\n  "clock": 2,,\n}');
    const lines = problemLines(() => loadConfigFile(file, Machine));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/syntax error at line 3, column \d+/);
  });

  it("rejects a top level that is not a mapping", () => {
    const file = write("list.yaml", "- a\n- b\n");
    expect(problemLines(() => loadConfigFile(file, Machine))[0]).toMatch(/expected a mapping of keys to values/);
  });
});

describe("runWithConfigErrors", () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("prints problem lines and sets exit code 2 on ConfigError", async () => {
    const written: string[] = [];
    const result = await runWithConfigErrors(
      () => {
        throw ConfigError.single("f.yaml", "bad", "a.b");
      },
      { write: (t: string) => written.push(t) },
    );
    expect(result).toBeUndefined();
    expect(written).toEqual(["f.yaml: a.b: bad\n"]);
    expect(process.exitCode).toBe(2);
  });

  it("handles UnitError the same way", async () => {
    const written: string[] = [];
    await runWithConfigErrors(() => parseDuration("2GHz"), { write: (t: string) => written.push(t) });
    expect(written).toEqual(['expected a duration such as "60ns", got a frequency "2GHz"\n']);
    expect(process.exitCode).toBe(2);
  });

  it("returns the value when nothing goes wrong", async () => {
    expect(await runWithConfigErrors(async () => 42)).toBe(42);
  });

  it("lets other errors propagate", async () => {
    await expect(
      runWithConfigErrors(() => {
        throw new TypeError("boom");
      }),
    ).rejects.toThrow("boom");
  });
});
