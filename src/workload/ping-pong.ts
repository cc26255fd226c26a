import { MemOp, OpKind, type ThreadProgram } from "../cpu/mem-op.ts";
import { Reg } from "../accel/device-registers.ts";

/**
 * What the host can observe of its mailbox line: the device bumps `arrived` when its write of
 * the line has been performed at the line's home (every cached copy invalidated, memory written).
 */
export class Mailbox {
  /** Answers the device has written so far. */
  arrived = 0;
}

/** Parameters of a host-device ping-pong. */
export interface PingPongParams {
  mmioBase: number;
  /** Virtual address of the host mailbox line. */
  mailboxVa: number;
  iterations: number;
  gapCycles: number;
}

/**
 * Host-device ping-pong: the host rings the echo doorbell (a posted MMIO write); the device
 * writes its answer into the host mailbox with a coherent DMA write, which invalidates the line
 * in the host's caches; the host spins on the line with ordinary loads (cache hits) until a load
 * misses and brings the answer in. One round trip per iteration.
 */
export class PingPong implements ThreadProgram {
  readonly name = "ping-pong";
  private readonly p: PingPongParams;
  private readonly mailbox: Mailbox;
  private iteration: number;
  private state: number;
  /** Loads of the mailbox in all (spins). */
  spins: number;

  constructor(p: PingPongParams, mailbox: Mailbox) {
    this.p = p;
    this.mailbox = mailbox;
    this.iteration = 0;
    this.state = 0;
    this.spins = 0;
  }

  next(op: MemOp): boolean {
    op.dependsOn = 0;
    op.bytes = 0;
    op.gapCycles = 0;
    for (;;) {
      if (this.iteration >= this.p.iterations) return false;
      switch (this.state) {
        case 0:
          // Tell the device where the mailbox is, once.
          op.kind = OpKind.MmioStore;
          op.vaddr = this.p.mmioBase + Reg.ECHO_ADDR;
          op.bytes = this.p.mailboxVa;
          this.state = 1;
          return true;
        case 1:
          op.kind = OpKind.MmioStore;
          op.vaddr = this.p.mmioBase + Reg.DOORBELL_ECHO;
          op.bytes = this.iteration + 1;
          op.gapCycles = this.p.gapCycles;
          this.state = 2;
          return true;
        case 2:
          // Spin: each load waits for the previous one (it is the loop's branch condition).
          op.kind = OpKind.Load;
          op.vaddr = this.p.mailboxVa;
          op.dependsOn = this.spins > 0 ? 1 : 0;
          this.spins++;
          // The answer is in memory: this load misses and returns it; the round trip ends with it.
          if (this.mailbox.arrived > this.iteration) {
            this.iteration++;
            this.state = 1;
          }
          return true;
      }
    }
  }
}
