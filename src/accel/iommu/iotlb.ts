/**
 * A set-associative translation cache that keeps the physical page base with each entry (an
 * IOTLB): tag = virtual page number at one of the page sizes it holds (4 KiB, 2 MiB, 1 GiB), LRU
 * replacement within a set. Unlike the CPU-side TlbArray it returns the cached physical address,
 * so an entry left stale by a deferred invalidation still answers with the old frame.
 */
export class Iotlb {
  /** Component path, e.g. `iommu.iotlb`. */
  readonly name: string;
  /** Entries in all. */
  readonly entries: number;
  /** Ways per set (`assoc === entries`: fully associative). */
  readonly assoc: number;
  /** Page shifts held, smallest first, e.g. [12, 21, 30]. */
  readonly shifts: readonly number[];
  /** Page shift of the last hit (valid after `lookup` returned >= 0). */
  hitShift: number;
  private readonly sets: number;
  // tag = page number * 64 + shift, -1 when empty; pa = physical page base.
  private readonly tag: Float64Array;
  private readonly pa: Float64Array;
  private readonly stamp: Float64Array;
  private clock: number;

  constructor(name: string, entries: number, assoc: number, shifts: readonly number[]) {
    if (entries <= 0 || assoc <= 0 || entries % assoc !== 0) throw new Error(`${name}: ${entries} entries do not divide into ${assoc}-way sets`);
    this.name = name;
    this.entries = entries;
    this.assoc = assoc;
    this.shifts = shifts.slice().sort((a, b) => a - b);
    this.hitShift = 0;
    this.sets = entries / assoc;
    this.tag = new Float64Array(entries).fill(-1);
    this.pa = new Float64Array(entries);
    this.stamp = new Float64Array(entries);
    this.clock = 0;
  }

  /** Physical page base cached for `va` (touching the entry; its shift in `hitShift`), or -1. */
  lookup(va: number): number {
    for (let k = 0; k < this.shifts.length; k++) {
      const shift = this.shifts[k];
      const page = Math.floor(va / 2 ** shift);
      const t = page * 64 + shift;
      const base = (page % this.sets) * this.assoc;
      for (let w = base; w < base + this.assoc; w++) {
        if (this.tag[w] === t) {
          this.stamp[w] = ++this.clock;
          this.hitShift = shift;
          return this.pa[w];
        }
      }
    }
    return -1;
  }

  /** Installs the page of 2^`shift` bytes holding `va` at physical base `pa` (a size it does not hold is splintered to the largest smaller one). */
  insert(va: number, pa: number, shift: number): void {
    let s = -1;
    for (const x of this.shifts) if (x <= shift) s = x;
    if (s < 0) return;
    // A splintered huge page: the entry covers the small page holding va.
    const off = va % 2 ** shift;
    const sub = off - (off % 2 ** s);
    const page = Math.floor(va / 2 ** s);
    const t = page * 64 + s;
    const base = (page % this.sets) * this.assoc;
    let victim = base;
    for (let w = base; w < base + this.assoc; w++) {
      if (this.tag[w] === t) {
        victim = w;
        break;
      }
      if (this.tag[w] < 0) {
        if (this.tag[victim] >= 0) victim = w;
      } else if (this.tag[victim] >= 0 && this.stamp[w] < this.stamp[victim]) victim = w;
    }
    this.tag[victim] = t;
    this.pa[victim] = pa + sub;
    this.stamp[victim] = ++this.clock;
  }

  /** Drops every entry; returns how many were valid. */
  flushAll(): number {
    let n = 0;
    for (let w = 0; w < this.entries; w++) if (this.tag[w] >= 0) n++;
    this.tag.fill(-1);
    return n;
  }

  /** Drops the entries mapping any byte of [start, start + bytes); returns how many. */
  flushRange(start: number, bytes: number): number {
    let n = 0;
    for (let w = 0; w < this.entries; w++) {
      const t = this.tag[w];
      if (t < 0) continue;
      const shift = t % 64;
      const first = ((t - shift) / 64) * 2 ** shift;
      if (first < start + bytes && first + 2 ** shift > start) {
        this.tag[w] = -1;
        n++;
      }
    }
    return n;
  }

  /** Valid entries. */
  get occupancy(): number {
    let n = 0;
    for (let w = 0; w < this.entries; w++) if (this.tag[w] >= 0) n++;
    return n;
  }
}
