import type { Histogram } from "../../stats/histogram.ts";
import type { Counter } from "../../stats/counter.ts";
import type { StatsRegistry } from "../../stats/registry.ts";

/** A read-only view of simulated time, for formulas evaluated at dump time. */
export interface Clock {
  /** Current tick in picoseconds. */
  readonly now: number;
}

/**
 * The statistics of one channel controller, registered under its name. Counters are bumped on the
 * hot path (`value++`); ratios, bandwidth and time-averaged queue occupancy are formulas.
 */
export class ChannelStats {
  /** Reads accepted. */
  readonly reads: Counter;
  /** Writes accepted. */
  readonly writes: Counter;
  /** Requests that found their row open. */
  readonly rowHits: Counter;
  /** Requests that found their bank closed. */
  readonly rowMisses: Counter;
  /** Requests that found another row open. */
  readonly rowConflicts: Counter;
  /** Read latency from acceptance to the last data beat, in ps. */
  readonly readLatencyPs: Histogram;
  /** Bytes returned by reads. */
  readonly bytesRead: Counter;
  /** Bytes written by WR commands. */
  readonly bytesWritten: Counter;
  /** REF and REFpb commands issued. */
  readonly refreshes: Counter;
  /** ACT commands issued. */
  readonly activations: Counter;
  /** Banks closed (PRE, or each open bank closed by a PREA). */
  readonly precharges: Counter;
  /** Closed rows that had been written while open (for NVM: media writes). */
  readonly rowWritebacks: Counter;
  /** Times the write queue reached its high watermark and a drain began. */
  readonly writeDrains: Counter;
  /** Requests refused because a queue was full (back-pressure). */
  readonly refused: Counter;
  /** Integral of read-queue occupancy over time, in request-ps. */
  readonly readQueueIntegral: Counter;
  /** Integral of write-queue occupancy over time, in request-ps. */
  readonly writeQueueIntegral: Counter;

  constructor(stats: StatsRegistry, name: string, clock: Clock) {
    const c = (leaf: string, unit: string, desc: string): Counter => stats.counter(`${name}.${leaf}`, unit, desc);
    this.reads = c("reads", "count", "reads accepted");
    this.writes = c("writes", "count", "writes accepted (posted)");
    this.rowHits = c("rowHits", "count", "requests that found their row open");
    this.rowMisses = c("rowMisses", "count", "requests that found their bank precharged (ACT needed)");
    this.rowConflicts = c("rowConflicts", "count", "requests that found another row open (PRE and ACT needed)");
    this.readLatencyPs = stats.histogram(`${name}.readLatencyPs`, "ps", "read latency from acceptance to the last data beat");
    this.bytesRead = c("bytesRead", "bytes", "bytes returned by reads");
    this.bytesWritten = c("bytesWritten", "bytes", "bytes written by WR commands");
    this.refreshes = c("refreshes", "count", "REF and REFpb commands issued");
    this.activations = c("activations", "count", "ACT commands issued");
    this.precharges = c("precharges", "count", "banks closed by PRE or PREA");
    this.rowWritebacks = c("rowWritebacks", "count", "closed rows that had been written while open (NVM: media writes)");
    this.writeDrains = c("writeDrains", "count", "write-queue drains started at the high watermark");
    this.refused = c("refused", "count", "requests refused because a queue was full");
    this.readQueueIntegral = c("readQueueIntegral", "request*ps", "read-queue occupancy integrated over time");
    this.writeQueueIntegral = c("writeQueueIntegral", "request*ps", "write-queue occupancy integrated over time");
    const f = (leaf: string, unit: string, desc: string, fn: () => number): void => {
      stats.formula(`${name}.${leaf}`, unit, desc, fn);
    };
    f("rowHitRate", "ratio", "row hits over all requests classified", () => this.rowHits.value / (this.rowHits.value + this.rowMisses.value + this.rowConflicts.value));
    f("bandwidthGBs", "GB/s", "bytes read and written over simulated time", () => ((this.bytesRead.value + this.bytesWritten.value) * 1000) / clock.now);
    f("readQueueOccupancy", "requests", "time-averaged read-queue occupancy", () => this.readQueueIntegral.value / clock.now);
    f("writeQueueOccupancy", "requests", "time-averaged write-queue occupancy", () => this.writeQueueIntegral.value / clock.now);
  }
}
