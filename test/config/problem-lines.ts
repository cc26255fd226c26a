import { ConfigError } from "../../src/config/errors.ts";

/** Runs `fn`, which must throw a ConfigError, and returns its problem lines. */
export function problemLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.lines();
    throw e;
  }
  throw new Error("expected a ConfigError");
}
