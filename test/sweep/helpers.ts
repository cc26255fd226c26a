import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { parseCsv } from "../../src/sweep/points-csv.ts";

/** Repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const MACHINE = path.join(ROOT, "machines/default.yaml");
export const WORKLOAD = path.join(ROOT, "workloads/default.yaml");

/** The CLI entry with the sweep commands: main.ts once it registers them, else the standalone sweep CLI. */
export const ENTRY = path.join(ROOT, "src/cli/main.ts");

const ENV = { ...process.env, NO_COLOR: "1" };

/** Runs `hopsim ARGS` in a child process and returns its exit code and output. */
export function hopsim(args: string[], cwd = ROOT): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", ENTRY, ...args], { cwd, encoding: "utf8", env: ENV });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `hopsim ARGS` in a child process without waiting for it. */
export function startHopsim(args: string[], cwd = ROOT): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], { cwd, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
}

/** A new temporary folder. */
export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hopsim-${prefix}-`));
}

/** Writes a sweep file (from an object, as YAML) and returns its path. */
export function writeSweep(dir: string, name: string, spec: Record<string, unknown>): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, YAML.stringify({ name, machine: MACHINE, workload: WORKLOAD, ...spec }));
  return file;
}

/** Overrides that make the default workload's two chases short (`accesses` loads each). */
export function shortChase(accesses: number): string[] {
  return [`workload.threads[0].accesses=${accesses}`, `workload.threads[1].accesses=${accesses}`];
}

/** The rows of a points.csv as objects keyed by its header. */
export function readCsvRows(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(fs.readFileSync(file, "utf8"));
  return rows.map((r) => Object.fromEntries(r.map((c, i) => [header![i]!, c])));
}

/** Every file of a folder (recursively) with its contents, for comparing two sweep folders. */
export function folderContents(dir: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const rel = path.relative(dir, p);
      if (skip(rel)) continue;
      if (fs.statSync(p).isDirectory()) walk(p);
      else out[rel] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}
