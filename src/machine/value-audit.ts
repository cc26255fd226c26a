import { describeDataSource } from "../mem/data-source.ts";
import { InvariantError } from "./invariant-error.ts";

/**
 * The value check of `--check`: every store that completes into a cache, and every whole-line
 * I/O write, makes a new version of its line from one global counter; versions travel with the
 * data (packets, cache slots, memories); each coherent read compares the version it receives
 * with the line's latest committed one, and a stale read stops the run naming the reader, the
 * tick, the line, both versions and where the stale data came from.
 *
 * Not checked, by design: no-snoop DMA reads (the driver flushes the caches first), a GPU's own
 * caches and its writes to device memory, and unified-memory or explicit copies between host and
 * device memory, which the model declares non-coherent.
 */
export class ValueAudit {
  /** Line size in bytes (messages name byte addresses). */
  readonly lineBytes: number;
  /** Reads checked so far. */
  readsChecked = 0;
  /** Versions made so far (stores and whole-line I/O writes). */
  versionsMade = 0;
  /** Latest committed version of each line (by line number); absent lines are at version 0. */
  private readonly latest = new Map<number, number>();
  /** Who made each version, and when (index: version). */
  private readonly madeBy: string[] = [""];
  private readonly madeAtPs: number[] = [0];

  constructor(lineBytes: number) {
    this.lineBytes = lineBytes;
  }

  /** A new version made by `who` at `tick`; it becomes a line's latest only through `commit`. */
  make(who: string, tick: number): number {
    const v = ++this.versionsMade;
    this.madeBy.push(who);
    this.madeAtPs.push(tick);
    return v;
  }

  /** Records `version` as the latest committed data of `line` (a line number). */
  commit(line: number, version: number): void {
    this.latest.set(line, version);
  }

  /** A store by `who` completed into its cache at `tick`: makes, commits and returns a new version of `line`. */
  store(who: string, line: number, tick: number): number {
    const v = this.make(who, tick);
    this.latest.set(line, v);
    return v;
  }

  /** Latest committed version of `line` (0: never written). */
  latestOf(line: number): number {
    return this.latest.get(line) ?? 0;
  }

  /**
   * `who` reads version `version` of `line` at `tick`; `how` names the access and `from` is a
   * data-source code (mem/data-source.ts) or -1. Throws an InvariantError unless it is the latest.
   */
  read(who: string, line: number, version: number, tick: number, how: string, from = -1): void {
    this.readsChecked++;
    const latest = this.latest.get(line) ?? 0;
    if (version === latest) return;
    const source = from >= 0 ? ` from ${describeDataSource(from)}` : "";
    throw new InvariantError(
      who,
      tick,
      `stale read: ${how} of line 0x${(line * this.lineBytes).toString(16)} saw version ${version}${source}${this.origin(version)}, but the latest is version ${latest}${this.origin(latest)}`,
    );
  }

  /** Who wrote a version and when, for messages. */
  private origin(v: number): string {
    if (v === 0) return " (never written)";
    if (v > 0 && v < this.madeBy.length) return ` (written by ${this.madeBy[v]} at ${this.madeAtPs[v]} ps)`;
    return "";
  }
}
