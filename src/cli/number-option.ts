/**
 * Numeric command-line options, checked in one place: each option's value is read from the text
 * the user typed (so "abc" is named as typed, not as NaN), and a value the option cannot take
 * becomes one problem line such as `--accesses: expected a positive whole number, got "abc"`.
 */
import type { Options } from "yargs";

/** What values a numeric option accepts, and how its problem line says so. */
export interface NumberKind {
  /** The phrase after "expected", e.g. "a positive whole number". */
  expected: string;
  /** Only whole numbers. */
  whole: boolean;
  /** The smallest value accepted. */
  min: number;
  /** True when `min` itself is not accepted (a positive number: more than 0). */
  minExclusive: boolean;
  /** The largest value accepted. */
  max: number;
}

/** Whole numbers from 1 up to the largest a double holds exactly (counts, sizes, job numbers). */
export const POSITIVE_WHOLE: NumberKind = { expected: "a positive whole number", whole: true, min: 1, minExclusive: false, max: Number.MAX_SAFE_INTEGER };

/** Whole numbers from 0 (indices). */
export const NON_NEGATIVE_WHOLE: NumberKind = { expected: "a non-negative whole number", whole: true, min: 0, minExclusive: false, max: Number.MAX_SAFE_INTEGER };

/**
 * Run seeds: every random stream is seeded from the seed's decimal text, so the seed must be a
 * whole number that prints exactly (below 2^53; above it two seeds would print alike).
 */
export const SEED: NumberKind = { expected: `a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`, whole: true, min: 0, minExclusive: false, max: Number.MAX_SAFE_INTEGER };

/** Numbers above 0, fractions allowed (durations in seconds). */
export const POSITIVE: NumberKind = { expected: "a positive number", whole: false, min: 0, minExclusive: true, max: Number.MAX_VALUE };

/** A value an option cannot take: kept in the parsed arguments until every such problem is reported together. */
export class OptionProblem {
  /** The printable line, `--<option>: expected ..., got "..."`. */
  readonly line: string;

  constructor(line: string) {
    this.line = line;
  }
}

const DECIMAL_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number `value` stands for if it is written as a decimal number, else undefined. */
function decimal(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && DECIMAL_RE.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** Checks one option value against `kind`: the number, or the problem naming `--<name>` and the text given. */
export function checkNumber(name: string, kind: NumberKind, value: unknown): number | OptionProblem {
  if (Array.isArray(value)) return new OptionProblem(`--${name}: expected one value, got ${value.length} (${value.map((v) => JSON.stringify(String(v))).join(", ")})`);
  const n = decimal(value);
  const ok = n !== undefined && (!kind.whole || Number.isInteger(n)) && (kind.minExclusive ? n > kind.min : n >= kind.min) && n <= kind.max;
  return ok ? n : new OptionProblem(`--${name}: expected ${kind.expected}, got ${JSON.stringify(String(value))}`);
}

/**
 * The yargs definition of a numeric option `--<name>`: the value is required after the option and
 * checked against `kind` (see `optionProblems` for how problems are reported). No yargs `type` is
 * given on purpose: type "number" would turn "abc" into NaN before the check could name it.
 */
export function numberOption(name: string, kind: NumberKind, options: Omit<Options, "type" | "coerce" | "requiresArg">): Options {
  return { ...options, requiresArg: true, coerce: (value: unknown) => checkNumber(name, kind, value) };
}

/** The problem lines of every numeric option of `argv` that could not take its value (each once, though aliases repeat it). */
export function optionProblems(argv: Record<string, unknown>): string[] {
  const seen = new Set<OptionProblem>();
  for (const v of Object.values(argv)) if (v instanceof OptionProblem) seen.add(v);
  return [...seen].map((p) => p.line);
}
