import { MemOp, OpKind, type ThreadProgram } from "../cpu/mem-op.ts";
import { DMA_D2H, DMA_NO_SNOOP, Reg } from "../accel/device-registers.ts";

/** Parameters of a driver that copies a host buffer to or from device memory by DMA. */
export interface DmaDriverParams {
  mmioBase: number;
  /** Virtual address of the host buffer. */
  bufferVa: number;
  bytes: number;
  /** Offset of the copy in device memory. */
  deviceOffset: number;
  direction: "h2d" | "d2h";
  /** Coherent DMA snoops the caches; otherwise the driver flushes (h2d) or invalidates (d2h) the buffer's lines itself. */
  coherent: boolean;
  /** Write the buffer before each h2d copy. */
  prepare: boolean;
  iterations: number;
  lineBytes: number;
  pollGapCycles: number;
  gapCycles: number;
}

const WRITE = 0;
const FLUSH = 1;
const DESCRIBE = 2;
const POLL = 3;
const READ = 4;

/**
 * A driver's DMA copy: (h2d) the thread writes the buffer; for non-coherent DMA it flushes every
 * line of it (clflush: dirty lines go to memory, as software must by hand for non-coherent DMA:
 * Bhattacharjee & Lustig, "Architectural and Operating System Support for Virtual Memory",
 * 2017), and before a d2h copy it drops the buffer's lines the same way (so no stale copy is read later); it writes the
 * descriptor registers and rings the DMA doorbell; it polls the status register until the copy
 * is done; after a d2h copy it reads the buffer.
 */
export class DmaDriver implements ThreadProgram {
  readonly name = "dma-driver";
  private readonly p: DmaDriverParams;
  private readonly lines: number;
  private iteration: number;
  private phase: number;
  private i: number;
  private status: number;
  /** Status polls in all. */
  polls: number;

  constructor(p: DmaDriverParams) {
    this.p = p;
    this.lines = Math.ceil(p.bytes / p.lineBytes);
    this.iteration = 0;
    this.phase = WRITE;
    this.i = 0;
    this.status = 0;
    this.polls = 0;
  }

  next(op: MemOp): boolean {
    const p = this.p;
    op.dependsOn = 0;
    op.bytes = 0;
    op.gapCycles = 0;
    for (;;) {
      if (this.iteration >= p.iterations) return false;
      switch (this.phase) {
        case WRITE:
          if (p.direction === "h2d" && p.prepare && this.i < this.lines) {
            op.kind = OpKind.Store;
            op.vaddr = p.bufferVa + this.i++ * p.lineBytes;
            op.gapCycles = p.gapCycles;
            return true;
          }
          this.next_(FLUSH);
          continue;
        case FLUSH:
          if (!p.coherent && this.i < this.lines) {
            op.kind = OpKind.Flush;
            op.vaddr = p.bufferVa + this.i++ * p.lineBytes;
            return true;
          }
          this.next_(DESCRIBE);
          continue;
        case DESCRIBE: {
          const regs = [Reg.DMA_HOST, Reg.DMA_DEVICE, Reg.DMA_BYTES, Reg.DMA_FLAGS, Reg.DOORBELL_DMA];
          if (this.i < regs.length) {
            const r = regs[this.i++];
            op.kind = OpKind.MmioStore;
            op.vaddr = p.mmioBase + r;
            op.bytes = r === Reg.DMA_HOST ? p.bufferVa : r === Reg.DMA_DEVICE ? p.deviceOffset : r === Reg.DMA_BYTES ? p.bytes : r === Reg.DMA_FLAGS ? (p.direction === "d2h" ? DMA_D2H : 0) | (p.coherent ? 0 : DMA_NO_SNOOP) : this.iteration + 1;
            return true;
          }
          this.next_(POLL);
          continue;
        }
        case POLL:
          if (this.status <= this.iteration) {
            op.kind = OpKind.MmioLoad;
            op.vaddr = p.mmioBase + Reg.STATUS;
            op.gapCycles = this.polls === 0 ? 0 : p.pollGapCycles;
            this.polls++;
            // The status read's value is back before next() is asked again (an MMIO read is a fence).
            return true;
          }
          this.next_(READ);
          continue;
        case READ:
          if (p.direction === "d2h" && this.i < this.lines) {
            op.kind = OpKind.Load;
            op.vaddr = p.bufferVa + this.i++ * p.lineBytes;
            return true;
          }
          this.iteration++;
          this.next_(WRITE);
          continue;
      }
    }
  }

  mmioValue(value: number): void {
    this.status = value;
  }

  private next_(phase: number): void {
    this.phase = phase;
    this.i = 0;
  }
}
