/**
 * A set-associative translation cache with LRU replacement: a TLB array (tag = virtual page
 * number of one of the page sizes it holds, plus an optional address-space identifier), and the
 * same structure serves as a page-walk cache (tag = the address bits above one table level) and
 * as a nested TLB (tag = guest-physical page). `assoc === entries` makes it fully associative.
 */
export class TlbArray {
  /** Component path, e.g. `node0.core0.tlb.l1.4K`. */
  readonly name: string;
  /** Entries in all. */
  readonly entries: number;
  /** Ways per set. */
  readonly assoc: number;
  /** Page shifts (log2 of page bytes) this array holds, e.g. [12, 21]. */
  readonly shifts: readonly number[];
  /** Width of the address-space tag in bits (0: untagged, a switch needs a flush). */
  readonly asidBits: number;
  private readonly sets: number;
  // tag = page number * 64 + shift; -1 when the way is empty.
  private readonly tag: Float64Array;
  private readonly asid: Int32Array;
  private readonly stamp: Float64Array;
  private clock: number;
  private readonly asidMask: number;

  constructor(name: string, entries: number, assoc: number, shifts: readonly number[], asidBits = 0) {
    if (entries <= 0 || assoc <= 0 || entries % assoc !== 0) throw new Error(`${name}: ${entries} entries do not divide into ${assoc}-way sets`);
    this.name = name;
    this.entries = entries;
    this.assoc = assoc;
    this.shifts = shifts.slice();
    this.asidBits = asidBits;
    this.sets = entries / assoc;
    this.tag = new Float64Array(entries).fill(-1);
    this.asid = new Int32Array(entries);
    this.stamp = new Float64Array(entries);
    this.clock = 0;
    this.asidMask = asidBits >= 31 ? 0x7fffffff : (1 << asidBits) - 1;
  }

  /** The page shift under which `addr` hits for address space `asid` (touching the entry), or -1. */
  lookup(addr: number, asid: number): number {
    const a = asid & this.asidMask;
    for (let k = 0; k < this.shifts.length; k++) {
      const shift = this.shifts[k];
      const page = Math.floor(addr / 2 ** shift);
      const t = page * 64 + shift;
      const base = (page % this.sets) * this.assoc;
      for (let w = base; w < base + this.assoc; w++) {
        if (this.tag[w] === t && this.asid[w] === a) {
          this.stamp[w] = ++this.clock;
          return shift;
        }
      }
    }
    return -1;
  }

  /** True when this array holds pages of 2^`shift` bytes. */
  holds(shift: number): boolean {
    return this.shifts.includes(shift);
  }

  /** Installs the page of 2^`shift` bytes holding `addr`, evicting the set's least recently used entry. */
  insert(addr: number, shift: number, asid: number): void {
    const a = asid & this.asidMask;
    const page = Math.floor(addr / 2 ** shift);
    const t = page * 64 + shift;
    const base = (page % this.sets) * this.assoc;
    let victim = base;
    for (let w = base; w < base + this.assoc; w++) {
      if (this.tag[w] === t && this.asid[w] === a) {
        victim = w;
        break;
      }
      if (this.tag[w] < 0) {
        if (this.tag[victim] >= 0) victim = w;
      } else if (this.tag[victim] >= 0 && this.stamp[w] < this.stamp[victim]) victim = w;
    }
    this.tag[victim] = t;
    this.asid[victim] = a;
    this.stamp[victim] = ++this.clock;
  }

  /** Empties every entry (a CR3 write without address-space tags). */
  flushAll(): void {
    this.tag.fill(-1);
  }

  /** Empties the entries of one address space (INVPCID single-context, or reusing an ID). */
  flushAsid(asid: number): void {
    const a = asid & this.asidMask;
    for (let w = 0; w < this.entries; w++) if (this.asid[w] === a) this.tag[w] = -1;
  }

  /** Empties the entries of `asid` that map any byte of [start, start + bytes) (INVLPG per page). */
  flushRange(start: number, bytes: number, asid: number): void {
    const a = asid & this.asidMask;
    for (let w = 0; w < this.entries; w++) {
      const t = this.tag[w];
      if (t < 0 || this.asid[w] !== a) continue;
      const shift = t % 64;
      const first = ((t - shift) / 64) * 2 ** shift;
      if (first < start + bytes && first + 2 ** shift > start) this.tag[w] = -1;
    }
  }

  /** Valid entries (for tests and reports). */
  get occupancy(): number {
    let n = 0;
    for (let w = 0; w < this.entries; w++) if (this.tag[w] >= 0) n++;
    return n;
  }
}

/** One TLB level: arrays looked up in parallel (e.g. Skylake's L1 DTLB: 4K, 2M and 1G arrays). */
export class TlbLevel {
  /** The arrays, in the order the machine file lists them. */
  readonly arrays: TlbArray[];
  /** Lookup latency in core cycles (a miss is known after it). */
  readonly latencyCycles: number;
  /** Hits and misses so far. */
  hits: number;
  misses: number;

  constructor(arrays: TlbArray[], latencyCycles: number) {
    this.arrays = arrays;
    this.latencyCycles = latencyCycles;
    this.hits = 0;
    this.misses = 0;
  }

  /** The page shift under which `addr` hits, or -1 (does not count: see `count`). */
  lookup(addr: number, asid: number): number {
    for (let k = 0; k < this.arrays.length; k++) {
      const s = this.arrays[k].lookup(addr, asid);
      if (s >= 0) return s;
    }
    return -1;
  }

  /**
   * Installs a translation in the first array holding its page size; a page size no array holds
   * is installed as the largest smaller size an array holds (a 1 GiB page "splintered" into 2 MiB
   * entries, as CPUs without 1G entries do), or not at all.
   */
  insert(addr: number, shift: number, asid: number): void {
    let best: TlbArray | null = null;
    let bestShift = -1;
    for (const a of this.arrays) {
      for (const s of a.shifts) {
        if (s <= shift && s > bestShift) {
          best = a;
          bestShift = s;
        }
      }
    }
    if (best !== null) best.insert(addr, bestShift, asid);
  }

  /** Empties every array. */
  flushAll(): void {
    for (const a of this.arrays) a.flushAll();
  }

  /** Empties one address space's entries. */
  flushAsid(asid: number): void {
    for (const a of this.arrays) a.flushAsid(asid);
  }

  /** Empties one address space's entries overlapping a range. */
  flushRange(start: number, bytes: number, asid: number): void {
    for (const a of this.arrays) a.flushRange(start, bytes, asid);
  }
}
