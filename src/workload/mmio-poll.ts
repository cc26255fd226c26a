import { MemOp, OpKind, type ThreadProgram } from "../cpu/mem-op.ts";
import { Reg } from "../accel/device-registers.ts";

/** Parameters of a doorbell-and-poll loop. */
export interface MmioPollParams {
  /** Physical address of the device's register range. */
  mmioBase: number;
  /** Doorbells rung. */
  iterations: number;
  /** Device work per doorbell, in ns (the value written to the doorbell). */
  deviceWorkNs: number;
  /** Core cycles between status polls. */
  pollGapCycles: number;
  /** Core cycles before each doorbell. */
  gapCycles: number;
}

/**
 * A driver's doorbell-and-poll loop: ring the device's work doorbell (a posted MMIO write), then
 * read its status register (uncacheable, strictly ordered MMIO reads) until the job is done.
 */
export class MmioPoll implements ThreadProgram {
  readonly name = "mmio-poll";
  private readonly p: MmioPollParams;
  private iteration: number;
  private rung: boolean;
  private status: number;
  /** Status reads in all (the polls). */
  polls: number;

  constructor(p: MmioPollParams) {
    this.p = p;
    this.iteration = 0;
    this.rung = false;
    this.status = 0;
    this.polls = 0;
  }

  next(op: MemOp): boolean {
    op.dependsOn = 0;
    op.bytes = 0;
    if (this.rung && this.status > this.iteration) {
      this.iteration++;
      this.rung = false;
    }
    if (this.iteration >= this.p.iterations) return false;
    if (!this.rung) {
      op.kind = OpKind.MmioStore;
      op.vaddr = this.p.mmioBase + Reg.DOORBELL_WORK;
      op.bytes = this.p.deviceWorkNs;
      op.gapCycles = this.p.gapCycles;
      this.rung = true;
      return true;
    }
    op.kind = OpKind.MmioLoad;
    op.vaddr = this.p.mmioBase + Reg.STATUS;
    op.gapCycles = this.polls === 0 ? 0 : this.p.pollGapCycles;
    this.polls++;
    return true;
  }

  mmioValue(value: number): void {
    this.status = value;
  }
}
