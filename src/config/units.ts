/**
 * Unit strings in configuration files ("60ns", "2.6GHz", "32KiB", "6.4GB/s")
 * and their canonical numeric forms:
 *
 * - duration:  integer picoseconds
 * - frequency: GHz (float)
 * - size:      integer bytes
 * - bandwidth: bytes per nanosecond (float; numerically equal to decimal GB/s)
 *
 * A plain number is taken to be already in the canonical unit.
 */
import { z } from "zod";

/** The kinds of physical quantity a unit string can express. */
export type UnitKind = "duration" | "frequency" | "size" | "bandwidth";

/** Thrown by the parse functions when a value is not a valid quantity of the expected kind. */
export class UnitError extends Error {
  /** The kind of quantity that was expected. */
  readonly kind: UnitKind;
  /** The offending input as given. */
  readonly input: unknown;

  constructor(kind: UnitKind, input: unknown, message: string) {
    super(message);
    this.name = "UnitError";
    this.kind = kind;
    this.input = input;
  }
}

/**
 * A unit's conversion to the canonical unit: canonical = value * mul / div.
 * Splitting the factor keeps results such as 3200 MB/s -> 3.2 exact in
 * double precision (dividing by 1000 rounds correctly, multiplying by 0.001 may not).
 */
interface Factor {
  readonly mul: number;
  readonly div: number;
}

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

const UNIT_TABLES: Record<UnitKind, Readonly<Record<string, Factor>>> = {
  duration: {
    ps: { mul: 1, div: 1 },
    ns: { mul: 1e3, div: 1 },
    us: { mul: 1e6, div: 1 },
    "µs": { mul: 1e6, div: 1 }, // micro sign
    "μs": { mul: 1e6, div: 1 }, // Greek mu
    ms: { mul: 1e9, div: 1 },
    s: { mul: 1e12, div: 1 },
  },
  frequency: {
    Hz: { mul: 1, div: 1e9 },
    kHz: { mul: 1, div: 1e6 },
    MHz: { mul: 1, div: 1e3 },
    GHz: { mul: 1, div: 1 },
    THz: { mul: 1e3, div: 1 },
  },
  size: {
    B: { mul: 1, div: 1 },
    KB: { mul: 1e3, div: 1 },
    MB: { mul: 1e6, div: 1 },
    GB: { mul: 1e9, div: 1 },
    TB: { mul: 1e12, div: 1 },
    KiB: { mul: KiB, div: 1 },
    MiB: { mul: MiB, div: 1 },
    GiB: { mul: GiB, div: 1 },
    TiB: { mul: TiB, div: 1 },
  },
  bandwidth: {
    "B/s": { mul: 1, div: 1e9 },
    "KB/s": { mul: 1, div: 1e6 },
    "MB/s": { mul: 1, div: 1e3 },
    "GB/s": { mul: 1, div: 1 },
    "TB/s": { mul: 1e3, div: 1 },
    "KiB/s": { mul: KiB, div: 1e9 },
    "MiB/s": { mul: MiB, div: 1e9 },
    "GiB/s": { mul: GiB, div: 1e9 },
    "TiB/s": { mul: TiB, div: 1e9 },
  },
};

const EXAMPLES: Record<UnitKind, readonly [string, string]> = {
  duration: ['"60ns"', '"1.5us"'],
  frequency: ['"2.6GHz"', '"800MHz"'],
  size: ['"32KiB"', '"4GiB"'],
  bandwidth: ['"6.4GB/s"', '"3200MB/s"'],
};

/** Number followed by an optional unit, with optional blanks in between. */
const QUANTITY_RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(\S.*)?$/;

/** A value as a problem line quotes it: strings in quotes, numbers as they are, "a list" or "a mapping" for collections. */
export function showInput(input: unknown): string {
  if (typeof input === "string") return JSON.stringify(input);
  if (input === undefined) return "nothing";
  if (typeof input === "number" || typeof input === "boolean" || input === null) return String(input);
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a mapping";
  return `a ${typeof input}`;
}

/** "expected a [qualifier] <kind> such as <ex1> or <ex2>" (every kind and qualifier takes "a"). */
function expectedPhrase(kind: UnitKind, qualifier = ""): string {
  const [a, b] = EXAMPLES[kind];
  const q = qualifier ? `${qualifier} ` : "";
  return `expected a ${q}${kind} such as ${a} or ${b}`;
}

function kindOfUnit(unit: string): UnitKind | undefined {
  for (const kind of Object.keys(UNIT_TABLES) as UnitKind[]) {
    if (Object.hasOwn(UNIT_TABLES[kind], unit)) return kind;
  }
  return undefined;
}

/** Whether zero is an acceptable value for a quantity. */
type ZeroPolicy = "allow-zero" | "positive";

/**
 * Parses `input` as a quantity of `kind` into the canonical unit, without
 * range checks beyond finiteness; throws UnitError.
 */
function parseMagnitude(kind: UnitKind, input: unknown): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new UnitError(kind, input, `${expectedPhrase(kind)}, got ${showInput(input)}`);
    return input === 0 ? 0 : input; // normalise -0
  }
  if (input === undefined) {
    throw new UnitError(kind, input, `missing required field (${expectedPhrase(kind)})`);
  }
  if (typeof input !== "string") {
    throw new UnitError(kind, input, `${expectedPhrase(kind)}, got ${showInput(input)}`);
  }
  const m = QUANTITY_RE.exec(input.trim());
  if (!m) throw new UnitError(kind, input, `${expectedPhrase(kind)}, got ${showInput(input)}`);
  const value = Number(m[1]);
  const unit = m[2]?.trim();
  if (unit === undefined) {
    throw new UnitError(kind, input, `${expectedPhrase(kind)}, got ${showInput(input)} (missing unit)`);
  }
  const factor = UNIT_TABLES[kind][unit];
  if (factor === undefined) {
    const other = kindOfUnit(unit);
    if (other !== undefined) {
      throw new UnitError(
        kind,
        input,
        `expected a ${kind} such as ${EXAMPLES[kind][0]}, got a ${other} ${showInput(input)}`,
      );
    }
    const hint = /^cycles?$/.test(unit) ? " (cycle counts are not accepted here)" : "";
    throw new UnitError(kind, input, `${expectedPhrase(kind)}, got ${showInput(input)}${hint}`);
  }
  const result = (value * factor.mul) / factor.div;
  if (!Number.isFinite(result)) throw new UnitError(kind, input, `${kind} ${showInput(input)} is too large`);
  return result === 0 ? 0 : result; // normalise -0
}

function checkRange(kind: UnitKind, input: unknown, value: number, zero: ZeroPolicy): void {
  if (value < 0) {
    throw new UnitError(kind, input, `${expectedPhrase(kind, "non-negative")}, got ${showInput(input)}`);
  }
  if (value === 0 && zero === "positive") {
    throw new UnitError(kind, input, `${expectedPhrase(kind, "positive")}, got ${showInput(input)}`);
  }
}

/** Longest duration accepted: 1 s (the kernel's range is about 75 simulated minutes in all). */
const MAX_DURATION_PS = 1e12;
/** Slowest clock accepted: 1 MHz (a cycle of 1 µs). */
const MIN_FREQUENCY_GHZ = 1e-3;
/** Slowest bandwidth accepted: 1 MB/s. */
const MIN_BANDWIDTH_BYTES_PER_NS = 1e-3;

/** Parses a duration ("60ns", "1.5 us", or a plain number of picoseconds) into integer picoseconds; throws UnitError. */
export function parseDuration(input: unknown): number {
  const raw = parseMagnitude("duration", input);
  checkRange("duration", input, raw, "allow-zero");
  const ps = Math.round(raw);
  if (ps === 0 && raw !== 0) {
    throw new UnitError("duration", input, `duration ${showInput(input)} is below the 1ps resolution`);
  }
  if (!Number.isSafeInteger(ps) || ps > MAX_DURATION_PS) throw new UnitError("duration", input, `duration ${showInput(input)} is too large (at most 1s)`);
  return ps;
}

/** Parses a frequency ("2.6GHz", "800MHz", or a plain number of GHz) into GHz; throws UnitError. */
export function parseFrequency(input: unknown): number {
  const ghz = parseMagnitude("frequency", input);
  checkRange("frequency", input, ghz, "positive");
  if (ghz < MIN_FREQUENCY_GHZ) throw new UnitError("frequency", input, `frequency ${showInput(input)} is too low (at least 1MHz)`);
  return ghz;
}

function parseSizeWith(input: unknown, zero: ZeroPolicy): number {
  const bytes = parseMagnitude("size", input);
  checkRange("size", input, bytes, zero);
  if (!Number.isInteger(bytes)) {
    throw new UnitError("size", input, `size ${showInput(input)} is not a whole number of bytes`);
  }
  if (!Number.isSafeInteger(bytes)) throw new UnitError("size", input, `size ${showInput(input)} is too large`);
  return bytes;
}

/** Parses a positive size ("32KiB", "2KB", "64 B", or a plain number of bytes) into integer bytes; throws UnitError. */
export function parseSize(input: unknown): number {
  return parseSizeWith(input, "positive");
}

/** Like parseSize, but also accepts zero. */
export function parseNonNegativeSize(input: unknown): number {
  return parseSizeWith(input, "allow-zero");
}

/** Parses a bandwidth ("6.4GB/s", "3200MB/s", or a plain number of bytes/ns) into bytes per ns; throws UnitError. */
export function parseBandwidth(input: unknown): number {
  const bpns = parseMagnitude("bandwidth", input);
  checkRange("bandwidth", input, bpns, "positive");
  if (bpns < MIN_BANDWIDTH_BYTES_PER_NS) throw new UnitError("bandwidth", input, `bandwidth ${showInput(input)} is too low (at least 1MB/s)`);
  return bpns;
}

/** The message a parse function would give for `input`, or a generic one when it parses. */
function messageFor(kind: UnitKind, parse: (input: unknown) => number, input: unknown): string {
  try {
    parse(input);
  } catch (e) {
    if (e instanceof UnitError) return e.message;
    throw e;
  }
  return `${expectedPhrase(kind)}, got ${showInput(input)}`;
}

/** Builds a zod schema accepting a number or unit string and producing the canonical number. */
function unitSchema(kind: UnitKind, parse: (input: unknown) => number) {
  return z
    .union([z.number(), z.string()], {
      // Reached for inputs that are neither numbers nor strings, and for NaN / Infinity.
      error: (issue) => messageFor(kind, parse, issue.input),
    })
    .transform((value, ctx): number => {
      try {
        return parse(value);
      } catch (e) {
        if (!(e instanceof UnitError)) throw e;
        ctx.addIssue({ code: "custom", message: e.message, input: value, params: { unitKind: kind } });
        return z.NEVER;
      }
    });
}

/** Zod schema for a duration; output is integer picoseconds (zero allowed). */
export const Duration = unitSchema("duration", parseDuration);

/** Zod schema for a frequency; output is GHz (must be > 0). */
export const Frequency = unitSchema("frequency", parseFrequency);

/** Zod schema for a size; output is integer bytes (must be > 0). */
export const Size = unitSchema("size", parseSize);

/** Zod schema for a size that may be zero; output is integer bytes. */
export const NonNegativeSize = unitSchema("size", parseNonNegativeSize);

/** Zod schema for a bandwidth; output is bytes per ns, i.e. decimal GB/s (must be > 0). */
export const Bandwidth = unitSchema("bandwidth", parseBandwidth);
