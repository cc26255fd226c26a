/** A sweep folder's points.csv read back, with what sweep.json says about its columns. */
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../config/errors.ts";
import { MANIFEST_FILE, type SweepManifest } from "../sweep/manifest.ts";
import { parseCsv } from "../sweep/points-csv.ts";

/** The points of a sweep as a table of text cells. */
export interface SweepTable {
  /** The sweep folder. */
  dir: string;
  /** points.csv, as shown in messages. */
  csvFile: string;
  header: string[];
  /** One object per row, keyed by header. */
  rows: Record<string, string>[];
  /** Parameter columns (seed last), from sweep.json, else the columns between id and the first statistic. */
  params: string[];
  /** Statistic columns. */
  columns: string[];
  /** Unit of each statistic column ("" when unknown). */
  units: Record<string, string>;
  manifest?: SweepManifest;
}

/**
 * Reads `<dir>/points.csv` (and sweep.json beside it, when present). `dir` may also name the CSV
 * file itself. Throws a ConfigError naming the file when it is absent or empty.
 */
export function readSweepTable(dir: string): SweepTable {
  const csvFile = dir.endsWith(".csv") ? dir : path.join(dir, "points.csv");
  const folder = path.dirname(csvFile);
  let text: string;
  try {
    text = fs.readFileSync(csvFile, "utf8");
  } catch {
    throw ConfigError.single(csvFile, "file not found (run the sweep first, or `hopsim sweep collect` after a Slurm run)");
  }
  const [header, ...cells] = parseCsv(text);
  if (header === undefined || header.length === 0) throw ConfigError.single(csvFile, "empty file");
  const rows = cells.filter((r) => r.length > 1 || r[0] !== "").map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
  let manifest: SweepManifest | undefined;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(folder, MANIFEST_FILE), "utf8")) as SweepManifest;
  } catch {
    manifest = undefined;
  }
  const fixed = new Set(["point", "id", "error"]);
  let params: string[];
  if (manifest !== undefined) params = manifest.params.map((p) => p.name).filter((p) => header.includes(p));
  else {
    const seedAt = header.indexOf("seed");
    params = header.slice(0, seedAt + 1).filter((h) => !fixed.has(h));
  }
  const columns = header.filter((h) => !fixed.has(h) && !params.includes(h));
  const units: Record<string, string> = {};
  for (const c of columns) units[c] = manifest?.units[c] ?? "";
  const table: SweepTable = { dir: folder, csvFile, header, rows, params, columns, units };
  if (manifest !== undefined) table.manifest = manifest;
  return table;
}
