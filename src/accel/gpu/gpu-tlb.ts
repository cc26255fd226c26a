/** Most distinct page shifts one GpuTlb tracks (4 KiB, 64 KiB, 2 MiB, 1 GiB and a few spares). */
const MAX_SHIFTS = 8;

/**
 * A set-associative, LRU translation cache of a device: each entry maps a virtual page (of the size
 * its translation response gave) to the physical address of the page's first byte. Storage is typed
 * arrays allocated once; `assoc === entries` makes it fully associative.
 */
export class GpuTlb {
  /** Component path, e.g. `gpu.cu3.tlb`. */
  readonly name: string;
  /** Entries in all. */
  readonly entries: number;
  /** Ways per set. */
  readonly assoc: number;
  private readonly sets: number;
  /** Virtual page number at the entry's shift, or -1 when the way is empty. */
  private readonly vpn: Float64Array;
  private readonly shift: Uint8Array;
  private readonly physBase: Float64Array;
  private readonly stamp: Float64Array;
  private clock: number;
  /** Page shifts present (looked up in turn; usually one). */
  private readonly shifts: Int32Array;
  private nShifts: number;
  /** Page shift of the entry the last hitting `lookup` found. */
  lastShift: number;
  /** Physical minus virtual address of the entry the last hitting `lookup` found. */
  lastDelta: number;

  constructor(name: string, entries: number, assoc: number) {
    if (!(entries >= 1 && assoc >= 1 && entries % assoc === 0)) throw new Error(`${name}: ${entries} entries do not divide into ${assoc}-way sets`);
    this.name = name;
    this.entries = entries;
    this.assoc = assoc;
    this.sets = entries / assoc;
    this.vpn = new Float64Array(entries).fill(-1);
    this.shift = new Uint8Array(entries);
    this.physBase = new Float64Array(entries);
    this.stamp = new Float64Array(entries);
    this.clock = 0;
    this.shifts = new Int32Array(MAX_SHIFTS);
    this.nShifts = 0;
    this.lastShift = 0;
    this.lastDelta = 0;
  }

  /**
   * The physical address minus the virtual address for every byte of the page holding `va`
   * (touching the entry), or NaN on a miss.
   */
  lookup(va: number): number {
    for (let k = 0; k < this.nShifts; k++) {
      const s = this.shifts[k];
      const bytes = 2 ** s;
      const page = Math.floor(va / bytes);
      const base = (page % this.sets) * this.assoc;
      const end = base + this.assoc;
      for (let w = base; w < end; w++) {
        if (this.vpn[w] === page && this.shift[w] === s) {
          this.stamp[w] = ++this.clock;
          const d = this.physBase[w] - page * bytes;
          this.lastShift = s;
          this.lastDelta = d;
          return d;
        }
      }
    }
    return NaN;
  }

  /** Installs the translation of the page of 2^`pageShift` bytes holding `va` (LRU victim). */
  insert(va: number, pageShift: number, physPageBase: number): void {
    let known = false;
    for (let k = 0; k < this.nShifts; k++) if (this.shifts[k] === pageShift) known = true;
    if (!known) {
      if (this.nShifts === MAX_SHIFTS) throw new Error(`${this.name}: more than ${MAX_SHIFTS} page sizes`);
      this.shifts[this.nShifts++] = pageShift;
    }
    const page = Math.floor(va / 2 ** pageShift);
    const base = (page % this.sets) * this.assoc;
    let slot = base;
    let oldest = Infinity;
    for (let w = base; w < base + this.assoc; w++) {
      if (this.vpn[w] === page && this.shift[w] === pageShift) {
        slot = w;
        break;
      }
      if (this.vpn[w] < 0) {
        if (oldest !== -1) {
          slot = w;
          oldest = -1;
        }
        continue;
      }
      if (this.stamp[w] < oldest) {
        oldest = this.stamp[w];
        slot = w;
      }
    }
    this.vpn[slot] = page;
    this.shift[slot] = pageShift;
    this.physBase[slot] = physPageBase;
    this.stamp[slot] = ++this.clock;
  }

  /** Drops every entry whose page overlaps [lo, hi); returns how many were dropped. */
  invalidateRange(lo: number, hi: number): number {
    let n = 0;
    for (let w = 0; w < this.entries; w++) {
      const page = this.vpn[w];
      if (page < 0) continue;
      const bytes = 2 ** this.shift[w];
      const start = page * bytes;
      if (start < hi && start + bytes > lo) {
        this.vpn[w] = -1;
        n++;
      }
    }
    return n;
  }

  /** Drops every entry. */
  invalidateAll(): void {
    this.vpn.fill(-1);
  }

  /** Valid entries (walks the array; for tests and reports). */
  validEntries(): number {
    let n = 0;
    for (let w = 0; w < this.entries; w++) if (this.vpn[w] >= 0) n++;
    return n;
  }
}
