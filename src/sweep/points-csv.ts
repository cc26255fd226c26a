/** points.csv: one row per point in index order — point, id, parameters (seed last), columns, error. */
import { columnCell, makeColumn, type ColumnInput } from "./columns.ts";
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
 * The text of points.csv. A point without a record (not run yet) has empty cells and "missing" as
 * its error; a failed point has its problems, joined by "; ", as its error.
 */
export function formatPointsCsv(paramNames: readonly string[], columns: readonly ColumnInput[], points: readonly CsvPoint[], records: ReadonlyMap<string, PointRecord>): string {
  const defs = columns.map(makeColumn);
  const header = ["point", "id", ...paramNames, ...defs.map((d) => d.name), "error"];
  const lines = [header.map(csvCell).join(",")];
  for (const p of [...points].sort((a, b) => a.index - b.index)) {
    const r = records.get(p.id);
    const cells: (string | number | boolean)[] = [p.index, p.id, ...paramNames.map((n) => p.params[n] ?? "")];
    if (r?.result !== undefined) {
      const result = r.result;
      cells.push(...defs.map((d) => columnCell(d, result)), "");
    } else {
      cells.push(...defs.map(() => ""), r === undefined ? "missing" : (r.error ?? "").split("\n").join("; "));
    }
    lines.push(cells.map(csvCell).join(","));
  }
  return `${lines.join("\n")}\n`;
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
