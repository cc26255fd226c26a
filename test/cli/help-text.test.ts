import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hopsim } from "./run-cli.ts";

describe("help text", () => {
  it("shows plot's --y and --x in their long forms, as its example and the README write them", () => {
    const help = hopsim(["plot", "--help"]).stdout;
    expect(help).toMatch(/^ +--y +statistic column of points\.csv/m);
    expect(help).toMatch(/^ +--x +parameter \(or column\) on the horizontal axis/m);
    expect(help).not.toMatch(/^ +-[xy]\b/m);
    // The descriptions stay in one column.
    const at = (option: string, description: string) => help.split("\n").find((l) => l.trimStart().startsWith(`${option} `))?.indexOf(description);
    expect(at("--y", "statistic column")).toBe(at("--by", "parameter with one line"));
    expect(at("--x", "parameter (or column)")).toBe(at("--by", "parameter with one line"));
  });

  it("breaks run's examples before --set, never between an option and its value", () => {
    const help = hopsim(["run", "--help"]).stdout;
    const examples = help.slice(help.indexOf("Examples:")).split("\n").slice(1).filter((l) => l.trim() !== "");
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const l of examples) {
      expect(l).not.toMatch(/--set$/);
      expect(l.length).toBeLessThanOrEqual(100);
    }
    expect(examples.filter((l) => l.trimStart().startsWith("--set "))).toEqual(["  --set link.latency=20ns", "  --set workload.threads[0].accesses=5000"]);
  });

  it("gives report an example folder that a bundled sweep writes", () => {
    const help = hopsim(["report", "--help"]).stdout;
    const example = /report (results\/sweeps\/\S+)/.exec(help)![1]!;
    expect(fs.existsSync(path.join("scripts/sweeps", `${path.basename(example)}.yaml`))).toBe(true);
  });
});
