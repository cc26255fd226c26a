import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  Bandwidth,
  Duration,
  Frequency,
  NonNegativeSize,
  Size,
  UnitError,
  parseBandwidth,
  parseDuration,
  parseFrequency,
  parseSize,
} from "../../src/config/units.ts";

/** The messages of a failed parse. */
function messages(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => i.message);
}

describe("durations", () => {
  it("converts nanoseconds to integer picoseconds", () => {
    expect(parseDuration("60ns")).toBe(60_000);
  });

  it("accepts a blank between number and unit and fractional values", () => {
    expect(parseDuration("1.5 us")).toBe(1_500_000);
  });

  it("converts ps, ms and s", () => {
    expect(parseDuration("100ps")).toBe(100);
    expect(parseDuration("2ms")).toBe(2_000_000_000);
    expect(parseDuration("1s")).toBe(1_000_000_000_000);
  });

  it("rounds to the nearest picosecond", () => {
    expect(parseDuration("0.0016ns")).toBe(2);
  });

  it("takes a plain number as picoseconds", () => {
    expect(Duration.parse(250)).toBe(250);
  });

  it("allows zero", () => {
    expect(Duration.parse("0ns")).toBe(0);
    expect(Duration.parse(0)).toBe(0);
  });

  it("rejects cycles", () => {
    expect(() => parseDuration("12cycles")).toThrow(UnitError);
  });

  it("rejects an unknown unit with an example", () => {
    expect(messages(Duration, "60 furlongs")).toEqual([
      'expected a duration such as "60ns" or "1.5us", got "60 furlongs"',
    ]);
  });

  it("says so when given a frequency", () => {
    expect(messages(Duration, "2GHz")).toEqual(['expected a duration such as "60ns", got a frequency "2GHz"']);
  });

  it("rejects a number string without a unit", () => {
    expect(messages(Duration, "60")[0]).toMatch(/missing unit/);
  });

  it("rejects negatives", () => {
    expect(messages(Duration, "-5ns")[0]).toMatch(/^expected a non-negative duration/);
    expect(messages(Duration, -1)[0]).toMatch(/non-negative/);
  });
});

describe("frequencies", () => {
  it("converts to GHz", () => {
    expect(parseFrequency("2.6GHz")).toBe(2.6);
    expect(parseFrequency("800MHz")).toBe(0.8);
    expect(parseFrequency("1000kHz")).toBe(0.001);
    expect(parseFrequency("1e9Hz")).toBe(1);
  });

  it("takes a plain number as GHz", () => {
    expect(Frequency.parse(3.1)).toBe(3.1);
  });

  it("rejects zero", () => {
    expect(messages(Frequency, "0GHz")[0]).toMatch(/^expected a positive frequency/);
  });

  it("says so when given a size", () => {
    expect(messages(Frequency, "32KiB")).toEqual([
      'expected a frequency such as "2.6GHz", got a size "32KiB"',
    ]);
  });
});

describe("sizes", () => {
  it("converts binary units", () => {
    expect(parseSize("32KiB")).toBe(32_768);
    expect(parseSize("1MiB")).toBe(1_048_576);
    expect(parseSize("4GiB")).toBe(4 * 1024 ** 3);
  });

  it("converts decimal units and bytes", () => {
    expect(parseSize("2KB")).toBe(2000);
    expect(parseSize("64B")).toBe(64);
    expect(parseSize("512 B")).toBe(512);
  });

  it("is strict about unit spelling", () => {
    expect(() => parseSize("32K")).toThrow(UnitError);
    expect(() => parseSize("32kib")).toThrow(UnitError);
  });

  it("rejects fractional bytes", () => {
    expect(messages(Size, "1.5B")[0]).toMatch(/whole number of bytes/);
    expect(messages(Size, 10.5)[0]).toMatch(/whole number of bytes/);
  });

  it("rejects zero unless non-negative sizes are asked for", () => {
    expect(messages(Size, "0B")[0]).toMatch(/^expected a positive size/);
    expect(NonNegativeSize.parse("0B")).toBe(0);
  });

  it("says so when given a bandwidth", () => {
    expect(messages(Size, "6.4GB/s")).toEqual(['expected a size such as "32KiB", got a bandwidth "6.4GB/s"']);
  });
});

describe("bandwidths", () => {
  it("converts GB/s to bytes per ns", () => {
    expect(parseBandwidth("6.4GB/s")).toBe(6.4);
    expect(parseBandwidth("3.2 GB/s")).toBe(3.2);
    expect(parseBandwidth("25.6 GB/s")).toBe(25.6);
  });

  it("converts MB/s, TB/s and binary units", () => {
    expect(parseBandwidth("3200MB/s")).toBe(3.2);
    expect(parseBandwidth("1.5TB/s")).toBe(1500);
    expect(parseBandwidth("1GiB/s")).toBeCloseTo(1.073741824, 12);
  });

  it("takes a plain number as bytes per ns", () => {
    expect(Bandwidth.parse(12.8)).toBe(12.8);
  });

  it("rejects bits per second", () => {
    expect(() => parseBandwidth("800Mbit/s")).toThrow(UnitError);
  });

  it("says so when given a duration", () => {
    expect(messages(Bandwidth, "60ns")).toEqual(['expected a bandwidth such as "6.4GB/s", got a duration "60ns"']);
  });
});

describe("non-finite and non-numeric input", () => {
  it("rejects NaN with the unit message", () => {
    expect(messages(Frequency, Number.NaN)).toEqual([
      'expected a frequency such as "2.6GHz" or "800MHz", got NaN',
    ]);
  });

  it("rejects Infinity", () => {
    expect(messages(Bandwidth, Number.POSITIVE_INFINITY)[0]).toMatch(/got Infinity$/);
  });

  it("rejects a boolean with the unit message", () => {
    expect(messages(Size, true)).toEqual(['expected a size such as "32KiB" or "4GiB", got true']);
  });

  it("makes the plain parse functions throw UnitError with the same message", () => {
    expect(() => parseDuration("2GHz")).toThrow('expected a duration such as "60ns", got a frequency "2GHz"');
  });
});
