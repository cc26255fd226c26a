/**
 * Formats rows as a fixed-width text table with a header rule; numbers are right-aligned, and a
 * column with fractions writes all its numbers to one number of decimals (`1.00` above `1.05`).
 */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const decimals = header.map((_, i) => columnDecimals(rows.map((r) => r[i])));
  const cells = [header, ...rows.map((r) => r.map((c, i) => (typeof c === "number" ? formatNumber(c, decimals[i]) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/**
 * A number with sensible precision for a table: to `decimals` places when given, else integers as
 * is and others to 3 significant decimals.
 */
export function formatNumber(v: number, decimals?: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (decimals !== undefined) return v.toFixed(decimals);
  return Number.isInteger(v) ? String(v) : v.toFixed(decimalsFor(v));
}

/** Decimals a fraction gets on its own: 1 from 100 up, 2 from 1 up, else 3. */
function decimalsFor(v: number): number {
  const a = Math.abs(v);
  return a >= 100 ? 1 : a >= 1 ? 2 : 3;
}

/** The decimals of a column: the most any of its fractions gets, or undefined when it has none. */
function columnDecimals(column: readonly (string | number | undefined)[]): number | undefined {
  const fractions = column.filter((c): c is number => typeof c === "number" && Number.isFinite(c) && !Number.isInteger(c));
  return fractions.length > 0 ? Math.max(...fractions.map(decimalsFor)) : undefined;
}
