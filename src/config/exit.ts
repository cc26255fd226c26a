/**
 * CLI helper: report configuration errors as plain lines and exit code 2
 * instead of a stack trace.
 */
import { ConfigError } from "./errors.ts";
import { UnitError } from "./units.ts";
import { TickLimitError } from "../kernel/simulator.ts";
import { OutOfMemoryError } from "../vm/address-space.ts";

/** Exit code used when a configuration is invalid. */
export const CONFIG_ERROR_EXIT_CODE = 2;

/** Where runWithConfigErrors writes problem lines (stderr by default). */
export interface LineSink {
  /** Writes a chunk of text. */
  write(text: string): unknown;
}

/**
 * Runs `fn`; on ConfigError or UnitError writes one line per problem to
 * stderr, sets `process.exitCode = 2` and resolves to undefined. Other errors propagate.
 */
export async function runWithConfigErrors<T>(
  fn: () => T | Promise<T>,
  sink: LineSink = process.stderr,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    let lines: string[];
    if (e instanceof ConfigError) lines = e.lines();
    else if (e instanceof UnitError) lines = [e.message];
    // What the inputs asked for cannot be simulated: said in one line, not a stack trace.
    else if (e instanceof TickLimitError || e instanceof OutOfMemoryError) lines = [`hopsim: ${e.message}`];
    else throw e;
    for (const line of lines) sink.write(`${line}\n`);
    process.exitCode = CONFIG_ERROR_EXIT_CODE;
    return undefined;
  }
}
