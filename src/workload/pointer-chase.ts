import type { RngStream } from "../kernel/rng.ts";
import { MemOp, OpKind, type ThreadProgram } from "../cpu/mem-op.ts";

/** Parameters of a pointer chase (lmbench lat_mem_rd style). */
export interface PointerChaseParams {
  /** First virtual byte of the working set. */
  baseVa: number;
  /** Working-set size in bytes. */
  workingSetBytes: number;
  /** Distance between successive elements in bytes (a line by default). */
  strideBytes: number;
  /** Loads to issue. */
  accesses: number;
  /** Visit order: a random single cycle (defeats prefetching) or by increasing address. */
  order: "random" | "sequential";
  /** Core cycles of work between loads. */
  gapCycles: number;
}

/**
 * A chain of dependent loads through a working set: each load's address comes from the previous
 * load's data, so misses cannot overlap and the time per load is the memory latency.
 */
export class PointerChase implements ThreadProgram {
  readonly name = "pointer-chase";
  private readonly p: PointerChaseParams;
  private readonly nextIndex: Int32Array;
  private cur: number;
  private left: number;

  constructor(p: PointerChaseParams, rng: RngStream) {
    this.p = p;
    const n = Math.max(1, Math.floor(p.workingSetBytes / p.strideBytes));
    this.nextIndex = new Int32Array(n);
    if (p.order === "sequential") {
      for (let i = 0; i < n; i++) this.nextIndex[i] = (i + 1) % n;
    } else {
      // Sattolo's algorithm: a uniformly random permutation that is one single cycle.
      const perm = new Int32Array(n);
      for (let i = 0; i < n; i++) perm[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i);
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      for (let i = 0; i < n; i++) this.nextIndex[perm[i]] = perm[(i + 1) % n];
    }
    this.cur = 0;
    this.left = p.accesses;
  }

  next(op: MemOp): boolean {
    if (this.left <= 0) return false;
    this.left--;
    op.kind = OpKind.Load;
    op.vaddr = this.p.baseVa + this.cur * this.p.strideBytes;
    op.dependsOn = 1;
    op.gapCycles = this.p.gapCycles;
    this.cur = this.nextIndex[this.cur];
    return true;
  }
}
