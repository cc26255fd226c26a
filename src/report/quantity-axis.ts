/**
 * Reading a column of text cells as numbers for a chart axis: plain numbers, or quantities such as
 * "8ns" and "16ns" (the unit then goes into the axis title), converted to one unit when they mix.
 */
import { parseBandwidth, parseDuration, parseFrequency, parseSize } from "../config/units.ts";

/** A column read as numbers, with the unit they are in ("" for plain numbers). */
export interface NumericAxis {
  values: number[];
  unit: string;
}

const QUANTITY_RE = /^\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-zµμ/%]+)\s*$/;

/** Conversions for quantities written with different units: parse to the canonical unit, then scale. */
const KINDS: { parse: (s: string) => number; scale: number; unit: string }[] = [
  { parse: parseDuration, scale: 1e-3, unit: "ns" },
  { parse: parseSize, scale: 1, unit: "B" },
  { parse: parseBandwidth, scale: 1, unit: "GB/s" },
  { parse: parseFrequency, scale: 1, unit: "GHz" },
];

/** The cells as numbers, or undefined when some cell is not a number or the quantities do not share a kind. */
export function numericAxis(cells: readonly string[]): NumericAxis | undefined {
  if (cells.length === 0) return undefined;
  if (cells.every((c) => c.trim() !== "" && Number.isFinite(Number(c)))) return { values: cells.map(Number), unit: "" };
  const parts = cells.map((c) => QUANTITY_RE.exec(c));
  if (parts.every((m) => m !== null)) {
    const unit = parts[0]![2]!;
    if (parts.every((m) => m![2] === unit)) return { values: parts.map((m) => Number(m![1])), unit };
  }
  for (const kind of KINDS) {
    try {
      return { values: cells.map((c) => kind.parse(c) * kind.scale), unit: kind.unit };
    } catch {
      // Not this kind of quantity.
    }
  }
  return undefined;
}

/** An axis title with its unit: `link.latency (ns)`. */
export function titleWithUnit(name: string, unit: string): string {
  return unit === "" ? name : `${name} (${unit})`;
}
