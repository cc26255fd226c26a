/**
 * Hands out I/O virtual addresses in whole pages from [base, base + sizeBytes): a freed range goes
 * back on a free list of its size and is handed out again (last freed first, deterministic). The
 * IOMMU frees a range only once its stale translations are gone (at once in strict mode, when its
 * batch is flushed in batched mode).
 */
export class IovaAllocator {
  /** First IOVA. */
  readonly base: number;
  /** Bytes of IOVA space. */
  readonly sizeBytes: number;
  /** Allocation granule in bytes. */
  readonly pageBytes: number;
  /** Bytes handed out and not yet freed. */
  inUseBytes: number;
  private next: number;
  private readonly free: Map<number, number[]>;

  constructor(base: number, sizeBytes: number, pageBytes: number) {
    this.base = base;
    this.sizeBytes = sizeBytes;
    this.pageBytes = pageBytes;
    this.inUseBytes = 0;
    this.next = base;
    this.free = new Map();
  }

  /** An IOVA for `bytes` (rounded up to pages, aligned to the rounded size when it is a power of two up to 2 MiB), or -1 when none is free. */
  alloc(bytes: number): number {
    const size = Math.ceil(bytes / this.pageBytes) * this.pageBytes;
    this.inUseBytes += size;
    const list = this.free.get(size);
    if (list !== undefined && list.length > 0) return list.pop() as number;
    const align = (size & (size - 1)) === 0 && size <= 2 ** 21 ? size : this.pageBytes;
    const at = Math.ceil(this.next / align) * align;
    if (at + size > this.base + this.sizeBytes) {
      this.inUseBytes -= size;
      return -1;
    }
    this.next = at + size;
    return at;
  }

  /** True when `iova` lies in this allocator's space. */
  owns(iova: number): boolean {
    return iova >= this.base && iova < this.base + this.sizeBytes;
  }

  /** Returns [iova, iova + bytes) for reuse. */
  release(iova: number, bytes: number): void {
    const size = Math.ceil(bytes / this.pageBytes) * this.pageBytes;
    this.inUseBytes -= size;
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
    }
    list.push(iova);
  }
}
