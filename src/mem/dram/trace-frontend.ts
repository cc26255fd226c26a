import { Simulator } from "../../kernel/simulator.ts";
import { StatsRegistry } from "../../stats/registry.ts";
import { DirectConnection } from "./direct-connection.ts";
import { DramController } from "./dram-controller.ts";
import type { DramParams } from "./dram-params.ts";
import { ProtocolChecker } from "./protocol-checker.ts";
import { RequestPlayer } from "./request-player.ts";
import { allocateTrace, type RequestTrace } from "./request-trace.ts";

/** A trace line that is not `<hex address> READ|WRITE <cycle>`. */
export class TraceFormatError extends Error {
  /** Trace file name as given. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;

  constructor(file: string, line: number, text: string) {
    super(`${file}:${line}: expected "<hex address> READ|WRITE <cycle>", got ${JSON.stringify(text.trim())}`);
    this.name = "TraceFormatError";
    this.file = file;
    this.line = line;
  }
}

const LINE_RE = /^\s*(?:0[xX])?([0-9a-fA-F]+)\s+(READ|WRITE)\s+(\d+)\s*$/;

/**
 * Parses a DRAMsim3 trace: one request per line, `0x1f40 READ 120` (hex address, READ or WRITE,
 * the memory-clock cycle at which it is issued). Blank lines and lines starting with `#` are
 * skipped. Throws TraceFormatError naming the first bad line.
 */
export function parseTrace(text: string, file: string): RequestTrace {
  const lines = text.split("\n");
  const t = allocateTrace(lines.length);
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const m = LINE_RE.exec(line);
    if (m === null) throw new TraceFormatError(file, i + 1, line);
    const addr = Number.parseInt(m[1], 16);
    const cycle = Number(m[3]);
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(cycle)) throw new TraceFormatError(file, i + 1, line);
    t.addrs[n] = addr;
    t.writes[n] = m[2] === "WRITE" ? 1 : 0;
    t.cycles[n] = cycle;
    n++;
  }
  return { addrs: t.addrs.subarray(0, n), writes: t.writes.subarray(0, n), cycles: t.cycles.subarray(0, n), length: n };
}

/** How many requests have a cycle earlier than the request before them (DRAMsim3 and the player issue such a request at once, in file order). */
export function countEarlierCycles(trace: RequestTrace): number {
  let n = 0;
  for (let i = 1; i < trace.length; i++) if (trace.cycles[i] < trace.cycles[i - 1]) n++;
  return n;
}

/** What playing a trace against one channel measured. */
export interface TraceResult {
  /** Mean read latency, acceptance by the controller to the last data beat, in memory cycles. */
  avgReadLatencyCycles: number;
  /** The same in ns. */
  avgReadLatencyNs: number;
  /** 99th-percentile read latency in ns (histogram, within 1.6 %). */
  p99ReadLatencyNs: number;
  /** Bytes moved over the time to finish the trace (last response or last data burst), in GB/s. */
  bandwidthGBs: number;
  /** Row hits over all requests. */
  rowHitRate: number;
  /** Reads in the trace. */
  reads: number;
  /** Writes in the trace. */
  writes: number;
  /** Time to finish the trace in ns. */
  finishNs: number;
  /** Protocol violations found (empty unless checking). */
  violations: string[];
  /** True if the protocol checker was attached. */
  checked: boolean;
}

/** Options of runTrace. */
export interface RunTraceOptions {
  /** Attach a ProtocolChecker. */
  check?: boolean;
}

/**
 * Plays a trace against one channel's controller (the parameters' channel count is ignored: a
 * DRAMsim3 trace addresses one channel), requests of `lineBytes` each, and measures it.
 */
export function runTrace(params: DramParams, trace: RequestTrace, options: RunTraceOptions = {}): TraceResult {
  const p: DramParams = { ...params, channels: 1 };
  const sim = new Simulator();
  const stats = new StatsRegistry();
  const checker = options.check === true ? new ProtocolChecker(p) : null;
  const ctrl = new DramController(sim, stats, "dram", p, { observers: checker !== null ? [checker] : [] });
  const player = new RequestPlayer(sim, "trace", trace, p.tCKps, p.lineBytes);
  new DirectConnection(player.port, ctrl.port);
  player.start();
  sim.run();
  if (!player.done) throw new Error(`dram trace: only ${player.completed} of ${trace.length} requests completed`);
  const finish = Math.max(player.lastResponseTick, ctrl.lastDataEndTick);
  const h = ctrl.stats.readLatencyPs;
  return {
    avgReadLatencyCycles: h.mean / p.tCKps,
    avgReadLatencyNs: h.mean / 1000,
    p99ReadLatencyNs: h.percentile(99) / 1000,
    bandwidthGBs: finish > 0 ? (trace.length * p.lineBytes * 1000) / finish : 0,
    rowHitRate: stats.value("dram.rowHitRate"),
    reads: player.readsDone,
    writes: player.writesDone,
    finishNs: finish / 1000,
    violations: checker !== null ? checker.report() : [],
    checked: checker !== null,
  };
}
