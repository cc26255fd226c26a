import type { DramParams } from "../dram/dram-params.ts";

/** A named memory part: a full parameter set plus a line saying what it is and where its numbers come from. */
export interface DramPreset extends DramParams {
  /** What the part is and the source of its figures. */
  description: string;
}

/**
 * Controller defaults shared by the DDR-style presets (queues, watermarks, row-hit cap, adaptive
 * timeout). A turn to writes does a quarter of the write queue, as gem5 (16 of 64) and close to
 * DRAMsim3, which drains every buffered write once more than 8 wait and no read is queued.
 */
export const CONTROLLER_DEFAULTS = {
  pagePolicy: "open",
  idleCloseCycles: 64,
  readQueue: 32,
  writeQueue: 32,
  writeHighWatermark: 24,
  writeLowWatermark: 8,
  rowHitCap: 16,
  minWritesPerSwitch: 8,
} as const;
