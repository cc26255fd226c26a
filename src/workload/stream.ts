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
  /** munmap the working set after each pass (read and write modes). */
  unmapEachPass?: boolean;
}

/** Sequential reads, writes or copies of a working set, `passes` times over. */
export class Stream implements ThreadProgram {
  readonly name: string;
  private readonly p: StreamParams;
  private readonly elements: number;
  private i: number;
  private pass: number;
  private half: number;
  private unmapDue: boolean;

  constructor(p: StreamParams) {
    this.name = `stream-${p.mode}`;
    this.p = p;
    this.elements = Math.max(1, Math.floor(p.workingSetBytes / p.elementBytes));
    this.i = 0;
    this.pass = 0;
    this.half = 0;
    this.unmapDue = false;
  }

  next(op: MemOp): boolean {
    if (this.pass >= this.p.passes) return false;
    if (this.unmapDue) {
      this.unmapDue = false;
      op.kind = OpKind.Unmap;
      op.vaddr = this.p.mode === "read" ? this.p.srcVa : this.p.dstVa;
      op.bytes = this.elements * this.p.elementBytes;
      op.gapCycles = this.p.gapCycles;
      op.dependsOn = 0;
      this.pass++;
      return true;
    }
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
      // With unmapping, the pass ends after its munmap.
      if (this.p.unmapEachPass === true && this.p.mode !== "copy") this.unmapDue = true;
      else this.pass++;
    }
  }
}
