import type { RngStream } from "../kernel/rng.ts";
import { MemOp, OpKind, type ThreadProgram } from "../cpu/mem-op.ts";

/** Parameters of random updates (HPCC RandomAccess / GUPS). */
export interface GupsParams {
  /** First virtual byte of the table. */
  tableVa: number;
  /** Table size in bytes. */
  tableBytes: number;
  /** Updates (read-modify-write of one 8-byte word each). */
  updates: number;
  /** Core cycles of work per update. */
  gapCycles: number;
}

/** Random read-modify-write updates of 8-byte words of a table. */
export class Gups implements ThreadProgram {
  readonly name = "gups";
  private readonly p: GupsParams;
  private readonly rng: RngStream;
  private readonly words: number;
  private left: number;
  private pendingStore: number;

  constructor(p: GupsParams, rng: RngStream) {
    this.p = p;
    this.rng = rng;
    this.words = Math.max(1, Math.floor(p.tableBytes / 8));
    this.left = p.updates;
    this.pendingStore = -1;
  }

  next(op: MemOp): boolean {
    op.dependsOn = 0;
    if (this.pendingStore >= 0) {
      op.kind = OpKind.Store;
      op.vaddr = this.pendingStore;
      op.gapCycles = 1;
      this.pendingStore = -1;
      return true;
    }
    if (this.left <= 0) return false;
    this.left--;
    const va = this.p.tableVa + this.rng.int(this.words) * 8;
    op.kind = OpKind.Load;
    op.vaddr = va;
    op.gapCycles = this.p.gapCycles;
    this.pendingStore = va;
    return true;
  }
}
