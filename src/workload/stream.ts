import { MemOp, OpKind, type ThreadProgram } from "../cpu/mem-op.ts";

/** What a stream does with each element. */
export type StreamMode = "read" | "write" | "copy";

/** Parameters of a sequential stream over a working set (the fig. 5.4 experiment). */
export interface StreamParams {
  mode: StreamMode;
  /** First virtual byte read (read, copy). */
  srcVa: number;
  /** First virtual byte written (write, copy). */
  dstVa: number;
  /** Working-set size in bytes (per array). */
  workingSetBytes: number;
  /** Bytes per access. */
  elementBytes: number;
  /** Times the working set is walked. */
  passes: number;
  /** Core cycles of work per element. */
  gapCycles: number;
  /** Each access waits for the one this many before it (0: independent accesses). */
  dependsOn?: number;
}

/** Sequential reads, writes or copies of a working set, `passes` times over. */
export class Stream implements ThreadProgram {
  readonly name: string;
  private readonly p: StreamParams;
  private readonly elements: number;
  private i: number;
  private pass: number;
  private half: number;

  constructor(p: StreamParams) {
    this.name = `stream-${p.mode}`;
    this.p = p;
    this.elements = Math.max(1, Math.floor(p.workingSetBytes / p.elementBytes));
    this.i = 0;
    this.pass = 0;
    this.half = 0;
  }

  next(op: MemOp): boolean {
    if (this.pass >= this.p.passes) return false;
    const off = this.i * this.p.elementBytes;
    op.dependsOn = this.p.dependsOn ?? 0;
    if (this.p.mode === "read") {
      op.kind = OpKind.Load;
      op.vaddr = this.p.srcVa + off;
      op.gapCycles = this.p.gapCycles;
      this.advance();
    } else if (this.p.mode === "write") {
      op.kind = OpKind.Store;
      op.vaddr = this.p.dstVa + off;
      op.gapCycles = this.p.gapCycles;
      this.advance();
    } else if (this.half === 0) {
      op.kind = OpKind.Load;
      op.vaddr = this.p.srcVa + off;
      op.gapCycles = this.p.gapCycles;
      this.half = 1;
    } else {
      op.kind = OpKind.Store;
      op.vaddr = this.p.dstVa + off;
      op.gapCycles = 0;
      this.half = 0;
      this.advance();
    }
    return true;
  }

  private advance(): void {
    if (++this.i === this.elements) {
      this.i = 0;
      this.pass++;
    }
  }
}
