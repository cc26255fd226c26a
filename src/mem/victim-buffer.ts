import { IntTable } from "../kernel/int-table.ts";

/** `VictimBuffer.remove`: no write-back of the line was held. */
export const NOT_HELD = 0;
/** `VictimBuffer.remove`: the write-back was held; its data is to be written. */
export const HELD = 1;
/** `VictimBuffer.remove`: the write-back was held, but someone else took its data on (drop it). */
export const CANCELLED = 2;

/**
 * Dirty lines that have left a cache but not yet reached memory (a core's write-backs on their
 * way to its northbridge, a node's waiting for their home's turn): probes and the shared cache
 * look here, so the data is never out of sight. Given line byte addresses; a line may have
 * several write-backs held, oldest first. When another agent takes the data on (an invalidating
 * probe hands it to a new owner, a shared cache's eviction takes it home), the write-backs held
 * are cancelled: they must not reach memory after newer data. With value tracking on it also
 * keeps the version of each one's data. Internally keyed by line number.
 */
export class VictimBuffer {
  /** 1 / line size: a line's byte address times it is the line number. */
  private readonly perLine: number;
  private readonly count = new IntTable();
  /** Of `count`, how many (the oldest) are cancelled. */
  private readonly cancelled = new IntTable();
  private versions: Map<number, number[]> | null = null;
  /** Version of the data of the write-back the last `remove` took (0 when versions are not kept). */
  removedVersion = 0;

  constructor(lineBytes: number) {
    if (!(lineBytes > 0 && Number.isInteger(Math.log2(lineBytes)))) throw new Error(`victim buffer: line size ${lineBytes} is not a power of two`);
    this.perLine = 1 / lineBytes;
  }

  /** Write-backs held (distinct lines). */
  get size(): number {
    return this.count.size;
  }

  /** Starts keeping each write-back's data version (value tracking of `--check`). */
  trackVersions(): void {
    this.versions ??= new Map();
  }

  /** A write-back of `addr` with data of `version` is held. */
  add(addr: number, version: number): void {
    const line = addr * this.perLine;
    this.count.addTo(line, 1);
    if (this.versions !== null) {
      const v = this.versions.get(line);
      if (v === undefined) this.versions.set(line, [version]);
      else v.push(version);
    }
  }

  /** Every write-back of `addr` held now has had its data taken on by someone else. */
  cancel(addr: number): void {
    const line = addr * this.perLine;
    const n = this.count.get(line, 0);
    if (n > 0) this.cancelled.set(line, n);
  }

  /** Takes the oldest write-back of `addr`: HELD, CANCELLED or NOT_HELD (its version in `removedVersion`). */
  remove(addr: number): number {
    const line = addr * this.perLine;
    if (this.count.takeOne(line) === 0) return NOT_HELD;
    if (this.versions !== null) {
      const v = this.versions.get(line) as number[];
      this.removedVersion = v.shift() as number;
      if (v.length === 0) this.versions.delete(line);
    }
    return this.cancelled.takeOne(line) === 0 ? HELD : CANCELLED;
  }

  /** True while a write-back of `addr` is held. */
  holds(addr: number): boolean {
    return this.count.has(addr * this.perLine);
  }

  /** Version of the newest held write-back of `addr` (0 when versions are not kept). */
  versionOf(addr: number): number {
    const v = this.versions?.get(addr * this.perLine);
    return v === undefined ? 0 : v[v.length - 1];
  }
}
