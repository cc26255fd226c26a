import type { Translator } from "../cpu/translator.ts";
import type { FrameAllocator } from "./frame-allocator.ts";
import type { NumaPolicy } from "./numa-policy.ts";

/** What a region is, as numa_maps names it. */
export type RegionKind = "anon" | "heap" | "stack" | `file=${string}`;

/** Told when the OS installs a translation (the page-table model listens; see src/vm/paging.ts). */
export interface MapListener {
  /** The page of 2^`shift` bytes at virtual `va` was mapped (at physical `pa`) for a thread on `node`. */
  mapped(va: number, shift: number, node: number, pa: number): void;
  /** The page of 2^`shift` bytes at virtual `va` was unmapped. */
  unmapped?(va: number, shift: number): void;
  /** A munmap of [start, start + bytes) is complete: stale translations must go (a TLB shootdown). */
  rangeUnmapped?(start: number, bytes: number): void;
}

/** A contiguous virtual region of a process with its placement policy and page map. */
export class Region {
  /** Region name from the workload file. */
  readonly name: string;
  /** numa_maps kind. */
  readonly kind: RegionKind;
  /** First virtual byte address. */
  readonly start: number;
  /** Size in bytes (a whole number of pages). */
  readonly sizeBytes: number;
  /** Placement policy. */
  readonly policy: NumaPolicy;
  /** Physical address of each page, -1 until first touched. */
  readonly pagePa: Float64Array;
  /** Home node of each page (-1 unmapped, -2 line-interleaved over all nodes). */
  readonly pageNode: Int8Array;
  /** 1 once a page has been written. */
  readonly pageDirty: Uint8Array;
  /** Sampled accesses per page since the tiering daemon last looked. */
  readonly pageAccesses: Uint32Array;
  /** Tiering epoch in which each page last moved (0: never). */
  readonly pageMovedEpoch: Uint32Array;
  /** 1 while a page is being moved to another frame (unmapped: its accesses wait). */
  readonly pageMoving: Uint8Array;
  /** Page size the region asks for (huge pages when larger than the base page); the page arrays stay per base page. */
  readonly leafBytes: number;

  constructor(name: string, kind: RegionKind, start: number, sizeBytes: number, policy: NumaPolicy, pageBytes: number, leafBytes = pageBytes) {
    const pages = Math.ceil(sizeBytes / leafBytes) * (leafBytes / pageBytes);
    this.leafBytes = leafBytes;
    this.name = name;
    this.kind = kind;
    this.start = start;
    this.sizeBytes = pages * pageBytes;
    this.policy = policy;
    this.pagePa = new Float64Array(pages).fill(-1);
    this.pageNode = new Int8Array(pages).fill(-1);
    this.pageDirty = new Uint8Array(pages);
    this.pageAccesses = new Uint32Array(pages);
    this.pageMovedEpoch = new Uint32Array(pages);
    this.pageMoving = new Uint8Array(pages);
  }

  /** One past the last virtual byte. */
  get end(): number {
    return this.start + this.sizeBytes;
  }
}

/** Thrown when a page cannot be placed (every allowed node is full). */
export class OutOfMemoryError extends Error {
  override name = "OutOfMemoryError";
}

/**
 * A process's address space: its regions, and the OS's page placement on first touch (demand
 * paging). Implements the core's Translator. Regions are laid out from a base address with a
 * guard gap between them, in the order the workload declares them.
 */
export class AddressSpace implements Translator {
  /** Regions in address order. */
  readonly regions: Region[] = [];
  /** Page size in bytes. */
  readonly pageBytes: number;
  /** Pages placed so far, by node (line-interleaved pages are counted 1/N on each node). */
  readonly pagesPerNode: number[];
  private readonly frames: FrameAllocator;
  private readonly hops: number[][];
  private readonly nodes: number;
  private readonly interleaveBase: number;
  private interleavedPages: number;
  /** Count one access in this many into pageAccesses (0: no sampling). */
  private sampleEvery: number;
  private sampleCountdown: number;
  private nextVa: number;
  private last: Region | null;
  /** Told of every mapping (null: nobody listens). */
  listener: MapListener | null;
  /** Huge pages asked for but backed by base pages (no contiguous run and an empty pool). */
  hugeFallbacks: number;
  /** Huge pages placed. */
  hugePages: number;
  /** Boot-time reserved huge pages (hugetlbfs pool), by node: physical addresses, and their size. */
  private hugePool: number[][];
  private hugePoolBytes: number;
  private readonly pageShift: number;
  /** Pages being moved now (see `beginMove`). */
  private movingPages: number;

  /**
   * @param hops socket-to-socket hop counts, used to find the nearest node with free frames.
   * @param interleaveBase first physical address of the line-interleaved range.
   */
  constructor(frames: FrameAllocator, hops: number[][], interleaveBase: number, baseVa = 0x10000000) {
    this.frames = frames;
    this.pageBytes = frames.pageBytes;
    this.hops = hops;
    this.nodes = frames.nodes;
    this.interleaveBase = interleaveBase;
    this.interleavedPages = 0;
    this.sampleEvery = 0;
    this.sampleCountdown = 0;
    this.pagesPerNode = new Array(this.nodes).fill(0);
    this.nextVa = baseVa;
    this.last = null;
    this.listener = null;
    this.hugeFallbacks = 0;
    this.hugePages = 0;
    this.hugePool = [];
    this.hugePoolBytes = 0;
    this.pageShift = Math.log2(this.pageBytes);
    this.movingPages = 0;
  }

  /**
   * Page `page` of `r` is about to be copied to another frame: it is unmapped until `endMove`
   * (as Linux's migration entries), so no store can land in the old frame after its copy.
   */
  beginMove(r: Region, page: number): void {
    if (r.pageMoving[page] === 0) this.movingPages++;
    r.pageMoving[page] = 1;
  }

  /** The move of page `page` of `r` is done: it is mapped again. */
  endMove(r: Region, page: number): void {
    if (r.pageMoving[page] === 1) this.movingPages--;
    r.pageMoving[page] = 0;
  }

  /** True while the page of `vaddr` is being moved (an access to it must wait). */
  moving(vaddr: number): boolean {
    if (this.movingPages === 0) return false;
    const r = this.regionOf(vaddr);
    return r !== null && r.pageMoving[Math.floor((vaddr - r.start) / this.pageBytes)] === 1;
  }

  /**
   * Reserves `perNode` huge pages of `bytes` on every node now, while memory is unfragmented
   * (a hugetlbfs pool set up at boot); returns how many each node got.
   */
  reserveHugePages(perNode: number, bytes: number): number[] {
    this.hugePoolBytes = bytes;
    const count = bytes / this.pageBytes;
    this.hugePool = Array.from({ length: this.nodes }, (_, n) => {
      const got: number[] = [];
      for (let i = 0; i < perNode; i++) {
        const pa = this.frames.allocContiguous(n, count);
        if (pa < 0) break;
        got.push(pa);
      }
      return got.reverse();
    });
    return this.hugePool.map((p) => p.length);
  }

  /** Starts counting one access in `every` per page (access sampling, as PEBS-based tiering does). */
  sampleAccesses(every: number): void {
    this.sampleEvery = every;
    this.sampleCountdown = every;
  }

  /** Moves page `page` of `r` to the frame at `pa` on `node`, returning its old frame to the allocator. */
  remap(r: Region, page: number, pa: number, node: number): void {
    const oldNode = r.pageNode[page];
    if (oldNode >= 0) {
      this.frames.release(oldNode, r.pagePa[page]);
      this.pagesPerNode[oldNode]--;
    }
    r.pagePa[page] = pa;
    r.pageNode[page] = node;
    this.pagesPerNode[node]++;
  }

  /**
   * Points page `page` of `r` at physical `pa` on `node` without touching the frame allocator:
   * another owner (a device driver migrating the page) holds both frames. -1 for `pa` is not allowed.
   */
  rehome(r: Region, page: number, pa: number, node: number): void {
    const oldNode = r.pageNode[page];
    if (oldNode >= 0) this.pagesPerNode[oldNode]--;
    r.pagePa[page] = pa;
    r.pageNode[page] = node;
    this.pagesPerNode[node]++;
  }

  /** The frame allocator behind this address space. */
  get frameAllocator(): FrameAllocator {
    return this.frames;
  }

  /** Adds a region of `sizeBytes` and returns it. */
  map(name: string, kind: RegionKind, sizeBytes: number, policy: NumaPolicy, leafBytes = this.pageBytes): Region {
    // A region starts aligned to its page size (at least 2 MiB, as ELF segments are).
    const align = Math.max(2 * 1024 * 1024, leafBytes);
    const start = Math.ceil(this.nextVa / align) * align;
    const r = new Region(name, kind, start, sizeBytes, policy, this.pageBytes, leafBytes);
    this.regions.push(r);
    // Next region starts after a 1 MiB guard gap, aligned to 2 MiB.
    this.nextVa = Math.ceil((r.end + 1024 * 1024) / (2 * 1024 * 1024)) * (2 * 1024 * 1024);
    return r;
  }

  /** Moves where the next region is placed (an ASLR-style random base, or the top of the address space for a stack). */
  setNextVa(va: number): void {
    this.nextVa = va;
  }

  /** Places every page of `r` now, by its policy, as for a thread on `node` (MAP_POPULATE). */
  populate(r: Region, node: number): void {
    for (let page = 0; page < r.pagePa.length; page++) if (r.pagePa[page] < 0) this.fault(r, page, node);
  }

  /**
   * munmap: drops the pages of [vaddr, vaddr + bytes) (whole huge pages when they are partly
   * covered), returns their frames and tells the listener; the region stays, and its pages fault
   * in again when next touched. Returns the base pages dropped.
   */
  unmap(vaddr: number, bytes: number): number {
    let dropped = 0;
    for (const r of this.regions) {
      const lo = Math.max(vaddr, r.start);
      const hi = Math.min(vaddr + bytes, r.end);
      if (lo >= hi) continue;
      const per = r.leafBytes / this.pageBytes;
      let page = Math.floor((lo - r.start) / this.pageBytes);
      const end = Math.ceil((hi - r.start) / this.pageBytes);
      while (page < end) {
        const pa = r.pagePa[page];
        const node = r.pageNode[page];
        if (pa < 0) {
          page++;
          continue;
        }
        // A huge page: its base pages are contiguous from an aligned first one.
        const first = Math.floor(page / per) * per;
        const huge = per > 1 && r.pagePa[first] >= 0 && r.pagePa[first] % r.leafBytes === 0 && r.pagePa[first + per - 1] === r.pagePa[first] + (per - 1) * this.pageBytes;
        const from = huge ? first : page;
        const count = huge ? per : 1;
        for (let i = from; i < from + count; i++) {
          if (node >= 0) this.frames.release(node, r.pagePa[i]);
          else if (node === -2) for (let n = 0; n < this.nodes; n++) this.pagesPerNode[n] -= 1 / this.nodes;
          if (node >= 0) this.pagesPerNode[node]--;
          r.pagePa[i] = -1;
          r.pageNode[i] = -1;
          r.pageDirty[i] = 0;
        }
        dropped += count;
        this.listener?.unmapped?.(r.start + from * this.pageBytes, huge ? Math.log2(r.leafBytes) : this.pageShift);
        page = from + count;
      }
    }
    this.listener?.rangeUnmapped?.(vaddr, bytes);
    return dropped;
  }

  /** Physical address of `vaddr` if its page is mapped, else -1 (no fault, no sampling). */
  peek(vaddr: number): number {
    const r = this.regionOf(vaddr);
    if (r === null) return -1;
    const off = vaddr - r.start;
    const page = Math.floor(off / this.pageBytes);
    const pa = r.pagePa[page];
    return pa < 0 ? -1 : pa + (off - page * this.pageBytes);
  }

  /** The region holding `vaddr`, or null. */
  regionOf(vaddr: number): Region | null {
    const l = this.last;
    if (l !== null && vaddr >= l.start && vaddr < l.start + l.sizeBytes) return l;
    for (const r of this.regions) {
      if (vaddr >= r.start && vaddr < r.start + r.sizeBytes) {
        this.last = r;
        return r;
      }
    }
    return null;
  }

  translate(vaddr: number, node: number, isWrite: boolean): number {
    const r = this.regionOf(vaddr);
    if (r === null) throw new Error(`address space: access to unmapped virtual address 0x${vaddr.toString(16)}`);
    const off = vaddr - r.start;
    const page = Math.floor(off / this.pageBytes);
    let pa = r.pagePa[page];
    if (pa < 0) pa = this.fault(r, page, node);
    if (isWrite) r.pageDirty[page] = 1;
    if (this.sampleEvery > 0 && --this.sampleCountdown === 0) {
      this.sampleCountdown = this.sampleEvery;
      r.pageAccesses[page]++;
    }
    return pa + (off - page * this.pageBytes);
  }

  /** Places page `page` of `r` for a thread on `node`, by the region's policy. */
  private fault(r: Region, page: number, node: number): number {
    const p = r.policy;
    let target: number;
    switch (p.kind) {
      case "local":
        target = this.nearestWithRoom(r, node, null);
        break;
      case "interleave": {
        const set = p.nodes ?? null;
        const n = set === null ? this.nodes : set.length;
        const want = set === null ? page % n : set[page % n];
        target = this.hasRoom(r, want) ? want : this.nearestWithRoom(r, want, set);
        break;
      }
      case "interleave-line":
        return this.placeInterleaved(r, page);
      case "bind":
        target = this.nearestWithRoom(r, node, p.nodes);
        break;
      case "preferred":
        target = this.hasRoom(r, p.node) ? p.node : this.nearestWithRoom(r, p.node, null);
        break;
    }
    if (target < 0) throw new OutOfMemoryError(`out of memory: no node allowed by region "${r.name}" has a free frame`);
    if (r.leafBytes > this.pageBytes) {
      const hpa = this.faultHuge(r, page, target);
      if (hpa >= 0) return hpa;
      this.hugeFallbacks++;
    }
    const pa = this.frames.alloc(target);
    if (pa < 0) throw new OutOfMemoryError(`out of memory: node ${target} has no free frame for a base page of region "${r.name}"`);
    r.pagePa[page] = pa;
    r.pageNode[page] = target;
    this.pagesPerNode[target]++;
    this.listener?.mapped(r.start + page * this.pageBytes, this.pageShift, target, pa);
    return pa;
  }

  /**
   * Backs the huge page holding base page `page` of `r` with contiguous frames on `node`: from
   * the boot-time pool, else from the allocator when a whole aligned run is free; -1 if neither.
   */
  private faultHuge(r: Region, page: number, node: number): number {
    const per = r.leafBytes / this.pageBytes;
    const first = Math.floor(page / per) * per;
    for (let i = first; i < first + per; i++) if (r.pagePa[i] >= 0) return -1;
    const pool = this.hugePoolBytes === r.leafBytes ? this.hugePool[node] : undefined;
    let base = pool !== undefined && pool.length > 0 ? (pool.pop() as number) : -1;
    if (base < 0) base = this.frames.allocContiguous(node, per);
    if (base < 0) return -1;
    for (let i = 0; i < per; i++) {
      r.pagePa[first + i] = base + i * this.pageBytes;
      r.pageNode[first + i] = node;
    }
    this.pagesPerNode[node] += per;
    this.hugePages++;
    this.listener?.mapped(r.start + first * this.pageBytes, Math.log2(r.leafBytes), node, base);
    return base + (page - first) * this.pageBytes;
  }

  private placeInterleaved(r: Region, page: number): number {
    // Charge the page's frame to the nodes in turn, so capacity stays accounted.
    const charge = this.interleavedPages % this.nodes;
    if (this.frames.alloc(charge) < 0) throw new OutOfMemoryError(`out of memory: node ${charge} has no frame for line-interleaved region "${r.name}"`);
    const pa = this.interleaveBase + this.interleavedPages * this.pageBytes;
    this.interleavedPages++;
    r.pagePa[page] = pa;
    r.pageNode[page] = -2;
    for (let n = 0; n < this.nodes; n++) this.pagesPerNode[n] += 1 / this.nodes;
    this.listener?.mapped(r.start + page * this.pageBytes, this.pageShift, charge, pa);
    return pa;
  }

  /** The node nearest to `from` (by hops, then id) in `set` (all nodes if null) with a free frame, or -1. */
  /** True when node `n` can back a page of `r`: a free frame, or for a region of huge pages a page left in the boot-time pool. */
  private hasRoom(r: Region, n: number): boolean {
    return this.frames.free(n) > 0 || (r.leafBytes === this.hugePoolBytes && (this.hugePool[n]?.length ?? 0) > 0);
  }

  /** The node of `set` (every node when null) nearest `from` that can back a page of `r`, or -1. */
  private nearestWithRoom(r: Region, from: number, set: number[] | null): number {
    let best = -1;
    let bestHops = Infinity;
    for (let n = 0; n < this.nodes; n++) {
      if (set !== null && !set.includes(n)) continue;
      if (!this.hasRoom(r, n)) continue;
      const h = this.hops[from][n];
      if (h < bestHops) {
        bestHops = h;
        best = n;
      }
    }
    return best;
  }
}
