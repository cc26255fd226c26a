/** Simulated time: an integer number of picoseconds. */
export type Tick = number;

/** Picoseconds in one nanosecond. */
export const PS_PER_NS = 1000;
/** Picoseconds in one microsecond. */
export const PS_PER_US = 1_000_000;
/** Picoseconds in one millisecond. */
export const PS_PER_MS = 1_000_000_000;
/** Picoseconds in one second. */
export const PS_PER_S = 1_000_000_000_000;

/** Largest tick the kernel accepts: below 2^52 so tick / width stays exact in a double (about 75 minutes). */
export const MAX_TICK: Tick = 2 ** 52;

/** Converts nanoseconds to ticks, rounding to the nearest picosecond. */
export function nsToTicks(ns: number): Tick {
  return Math.round(ns * PS_PER_NS);
}

/** Converts ticks to nanoseconds (a float, for reports). */
export function ticksToNs(ticks: Tick): number {
  return ticks / PS_PER_NS;
}
