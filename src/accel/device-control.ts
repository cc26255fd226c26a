import type { EventHandler } from "../kernel/event-queue.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import type { DmaEngine } from "./dma-engine.ts";
import { DMA_D2H, DMA_NO_SNOOP, Reg } from "./device-registers.ts";
import type { MmioRegisters } from "./mmio-registers.ts";
import type { Mailbox } from "../workload/ping-pong.ts";

/** Functional virtual-to-physical lookup of the process whose buffers the driver pinned. */
export interface PinnedPages {
  /** Physical address of a virtual byte address (the page must be mapped). */
  physical(va: number): number;
}

const EV_DMA = 1;
const EV_DMA_PIECE = 2;
const EV_WORK = 3;
const EV_WORK_DONE = 4;
const EV_ECHO = 5;
const EV_ECHO_DONE = 6;

/**
 * The device's command processor: it acts on doorbell writes to its registers. A DMA doorbell
 * starts a copy between the pinned host buffer (a scatter list of physically contiguous runs) and
 * device memory on the DMA engine; a work doorbell stands for `value` ns of device work; an echo
 * doorbell writes a 64-byte answer into the host mailbox by DMA. Each finished job bumps STATUS.
 */
export class DeviceControl implements EventHandler {
  readonly name: string;
  private readonly sim: Simulator;
  private readonly regs: MmioRegisters;
  private readonly dma: DmaEngine;
  private readonly mailbox: Mailbox;
  private readonly deviceMemBase: number;
  private readonly lineBytes: number;
  private pages: PinnedPages | null;
  private pageBytes: number;
  /** Pieces of the running DMA job still in flight. */
  private piecesLeft: number;
  private readonly stJobs: Counter;
  private readonly stDmaPieces: Counter;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, regs: MmioRegisters, dma: DmaEngine, mailbox: Mailbox, deviceMemBase: number, lineBytes: number) {
    this.name = name;
    this.sim = sim;
    this.regs = regs;
    this.dma = dma;
    this.mailbox = mailbox;
    this.deviceMemBase = deviceMemBase;
    this.lineBytes = lineBytes;
    this.pages = null;
    this.pageBytes = 4096;
    this.piecesLeft = 0;
    this.stJobs = stats.counter(`${name}.jobs`, "count", "doorbell jobs finished");
    this.stDmaPieces = stats.counter(`${name}.dmaPieces`, "count", "physically contiguous pieces of DMA jobs");
    regs.setDoorbell(Reg.DOORBELL_DMA, this, EV_DMA);
    regs.setDoorbell(Reg.DOORBELL_WORK, this, EV_WORK);
    regs.setDoorbell(Reg.DOORBELL_ECHO, this, EV_ECHO);
  }

  /** Gives the device the page list of the process whose buffers its driver pins. */
  pin(pages: PinnedPages, pageBytes: number): void {
    this.pages = pages;
    this.pageBytes = pageBytes;
  }

  handleEvent(kind: number, payload: unknown): void {
    switch (kind) {
      case EV_DMA:
        this.startDma();
        return;
      case EV_DMA_PIECE:
        if (--this.piecesLeft === 0) this.finishJob();
        return;
      case EV_WORK:
        this.sim.schedule(this, Math.round((payload as number) * 1000), EV_WORK_DONE, null);
        return;
      case EV_WORK_DONE:
        this.finishJob();
        return;
      case EV_ECHO: {
        const dst = this.physical(this.regs.value(Reg.ECHO_ADDR));
        this.dma.submit({ src: this.deviceMemBase, dst, bytes: this.lineBytes, snoop: true }, this, EV_ECHO_DONE, null);
        return;
      }
      case EV_ECHO_DONE:
        this.mailbox.arrived++;
        this.finishJob();
        return;
    }
  }

  private finishJob(): void {
    this.stJobs.value++;
    this.regs.setValue(Reg.STATUS, this.regs.value(Reg.STATUS) + 1);
  }

  private physical(va: number): number {
    if (this.pages === null) throw new Error(`${this.name}: a DMA names host memory, but no process has pinned buffers for the device`);
    return this.pages.physical(va);
  }

  /** Cuts the host buffer into physically contiguous runs and queues one descriptor per run. */
  private startDma(): void {
    const hostVa = this.regs.value(Reg.DMA_HOST);
    const devOff = this.regs.value(Reg.DMA_DEVICE);
    const bytes = this.regs.value(Reg.DMA_BYTES);
    const flags = this.regs.value(Reg.DMA_FLAGS);
    const d2h = (flags & DMA_D2H) !== 0;
    const snoop = (flags & DMA_NO_SNOOP) === 0;
    if (bytes <= 0) {
      this.finishJob();
      return;
    }
    let done = 0;
    let pieces = 0;
    while (done < bytes) {
      const va = hostVa + done;
      const pa = this.physical(va);
      let run = this.pageBytes - (va % this.pageBytes);
      // Extend the run while the next page follows physically.
      while (done + run < bytes && this.physical(va + run) === pa + run) run += this.pageBytes;
      if (done + run > bytes) run = bytes - done;
      const dev = this.deviceMemBase + devOff + done;
      this.dma.submit(d2h ? { src: dev, dst: pa, bytes: run, snoop } : { src: pa, dst: dev, bytes: run, snoop }, this, EV_DMA_PIECE, null);
      pieces++;
      done += run;
    }
    this.piecesLeft = pieces;
    this.stDmaPieces.value += pieces;
  }
}
