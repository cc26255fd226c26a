import { readFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import { suggestKey } from "../../config/errors.ts";
import { DRAM_SPEC_FIELDS, DramSpec, resolveDramParams, type DramSpecInput } from "../../mem/dram/dram-spec.ts";
import { countEarlierCycles, parseTrace, runTrace, TraceFormatError, type TraceResult } from "../../mem/dram/trace-frontend.ts";

/** Options of `hopsim dram`. */
export interface DramArgs {
  /** Preset name. */
  preset: string;
  /** DRAMsim3-format trace file. */
  trace: string;
  /** `key=value` overrides of preset fields. */
  set: string[];
  /** Print the figures as one JSON object. */
  json: boolean;
  /** Check every command against the protocol rules. */
  check: boolean;
}

/** Where the command writes: one call per line. */
export interface DramIO {
  /** Writes a line of results. */
  out: (line: string) => void;
  /** Writes a line of diagnostics. */
  err: (line: string) => void;
}

const consoleIO: DramIO = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

/** Fields the one-channel trace front end ignores, so `--set` refuses them. */
const ONE_CHANNEL_IGNORED: readonly string[] = ["channels"];

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Builds the spec from the preset and `--set` pairs; returns problems as printable lines instead when it cannot. */
function specFrom(a: DramArgs): { spec: DramSpecInput } | { problems: string[] } {
  const raw: Record<string, unknown> = { preset: a.preset };
  const problems: string[] = [];
  for (const s of a.set) {
    const eq = s.indexOf("=");
    const key = eq < 0 ? "" : s.slice(0, eq).trim();
    if (key === "") {
      problems.push(`--set ${JSON.stringify(s)}: expected key=value`);
      continue;
    }
    if (key === "preset" || !DRAM_SPEC_FIELDS.includes(key)) {
      const hint = suggestKey(key, DRAM_SPEC_FIELDS);
      problems.push(`--set ${JSON.stringify(s)}: unknown DRAM field "${key}"${hint !== undefined ? ` (did you mean "${hint}"?)` : ""}`);
      continue;
    }
    if (ONE_CHANNEL_IGNORED.includes(key)) {
      problems.push(`--set ${JSON.stringify(s)}: the trace front end plays one channel, so "${key}" cannot be set`);
      continue;
    }
    const text = s.slice(eq + 1).trim();
    raw[key] = NUMBER_RE.test(text) ? Number(text) : text;
  }
  if (problems.length > 0) return { problems };
  const r = DramSpec.safeParse(raw);
  if (!r.success) {
    return {
      problems: r.error.issues.map((i) => {
        const field = i.path.join(".");
        return field === "preset" ? `--preset: ${i.message}` : `--set ${field}: ${i.message}`;
      }),
    };
  }
  return { spec: r.data };
}

/** The figures as the JSON object `--json` prints (exactly these keys). */
export function dramJson(r: TraceResult): Record<string, number> {
  return {
    avgReadLatencyCycles: r.avgReadLatencyCycles,
    avgReadLatencyNs: r.avgReadLatencyNs,
    p99ReadLatencyNs: r.p99ReadLatencyNs,
    bandwidthGBs: r.bandwidthGBs,
    rowHitRate: r.rowHitRate,
    reads: r.reads,
    writes: r.writes,
  };
}

/** A human-readable table of the figures. */
export function formatDramTable(preset: string, file: string, r: TraceResult): string[] {
  const rows: Array<[string, string]> = [
    ["reads", String(r.reads)],
    ["writes", String(r.writes)],
    ["avg read latency", `${r.avgReadLatencyCycles.toFixed(1)} cycles  ${r.avgReadLatencyNs.toFixed(2)} ns`],
    ["p99 read latency", `${r.p99ReadLatencyNs.toFixed(2)} ns`],
    ["bandwidth", `${r.bandwidthGBs.toFixed(3)} GB/s  (${r.finishNs.toFixed(1)} ns to finish)`],
    ["row-buffer hit rate", `${(r.rowHitRate * 100).toFixed(1)} %`],
  ];
  if (r.checked) rows.push(["protocol check", r.violations.length === 0 ? "clean" : `${r.violations.length} violation(s)`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return [`${preset}, one channel, trace ${file}`, ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)];
}

/**
 * Runs `hopsim dram`: plays a DRAMsim3 trace against one channel of a preset and prints the
 * figures. Returns the exit code: 0, 1 if `--check` found violations, 2 for bad input (one line
 * each on `io.err`, no stack trace).
 */
export function runDram(a: DramArgs, io: DramIO = consoleIO): number {
  const built = specFrom(a);
  if ("problems" in built) {
    for (const l of built.problems) io.err(l);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(a.trace, "utf8");
  } catch (e) {
    io.err(`${a.trace}: cannot read the trace (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return 2;
  }
  let trace;
  try {
    trace = parseTrace(text, a.trace);
  } catch (e) {
    if (e instanceof TraceFormatError) {
      io.err(e.message);
      return 2;
    }
    throw e;
  }
  if (trace.length === 0) {
    io.err(`${a.trace}: the trace has no requests`);
    return 2;
  }
  const earlier = countEarlierCycles(trace);
  if (earlier > 0) io.err(`${a.trace}: warning: ${earlier} request${earlier === 1 ? " has a cycle" : "s have cycles"} earlier than the request before; requests are issued in file order`);
  const params = resolveDramParams(DramSpec.parse(built.spec));
  const r = runTrace(params, trace, { check: a.check });
  if (a.json) io.out(JSON.stringify(dramJson(r)));
  else for (const l of formatDramTable(a.preset, a.trace, r)) io.out(l);
  if (r.violations.length > 0) {
    for (const l of r.violations) io.err(l);
    return 1;
  }
  return 0;
}

/** The yargs definition of `hopsim dram`. */
export const dramCommand: CommandModule<object, DramArgs> = {
  command: "dram",
  describe: "Play a DRAMsim3 trace against one memory channel and report latency, bandwidth and row hits",
  builder: (y) =>
    y
      .option("preset", { type: "string", demandOption: true, describe: "memory preset (ddr4-2400, hbm2, nvm-optane, ...)" })
      .option("trace", { type: "string", demandOption: true, describe: 'trace file: lines "<hex address> READ|WRITE <cycle>"' })
      .option("set", { type: "string", array: true, default: [], describe: "override a preset field, e.g. tCL=20 or pagePolicy=closed (repeatable)" })
      .option("json", { type: "boolean", default: false, describe: "print the figures as one JSON object" })
      .option("check", { type: "boolean", default: false, describe: "check every command against the DRAM protocol rules" }) as never,
  handler: (a) => {
    const code = runDram({ preset: a.preset, trace: a.trace, set: a.set ?? [], json: a.json, check: a.check });
    if (code !== 0) process.exitCode = code;
  },
};
