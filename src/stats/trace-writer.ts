/**
 * A timeline of a run in Chrome trace-event JSON (`{"traceEvents": [...]}`), which Perfetto and
 * chrome://tracing open. Components report spans of simulated time; the writer keeps those that
 * overlap a window and writes them all, atomically, when the run ends.
 *
 * Hot paths test `enabled` before building arguments:
 *   if (trace.enabled) trace.span("node0.mc", "read", startPs, now, { bank: 3 });
 */
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { parseDuration } from "../config/units.ts";

/** One complete event ("ph": "X"): a named span of a component, times in microseconds. */
export interface TraceEvent {
  name: string;
  cat: string;
  ph: "X";
  /** Start, in µs of simulated time (fractional: 1 ps = 1e-6 µs). */
  ts: number;
  /** Duration, in µs. */
  dur: number;
  /** Process: the component's top-level part (`node0` of `node0.core1.l1d`). */
  pid: number;
  /** Thread: the component. */
  tid: number;
  args: Record<string, number | string>;
}

/** A metadata event naming a process or thread in the viewer. */
interface NameEvent {
  name: "process_name" | "thread_name";
  ph: "M";
  pid: number;
  tid: number;
  args: { name: string };
}

/** Options of a trace writer. */
export interface TraceOptions {
  /** Keep only spans that overlap [fromPs, toPs] (default: everything). */
  fromPs?: number;
  toPs?: number;
  /** At most this many events are kept; later ones are counted as dropped (default 2,000,000). */
  maxEvents?: number;
}

/** Parses a `--trace-window` value: `FROM..TO` with durations (`10us..20us`; either side may be empty). */
export function parseTraceWindow(text: string): { fromPs?: number; toPs?: number } {
  const at = text.indexOf("..");
  if (at < 0) throw new Error(`expected FROM..TO such as "10us..20us", got "${text}"`);
  const from = text.slice(0, at).trim();
  const to = text.slice(at + 2).trim();
  const out: { fromPs?: number; toPs?: number } = {};
  if (from !== "") out.fromPs = parseDuration(from);
  if (to !== "") out.toPs = parseDuration(to);
  if (out.fromPs !== undefined && out.toPs !== undefined && out.toPs < out.fromPs) throw new Error(`the window ends (${to}) before it starts (${from})`);
  return out;
}

/** Collects spans of simulated time and writes them as Chrome trace-event JSON. */
export class TraceWriter {
  /** False for the disabled writer: callers skip tracing work entirely. */
  readonly enabled: boolean;
  private readonly fromPs: number;
  private readonly toPs: number;
  private readonly maxEvents: number;
  private readonly events: TraceEvent[] = [];
  private readonly pids = new Map<string, number>();
  private readonly tids = new Map<string, { pid: number; tid: number }>();
  private readonly names: NameEvent[] = [];
  /** Spans not kept because the buffer was full. */
  dropped = 0;

  constructor(options: TraceOptions = {}, enabled = true) {
    this.enabled = enabled;
    this.fromPs = options.fromPs ?? 0;
    this.toPs = options.toPs ?? Number.POSITIVE_INFINITY;
    this.maxEvents = options.maxEvents ?? 2_000_000;
  }

  /** A writer that records nothing (its `enabled` is false). */
  static disabled(): TraceWriter {
    return new TraceWriter({}, false);
  }

  /** Events kept so far. */
  get size(): number {
    return this.events.length;
  }

  /**
   * Records that `component` did `name` from `startPs` to `endPs` (simulated picoseconds). Spans
   * outside the window are ignored; `args` become the event's arguments.
   */
  span(component: string, name: string, startPs: number, endPs: number, args?: Record<string, number | string>): void {
    if (!this.enabled || endPs < this.fromPs || startPs > this.toPs) return;
    if (this.events.length >= this.maxEvents) {
      this.dropped++;
      return;
    }
    const ids = this.idsOf(component);
    this.events.push({
      name,
      cat: categoryOf(component),
      ph: "X",
      ts: startPs / 1e6,
      dur: (endPs - startPs) / 1e6,
      pid: ids.pid,
      tid: ids.tid,
      args: args ?? {},
    });
  }

  /** The trace document: metadata naming processes and threads, then the spans in the order recorded. */
  document(): { traceEvents: (TraceEvent | NameEvent)[]; displayTimeUnit: "ns"; otherData: Record<string, number | string> } {
    const otherData: Record<string, number | string> = { timeUnit: "simulated µs", dropped: this.dropped };
    if (this.fromPs > 0) otherData["fromPs"] = this.fromPs;
    if (Number.isFinite(this.toPs)) otherData["toPs"] = this.toPs;
    return { traceEvents: [...this.names, ...this.events], displayTimeUnit: "ns", otherData };
  }

  /**
   * Writes the trace to `file` atomically (a temporary file beside it, renamed at the end), one
   * event per line so large traces are streamed rather than built as one string.
   */
  write(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    const fd = openSync(tmp, "w");
    try {
      const doc = this.document();
      writeSync(fd, '{"traceEvents":[\n');
      const all = doc.traceEvents;
      let chunk = "";
      for (let i = 0; i < all.length; i++) {
        chunk += JSON.stringify(all[i]) + (i + 1 < all.length ? ",\n" : "\n");
        if (chunk.length > 1 << 20) {
          writeSync(fd, chunk);
          chunk = "";
        }
      }
      writeSync(fd, chunk);
      writeSync(fd, `],"displayTimeUnit":"ns","otherData":${JSON.stringify(doc.otherData)}}\n`);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  }

  private idsOf(component: string): { pid: number; tid: number } {
    const known = this.tids.get(component);
    if (known !== undefined) return known;
    const dot = component.indexOf(".");
    const top = dot < 0 ? component : component.slice(0, dot);
    let pid = this.pids.get(top);
    if (pid === undefined) {
      pid = this.pids.size + 1;
      this.pids.set(top, pid);
      this.names.push({ name: "process_name", ph: "M", pid, tid: 0, args: { name: top } });
    }
    const ids = { pid, tid: this.tids.size + 1 };
    this.tids.set(component, ids);
    this.names.push({ name: "thread_name", ph: "M", pid, tid: ids.tid, args: { name: component } });
    return ids;
  }
}

/**
 * The category of a component, shared by every component of its kind: `ht` for the links between
 * sockets and switches (`ht.node0-node1`), the controller for a memory controller and its DRAM
 * channels (`node0.mc`, `node0.mc.ch3` -> `mc`), the owner for a port (`gpu0.rc.port` ->
 * `rc.port`), else the last path part without its index (`node0.core1` -> `core`,
 * `node0.core1.sri` -> `sri`, `node0.core1.l1d` -> `l1d`).
 */
export function categoryOf(component: string): string {
  const parts = component.split(".");
  if (parts.length > 1 && parts[0] === "ht") return "ht";
  if (parts.length > 2 && /^ch\d+$/.test(parts[parts.length - 1]!)) parts.pop();
  const kind = (part: string) => part.replace(/\d+$/, "") || part;
  const last = kind(parts[parts.length - 1]!);
  return last === "port" && parts.length > 2 ? `${kind(parts[parts.length - 2]!)}.port` : last;
}
