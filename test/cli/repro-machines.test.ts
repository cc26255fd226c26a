import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hopsim, ROOT } from "./run-cli.ts";

/** A folder elsewhere, as a user of an installed hopsim would run it from. */
const elsewhere = mkdtempSync(join(tmpdir(), "hopsim-cwd-"));

/** Runs the installed entry point (bin/hopsim.mjs, which finds tsx beside itself) from `cwd`. */
function installed(args: string[], cwd: string): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "hopsim.mjs"), ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, stderr: r.stderr };
}

// A bad --set stops each reproduction right after its machine file is read: that the problem is the
// key, not "file not found", shows the default machine was found.
describe("repro's default machines, run from another folder", () => {
  for (const what of ["numa", "tiering", "vm", "hetero"]) {
    it(`finds ${what}'s bundled machine`, () => {
      const r = installed(["repro", what, "--set", "coherance=directory"], elsewhere);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('--set: unknown key "coherance" (did you mean "coherence"?)\n');
    });
  }
});

describe("repro --machine", () => {
  // A machines/opteron-4p.yaml of the user's own, in their folder, with a mistake in it.
  const own = mkdtempSync(join(tmpdir(), "hopsim-own-"));
  mkdirSync(join(own, "machines"));
  writeFileSync(join(own, "machines", "opteron-4p.yaml"), `extends: ${join(ROOT, "machines", "opteron-4p.yaml")}\ncoherance: directory\n`);

  for (const what of ["tiering", "vm", "hetero"]) {
    it(`runs ${what} on the machine asked for, even when it is named machines/opteron-4p.yaml`, () => {
      const r = installed(["repro", what, "-m", "machines/opteron-4p.yaml"], own);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('machines/opteron-4p.yaml: unknown key "coherance" (did you mean "coherence"?)\n');
    });
  }

  it("keeps a path the user gives relative to their folder", () => {
    const r = installed(["repro", "vm", "-m", "machines/xeon-2s.yaml"], elsewhere);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("machines/xeon-2s.yaml: file not found\n");
  });
});

describe("repro --help", () => {
  const help = hopsim(["repro", "--help"]).stdout.replace(/\s+/g, " ");

  it("says which machine each reproduction runs on by default", () => {
    for (const [what, file] of [["numa", "opteron-4p"], ["tiering", "nvm-tier"], ["vm", "xeon-2s"], ["hetero", "gpu-node"]]) {
      expect(help).toContain(`${what} machines/${file}.yaml`);
    }
    expect(help).toContain("machines/apu.yaml for its IOMMU rows");
    expect(help).not.toContain('[default: "machines/opteron-4p.yaml"]');
  });

  it("says what --json prints for each reproduction", () => {
    expect(help).not.toContain("print rows and placement as JSON");
    expect(help).toMatch(/--json print the results as JSON: machine and rows \(numa adds testLoad and placement; hetero adds apu, linkTheoreticalGBs and copies\)/);
  });
});
