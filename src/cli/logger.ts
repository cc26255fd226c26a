import pino, { type Logger } from "pino";

/** Log levels accepted by --log-level. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** How a level is named in a log line. */
const LEVEL_WORDS: Record<string, string> = { warn: "warning" };

/** Fields of pino's record that the line shows in its own way (or not at all). */
const RECORD_KEYS = new Set(["level", "time", "msg", "pid", "hostname"]);

/** `key=value`, the value quoted only when it has spaces, quotes or `=` (objects as JSON). */
function field(key: string, value: unknown): string {
  if (typeof value === "object" && value !== null && "message" in value && typeof value.message === "string") return `${key}=${JSON.stringify(value.message)}`;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `${key}=${typeof value === "string" && (text === "" || /[\s"=]/.test(text)) ? JSON.stringify(text) : text}`;
}

/** Formats one pino JSON record as a line a person reads: `hopsim: info: running machine=k8 seed=1`. */
export function formatLogLine(record: string): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(record) as Record<string, unknown>;
  } catch {
    return `hopsim: ${record.trim()}`;
  }
  const label = typeof r["level"] === "number" ? (pino.levels.labels[r["level"]] ?? String(r["level"])) : String(r["level"]);
  const fields = Object.entries(r).filter(([k]) => !RECORD_KEYS.has(k)).map(([k, v]) => field(k, v));
  const msg = typeof r["msg"] === "string" ? r["msg"] : "";
  return [`hopsim: ${LEVEL_WORDS[label] ?? label}:`, ...(msg === "" ? [] : [msg]), ...fields].join(" ");
}

/** A pino logger writing plain lines (formatLogLine) to `write`, by default stderr (stdout is kept for results and --json). */
export function makeLogger(level: string, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  return pino({ level, base: undefined, timestamp: false }, { write: (s: string) => write(formatLogLine(s)) });
}
