/**
 * A lean tag array for GPU caches: set-associative, LRU, one valid and one dirty bit per line, no
 * coherence states (GPU caches are kept consistent by invalidations and write-backs at kernel
 * boundaries). Lines are line numbers (byte address / line size); a bank of an interleaved cache
 * passes `setDivisor` = the bank count so that all its sets are used.
 */
export class GpuCache {
  /** Component path, e.g. `gpu.l2.bank3`. */
  readonly name: string;
  /** Sets. */
  readonly sets: number;
  /** Ways per set. */
  readonly assoc: number;
  /** Line slots in all (sets x assoc). */
  readonly slots: number;
  private readonly setDivisor: number;
  private readonly tags: Float64Array;
  private readonly dirty: Uint8Array;
  private readonly stamps: Float64Array;
  private clock: number;
  /** Line number of the last valid victim `insert` evicted. */
  victimLine: number;
  /** Whether that victim was dirty. */
  victimDirty: boolean;

  constructor(name: string, sizeBytes: number, assoc: number, lineBytes: number, setDivisor = 1) {
    const lines = sizeBytes / lineBytes;
    if (!(Number.isInteger(lines) && assoc >= 1 && lines % assoc === 0)) throw new Error(`${name}: ${sizeBytes} B does not divide into ${assoc}-way sets of ${lineBytes} B lines`);
    this.name = name;
    this.sets = lines / assoc;
    this.assoc = assoc;
    this.slots = lines;
    this.setDivisor = setDivisor;
    this.tags = new Float64Array(lines).fill(-1);
    this.dirty = new Uint8Array(lines);
    this.stamps = new Float64Array(lines);
    this.clock = 0;
    this.victimLine = -1;
    this.victimDirty = false;
  }

  private setBase(line: number): number {
    return (Math.floor(line / this.setDivisor) % this.sets) * this.assoc;
  }

  /** Slot holding `line` and marks it most recently used, or -1. */
  lookup(line: number): number {
    const base = this.setBase(line);
    const end = base + this.assoc;
    const tags = this.tags;
    for (let i = base; i < end; i++) {
      if (tags[i] === line) {
        this.stamps[i] = ++this.clock;
        return i;
      }
    }
    return -1;
  }

  /** Whether a slot holds a dirty line. */
  isDirty(slot: number): boolean {
    return this.dirty[slot] === 1;
  }

  /** Marks a slot's line dirty. */
  markDirty(slot: number): void {
    this.dirty[slot] = 1;
  }

  /** Line number held by a slot, or -1. */
  lineAt(slot: number): number {
    return this.tags[slot];
  }

  /** Clears a slot's dirty bit (its data has been written back). */
  clean(slot: number): void {
    this.dirty[slot] = 0;
  }

  /**
   * Installs `line` (dirty or clean) as most recently used; returns true when a valid line was
   * evicted, whose number and dirtiness are then in `victimLine` / `victimDirty`.
   */
  insert(line: number, dirty: boolean): boolean {
    const base = this.setBase(line);
    const tags = this.tags;
    const end = base + this.assoc;
    let slot = -1;
    let oldest = Infinity;
    for (let i = base; i < end; i++) {
      const t = tags[i];
      if (t === line) {
        slot = i;
        oldest = -1;
        break;
      }
      if (t < 0) {
        if (oldest !== -1) {
          slot = i;
          oldest = -1;
        }
      } else if (this.stamps[i] < oldest) {
        oldest = this.stamps[i];
        slot = i;
      }
    }
    const evicted = oldest !== -1;
    if (evicted) {
      this.victimLine = tags[slot];
      this.victimDirty = this.dirty[slot] === 1;
    }
    const already = tags[slot] === line;
    tags[slot] = line;
    this.dirty[slot] = dirty || (already && this.dirty[slot] === 1) ? 1 : 0;
    this.stamps[slot] = ++this.clock;
    return evicted;
  }

  /** Drops every line (clean or dirty) without write-back. */
  invalidateAll(): void {
    this.tags.fill(-1);
    this.dirty.fill(0);
  }

  /** Valid lines (walks the array). */
  validLines(): number {
    let n = 0;
    for (let i = 0; i < this.slots; i++) if (this.tags[i] >= 0) n++;
    return n;
  }

  /** Dirty lines (walks the array). */
  dirtyLines(): number {
    let n = 0;
    for (let i = 0; i < this.slots; i++) if (this.tags[i] >= 0 && this.dirty[i] === 1) n++;
    return n;
  }
}
