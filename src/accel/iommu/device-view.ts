import type { AddressSpace } from "../../vm/address-space.ts";
import type { FrameAllocator } from "../../vm/frame-allocator.ts";
import { PageTable, type RadixLayout } from "../../vm/page-table.ts";
import type { Paging } from "../../vm/paging.ts";

/**
 * What a device sees of memory through the IOMMU (a device's address space may equal, be a subset
 * of, or be unrelated to a host process's: Bhattacharjee & Lustig, "Architectural and Operating
 * System Support for Virtual Memory", 2017, chapter on heterogeneity and virtualization): the page
 * table walked for it, which addresses it may touch at all, where a present page lives, and how
 * the host services a page request (a device fault).
 */
export interface DeviceView {
  /** The table the IOMMU walks for the device. */
  readonly table: PageTable;
  /** True when the OS mapped `va` for the device (else the access is blocked, fact 29). */
  allowed(va: number): boolean;
  /** Physical base of the leaf page holding `va` (its size is the table's leaf at `va`), or -1 when not present. */
  pageBase(va: number): number;
  /** The host services a page request for `va`: maps the page; false when it cannot (the access is blocked). */
  fault(va: number, isWrite: boolean): boolean;
  /** The driver maps [va, va + bytes) for the device (at physical `pa` in a separate space); returns table entries written. */
  map(va: number, bytes: number, pa: number): number;
  /** The driver removes [va, va + bytes) from the device's view; returns table entries written. */
  unmap(va: number, bytes: number): number;
}

/** Leaf page size (log2) of `va` in `t`. */
export function leafShiftOf(t: PageTable, va: number): number {
  return t.shiftOf(t.leafLevel(va));
}

/**
 * The device shares the host process's address space and page table (AMD HSA / SVM): it may touch
 * any address of the process's regions; a non-present page is demand-paged by the host OS, exactly
 * as a CPU fault would be. `map` is a no-op, `unmap` is a munmap of the process.
 */
export class SharedView implements DeviceView {
  readonly table: PageTable;
  protected readonly space: AddressSpace;
  protected readonly paging: Paging | null;
  /** Node the OS places device-faulted pages for (first-touch as for a thread there). */
  protected readonly node: number;

  /**
   * @param paging the process's paging (its table is walked; a device fault's OS cost is the
   *   IOMMU's, so the CPU-side penalty it accrues is taken back), or a bare table when the space
   *   has no listener keeping one.
   */
  constructor(space: AddressSpace, paging: Paging | PageTable, node: number) {
    this.space = space;
    this.paging = paging instanceof PageTable ? null : paging;
    this.table = paging instanceof PageTable ? paging : paging.table;
    this.node = node;
  }

  allowed(va: number): boolean {
    return this.space.regionOf(va) !== null;
  }

  pageBase(va: number): number {
    const size = 2 ** leafShiftOf(this.table, va);
    return this.space.peek(va - (va % size));
  }

  fault(va: number, isWrite: boolean): boolean {
    if (this.space.regionOf(va) === null) return false;
    const before = this.paging?.pendingPenaltyPs ?? 0;
    const pteWrites = this.table.pteWrites;
    this.space.translate(va, this.node, isWrite);
    if (this.paging !== null) this.paging.pendingPenaltyPs = before;
    // Nobody keeps the table in step with the space: write the leaf ourselves.
    if (this.table.pteWrites === pteWrites && this.space.listener === null) this.table.map(va, Math.log2(this.space.pageBytes), this.node);
    return this.space.peek(va) >= 0;
  }

  map(_va: number, _bytes: number, _pa: number): number {
    return 0;
  }

  unmap(va: number, bytes: number): number {
    return this.space.unmap(va, bytes);
  }
}

/**
 * The device sees a subset of the host process's space: only ranges the OS mapped for it
 * (`map`); anything else is blocked. Pages of a granted range are demand-paged as in SharedView;
 * `unmap` revokes the grant (the process keeps its pages).
 */
export class SubsetView extends SharedView {
  // Granted ranges as [start, end) pairs, kept sorted by start.
  private readonly ranges: number[];

  constructor(space: AddressSpace, paging: Paging | PageTable, node: number) {
    super(space, paging, node);
    this.ranges = [];
  }

  override allowed(va: number): boolean {
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) if (va >= r[i] && va < r[i + 1]) return this.space.regionOf(va) !== null;
    return false;
  }

  override map(va: number, bytes: number, _pa: number): number {
    const r = this.ranges;
    let i = 0;
    while (i < r.length && r[i] < va) i += 2;
    r.splice(i, 0, va, va + bytes);
    return 0;
  }

  override unmap(va: number, bytes: number): number {
    const r = this.ranges;
    const end = va + bytes;
    const out: number[] = [];
    for (let i = 0; i < r.length; i += 2) {
      const a = r[i];
      const b = r[i + 1];
      if (b <= va || a >= end) out.push(a, b);
      else {
        if (a < va) out.push(a, va);
        if (b > end) out.push(end, b);
      }
    }
    r.length = 0;
    for (const x of out) r.push(x);
    return 0;
  }
}

/**
 * The device has an address space of its own (an IOVA space with its own I/O page table, as the
 * Linux DMA API gives a device): the driver maps IOVA ranges to physical buffers; an address it
 * did not map is blocked. Tables take frames from the OS model.
 */
export class SeparateView implements DeviceView {
  readonly table: PageTable;
  private readonly pageBytes: number;
  private readonly node: number;
  // Leaf page number (at its own size) * 64 + shift -> physical base.
  private readonly leaves: Map<number, number>;

  constructor(name: string, layout: RadixLayout, frames: FrameAllocator, node: number) {
    this.table = new PageTable(name, layout, frames, node, node);
    this.pageBytes = frames.pageBytes;
    this.node = node;
    this.leaves = new Map();
  }

  allowed(va: number): boolean {
    return this.pageBase(va) >= 0;
  }

  pageBase(va: number): number {
    const shift = leafShiftOf(this.table, va);
    return this.leaves.get(Math.floor(va / 2 ** shift) * 64 + shift) ?? -1;
  }

  fault(va: number, _isWrite: boolean): boolean {
    return this.pageBase(va) >= 0;
  }

  /** Maps [va, va + bytes) to physical [pa, pa + bytes) with the largest pages alignment allows. */
  map(va: number, bytes: number, pa: number): number {
    let writes = 0;
    let off = 0;
    while (off < bytes) {
      let shift = Math.log2(this.pageBytes);
      for (const s of [30, 21]) {
        const size = 2 ** s;
        if (this.table.levelOfShift(s) > 0 && (va + off) % size === 0 && (pa + off) % size === 0 && bytes - off >= size) {
          shift = s;
          break;
        }
      }
      writes += this.table.map(va + off, shift, this.node);
      this.leaves.set(Math.floor((va + off) / 2 ** shift) * 64 + shift, pa + off);
      off += 2 ** shift;
    }
    return writes;
  }

  unmap(va: number, bytes: number): number {
    let writes = 0;
    let off = 0;
    while (off < bytes) {
      const shift = leafShiftOf(this.table, va + off);
      const key = Math.floor((va + off) / 2 ** shift) * 64 + shift;
      if (this.leaves.delete(key)) writes += this.table.unmap(va + off, shift);
      off += 2 ** shift;
    }
    return writes;
  }
}
