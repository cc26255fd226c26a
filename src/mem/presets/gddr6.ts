import { CONTROLLER_DEFAULTS, type DramPreset } from "./dram-preset.ts";

/**
 * GDDR6 at 16 Gb/s/pin (JESD250; Micron MT61K256M32 class), one x32 device = two independent
 * 16-bit channels, 64 GB/s (32 pins x 16 Gb/s). Commands run on
 * CK = 2 GHz (tCK 0.5 ns) and data on WCK, eight beats per CK: BL16 = 32 B in 2 cycles, so a
 * 64-byte line takes two bursts. 4 bank groups x 4 banks, 2 KiB page. Core timings in ns (as in
 * Ramulator 2's GDDR6 preset): CL 14 ns = 28, tRCD/tRP 15 ns = 30, tRAS 30 ns = 60, tRC 90,
 * tWR 15 ns = 30, tRTP 5, CWL 7, tCCD_S/L 2/4, tRRD 4 ns = 8, tFAW 16 ns = 32, tWTR_S/L 5/6.5 ns =
 * 10/13; all-bank refresh tRFC 120 ns = 240 every 1.9 us = 3800 cycles.
 */
export const GDDR6: DramPreset = {
  description: "GDDR6 16 Gb/s, one x32 device = two 16-bit channels = 64 GB/s (JESD250)",
  tCKps: 500,
  channels: 2,
  ranks: 1,
  bankGroups: 4,
  banksPerGroup: 4,
  rows: 16384,
  rowBytes: 2048,
  lineBytes: 64,
  busBytes: 2,
  burstLength: 16,
  beatsPerClock: 8,
  tCL: 28,
  tCWL: 7,
  tRCD: 30,
  tRP: 30,
  tRAS: 60,
  tRC: 90,
  tCCD_S: 2,
  tCCD_L: 4,
  tRRD_S: 8,
  tRRD_L: 8,
  tFAW: 32,
  tWTR_S: 10,
  tWTR_L: 13,
  tWR: 30,
  tRTP: 5,
  tRTRS: 2,
  tRFC: 240,
  tREFI: 3800,
  tRFCpb: 120,
  tREFIpb: 237,
  refresh: "all-bank",
  mapping: "row-column-rank-bank-bankgroup-channel",
  ...CONTROLLER_DEFAULTS,
};
