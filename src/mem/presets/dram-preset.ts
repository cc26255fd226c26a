import type { DramParams } from "../dram/dram-params.ts";

/** A named memory part: a full parameter set plus a line saying what it is and where its numbers come from. */
export interface DramPreset extends DramParams {
  /** What the part is and the source of its figures. */
  description: string;
}

/**
 * Controller defaults shared by the DDR-style presets (queues, watermarks, row-hit cap, adaptive
 * timeout, writes per turn; the last as gem5's DRAM controller sets it).
 */
export const CONTROLLER_DEFAULTS = {
  pagePolicy: "open",
  idleCloseCycles: 64,
  readQueue: 32,
  writeQueue: 32,
  writeHighWatermark: 24,
  writeLowWatermark: 8,
  rowHitCap: 16,
  minWritesPerSwitch: 16,
} as const;
