// The repository speaks only of itself: a source, machine, workload, script or test names the
// published document a fact comes from, never a working note that is not in the repository.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../cli/run-cli.ts";

const FOLDERS = ["src", "machines", "workloads", "scripts", "test", "bin"];
const TEXT = /\.(ts|mts|mjs|js|yaml|yml|json|md)$/;

/** Every text file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : TEXT.test(name) ? [p] : [];
  });
}

/** Names of the working notes the project grew from (spelt in pieces so this file does not name them). */
const NOTES = [["SEED", "FACTS"].join("-"), ["CALIBR", "ATION"].join("")];

/** Whether a line cites a note: names it other than as an alternative of a pattern (`/a|b/`, as a test that looks for them has). */
function cites(line: string, note: string): boolean {
  for (let at = line.indexOf(note); at >= 0; at = line.indexOf(note, at + 1)) {
    const before = line[at - 1] ?? "";
    const after = line[at + note.length] ?? "";
    if (!/[/|]/.test(before) && !/[/|]/.test(after)) return true;
  }
  return false;
}

describe("citations", () => {
  const files = [...FOLDERS.flatMap((f) => filesUnder(join(ROOT, f))), join(ROOT, "README.md")];

  it("name no working note that is not in the repository", () => {
    const hits = files.flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .flatMap((line, i) => (NOTES.some((n) => cites(line, n)) ? [`${relative(ROOT, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it("name only Markdown documents the repository has", () => {
    const present = new Set(files.filter((f) => f.endsWith(".md")).map((f) => relative(ROOT, f).split("/").pop()));
    const missing = files.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/\b[A-Za-z0-9_-]+\.md\b/g)].map((m) => m[0]).filter((name) => !present.has(name)).map((name) => `${relative(ROOT, f)}: ${name}`));
    expect(missing).toEqual([]);
  });

  it("looked at the files it checks", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.endsWith("opteron-4p.yaml"))).toBe(true);
  });
});
