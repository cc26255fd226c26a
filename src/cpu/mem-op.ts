/** Kinds of memory operation a thread issues. */
export const OpKind = {
  /** A load of `sizeBytes` at `vaddr`. */
  Load: 0,
  /** A store of `sizeBytes` at `vaddr`. */
  Store: 1,
  /** A software prefetch of the line holding `vaddr` (occupies no load-window slot). */
  Prefetch: 2,
  /** munmap of `bytes` at `vaddr`: the OS drops the pages and shoots down TLB entries. */
  Unmap: 3,
  /**
   * An uncacheable load of a device register at physical `vaddr`: it waits for every earlier
   * access to complete, and every later one waits for its value (a fence, as MMIO is strictly
   * ordered: Bhattacharjee & Lustig, "Architectural and Operating System Support for Virtual
   * Memory", 2017).
   */
  MmioLoad: 4,
  /** A posted, uncacheable store of `bytes` (the value) to a device register at physical `vaddr`, after every earlier access. */
  MmioStore: 5,
  /**
   * clflush of the line holding `vaddr`: the line leaves this core's caches, written back first
   * if dirty (what a driver does before non-coherent DMA: Bhattacharjee & Lustig, "Architectural
   * and Operating System Support for Virtual Memory", 2017).
   */
  Flush: 6,
  /** An instruction fetch's translation (internal to the core: the ITLB, then the L2 TLB, then a walk). */
  Fetch: 7,
} as const;

/** One memory operation, filled in place by a thread program (one reusable record per core). */
export class MemOp {
  /** Core cycles of other work between the previous operation's issue and this one's. */
  gapCycles = 0;
  /** An OpKind. */
  kind: number = OpKind.Load;
  /** Virtual byte address. */
  vaddr = 0;
  /**
   * Dependence distance: 0 for none; k when this access cannot start before the k-th previous
   * access of the same kind has completed (1 for a pointer chase, where each load's address is
   * the previous load's data).
   */
  dependsOn = 0;
  /** Bytes an Unmap operation covers. */
  bytes = 0;
}

/** What a core runs: a generator of memory operations. */
export interface ThreadProgram {
  /** Name of the workload, for reports. */
  readonly name: string;
  /** Fills `op` with the next operation and returns true, or returns false when the thread is done. */
  next(op: MemOp): boolean;
  /** Receives the value an MmioLoad read, before the next operation is asked for (optional). */
  mmioValue?(value: number): void;
}
