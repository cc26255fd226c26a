/** Kinds of memory operation a thread issues. */
export const OpKind = {
  /** A load of `sizeBytes` at `vaddr`. */
  Load: 0,
  /** A store of `sizeBytes` at `vaddr`. */
  Store: 1,
  /** A software prefetch of the line holding `vaddr` (occupies no load-window slot). */
  Prefetch: 2,
} as const;

/** One memory operation, filled in place by a thread program (one reusable record per core). */
export class MemOp {
  /** Core cycles of other work between the previous operation's issue and this one's. */
  gapCycles = 0;
  /** An OpKind. */
  kind: number = OpKind.Load;
  /** Virtual byte address. */
  vaddr = 0;
  /** True when this load's address comes from the previous load's data (a pointer chase). */
  dependsOnPrev = false;
}

/** What a core runs: a generator of memory operations. */
export interface ThreadProgram {
  /** Name of the workload, for reports. */
  readonly name: string;
  /** Fills `op` with the next operation and returns true, or returns false when the thread is done. */
  next(op: MemOp): boolean;
}
