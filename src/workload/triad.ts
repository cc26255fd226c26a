import { MemOp, OpKind, type ThreadProgram } from "../cpu/mem-op.ts";

/** Parameters of one thread's share of STREAM triad, a[i] = b[i] + s * c[i]. */
export interface TriadParams {
  aVa: number;
  bVa: number;
  cVa: number;
  /** First element of this thread's chunk. */
  first: number;
  /** Elements in this thread's chunk. */
  count: number;
  /** Bytes per element (8 for doubles). */
  elementBytes: number;
  /** Times the chunk is swept. */
  passes: number;
  /** Core cycles of arithmetic and loop overhead per element. */
  gapCycles: number;
}

/** One thread of STREAM triad: per element two loads (b, c) and one store (a). */
export class Triad implements ThreadProgram {
  readonly name = "triad";
  private readonly p: TriadParams;
  private i: number;
  private step: number;
  private pass: number;

  constructor(p: TriadParams) {
    this.p = p;
    this.i = 0;
    this.step = 0;
    this.pass = 0;
  }

  next(op: MemOp): boolean {
    if (this.pass >= this.p.passes || this.p.count <= 0) return false;
    const off = (this.p.first + this.i) * this.p.elementBytes;
    op.dependsOn = 0;
    if (this.step === 0) {
      op.kind = OpKind.Load;
      op.vaddr = this.p.bVa + off;
      op.gapCycles = this.p.gapCycles;
      this.step = 1;
    } else if (this.step === 1) {
      op.kind = OpKind.Load;
      op.vaddr = this.p.cVa + off;
      op.gapCycles = 0;
      this.step = 2;
    } else {
      op.kind = OpKind.Store;
      op.vaddr = this.p.aVa + off;
      op.gapCycles = 0;
      this.step = 0;
      if (++this.i === this.p.count) {
        this.i = 0;
        this.pass++;
      }
    }
    return true;
  }
}
