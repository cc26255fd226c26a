import pino, { type Logger } from "pino";

/** Log levels accepted by --log-level. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A pino logger writing to stderr (stdout is kept for results and --json). */
export function makeLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}
