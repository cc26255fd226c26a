import { RngStream } from "../../kernel/rng.ts";

/** A list of memory requests in issue order, as parallel typed arrays (a million requests cost 17 MB, not a million objects). */
export interface RequestTrace {
  /** Byte address of each request. */
  addrs: Float64Array;
  /** 1 for a write, 0 for a read. */
  writes: Uint8Array;
  /** Memory-clock cycle at which each request is offered (0: as soon as possible). */
  cycles: Float64Array;
  /** Number of requests. */
  length: number;
}

/** An empty trace with room for `n` requests. */
export function allocateTrace(n: number): RequestTrace {
  return { addrs: new Float64Array(n), writes: new Uint8Array(n), cycles: new Float64Array(n), length: n };
}

/** Options of the synthetic traces. */
export interface SyntheticTraceOptions {
  /** Fraction of writes, drawn at random per request (default 0: all reads). */
  writeFraction?: number;
  /** Seed of the run; the stream is named after the pattern (default 1). */
  seed?: number;
  /** First address (sequential) or base of the range (random); default 0. */
  baseAddr?: number;
  /** Bytes between consecutive requests (sequential; default 64). */
  strideBytes?: number;
  /** Span the random addresses are drawn from, in bytes (random; default 1 GiB). */
  rangeBytes?: number;
  /** Request size that random addresses are aligned to (default 64). */
  lineBytes?: number;
}

/** `n` requests at consecutive lines, all offered at cycle 0 (so they issue as fast as the memory takes them). */
export function sequentialTrace(n: number, o: SyntheticTraceOptions = {}): RequestTrace {
  const t = allocateTrace(n);
  const stride = o.strideBytes ?? 64;
  const base = o.baseAddr ?? 0;
  const wf = o.writeFraction ?? 0;
  const rng = wf > 0 ? new RngStream(o.seed ?? 1, "dram.sequential") : null;
  for (let i = 0; i < n; i++) {
    t.addrs[i] = base + i * stride;
    t.writes[i] = rng !== null && rng.next() < wf ? 1 : 0;
  }
  return t;
}

/** `n` requests at uniformly random lines of a range, all offered at cycle 0. */
export function randomTrace(n: number, o: SyntheticTraceOptions = {}): RequestTrace {
  const t = allocateTrace(n);
  const line = o.lineBytes ?? 64;
  const lines = Math.floor((o.rangeBytes ?? 2 ** 30) / line);
  const base = o.baseAddr ?? 0;
  const wf = o.writeFraction ?? 0;
  const rng = new RngStream(o.seed ?? 1, "dram.random");
  for (let i = 0; i < n; i++) {
    t.addrs[i] = base + rng.int(lines) * line;
    t.writes[i] = wf > 0 && rng.next() < wf ? 1 : 0;
  }
  return t;
}
