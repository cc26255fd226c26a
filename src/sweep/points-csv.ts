/** points.csv: one row per point in index order — point, id, parameters (seed last), columns, error. */
import { columnCell, columnUnit, makeColumn, missingPaths, type ColumnDef, type ColumnInput } from "./columns.ts";
import type { PointRecord } from "./point-record.ts";
import type { ParamLabel } from "./sweep-spec.ts";

/** A point as points.csv needs it. */
export interface CsvPoint {
  index: number;
  id: string;
  params: Record<string, ParamLabel>;
}

/** Quotes a CSV cell when it holds a comma, a quote, a line break or outer spaces (RFC 4180). */
export function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * A statistic as points.csv writes it: a fraction to 15 significant digits, which drops the noise
 * of binary arithmetic in the last digits a double holds (`106.10011800000001` -> `106.100118`)
 * and keeps every digit the simulation measures (a picosecond in nanoseconds up to 1000 s); whole
 * numbers and strings as they are.
 */
export function csvValue(v: string | number): string | number {
  return typeof v === "number" && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(15)) : v;
}

/**
 * points.csv of a sweep, built up as point records arrive. Only each point's cells are kept (a
 * record's statistics can be large), so a sweep of thousands of points stays small in memory.
 */
export class PointsTable {
  private readonly params: readonly string[];
  private readonly defs: ColumnDef[];
  private readonly points: CsvPoint[];
  /** The column cells and error text of each point id with a record. */
  private readonly entries = new Map<string, { cells: string[]; error: string }>();
  /** Unit of each column, from the first result. */
  units: Record<string, string> | undefined;
  /** Column paths the first result lacks, as warnings. */
  readonly warnings: string[] = [];

  constructor(params: readonly string[], columns: readonly ColumnInput[], points: readonly CsvPoint[]) {
    this.params = params;
    this.defs = columns.map(makeColumn);
    this.points = [...points].sort((a, b) => a.index - b.index);
  }

  /** Whether a point id has a record. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Takes a point's record: its cells, or its problems (joined by "; ") as its error. */
  add(r: PointRecord): void {
    const result = r.result;
    if (result === undefined) {
      this.entries.set(r.id, { cells: this.defs.map(() => ""), error: (r.error ?? "").split("\n").join("; ") });
      return;
    }
    this.entries.set(r.id, { cells: this.defs.map((d) => csvCell(csvValue(columnCell(d, result)))), error: "" });
    if (this.units === undefined) {
      this.units = Object.fromEntries(this.defs.map((d) => [d.name, columnUnit(d, result)]));
      for (const d of this.defs) {
        for (const m of missingPaths(d, result)) {
          const hint = m.suggestion === undefined ? "" : ` (did you mean "${m.suggestion}"?)`;
          this.warnings.push(`column "${d.name}": no statistic named "${m.path}"${hint}; its cells are empty`);
        }
      }
    }
  }

  /** The text of points.csv; a point without a record has empty cells and "missing" as its error. */
  text(): string {
    const header = ["point", "id", ...this.params, ...this.defs.map((d) => d.name), "error"];
    const lines = [header.map(csvCell).join(",")];
    const empty = this.defs.map(() => "");
    for (const p of this.points) {
      const e = this.entries.get(p.id);
      const cells = [String(p.index), p.id, ...this.params.map((n) => csvCell(p.params[n] ?? "")), ...(e?.cells ?? empty), csvCell(e === undefined ? "missing" : e.error)];
      lines.push(cells.join(","));
    }
    return `${lines.join("\n")}\n`;
  }
}

/** Parses CSV text into rows of cells (RFC 4180 quoting). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
