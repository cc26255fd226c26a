import { CONTROLLER_DEFAULTS, type DramPreset } from "./dram-preset.ts";

/**
 * HBM2 (JESD235A), one stack: 8 channels x 128 bit at 2 Gb/s/pin (tCK 1 ns, DDR) = 256 GB/s,
 * 32 GB/s per channel; BL4 = 64 B in 2 cycles. CL-tRCD-tRP 14-14-14, tRAS 34, tRFC 260,
 * tREFI 3900 (JESD235A); 4 bank groups x 4 banks, 1 KiB page, tRRD_S/L 4/6,
 * tFAW 30, tWTR_S/L 6/8, tWR 16, tRTP 4, CWL 4 (DRAMsim3's HBM2_8Gb_x128 configuration); tCCD_S 2 (one
 * burst), tCCD_L 4. Per-bank refresh: tRFCSB 160 ns, one bank every tREFI / 16 = 243 cycles.
 */
export const HBM2: DramPreset = {
  description: "HBM2 stack: 8 x 128-bit channels at 2 Gb/s/pin = 256 GB/s (JESD235A)",
  tCKps: 1000,
  channels: 8,
  ranks: 1,
  bankGroups: 4,
  banksPerGroup: 4,
  rows: 32768,
  rowBytes: 1024,
  lineBytes: 64,
  busBytes: 16,
  burstLength: 4,
  beatsPerClock: 2,
  tCL: 14,
  tCWL: 4,
  tRCD: 14,
  tRP: 14,
  tRAS: 34,
  tRC: 48,
  tCCD_S: 2,
  tCCD_L: 4,
  tRRD_S: 4,
  tRRD_L: 6,
  tFAW: 30,
  tWTR_S: 6,
  tWTR_L: 8,
  tWR: 16,
  tRTP: 4,
  tRTRS: 1,
  tRFC: 260,
  tREFI: 3900,
  tRFCpb: 160,
  tREFIpb: 243,
  refresh: "per-bank",
  mapping: "row-column-rank-bank-bankgroup-channel",
  ...CONTROLLER_DEFAULTS,
};

/**
 * HBM3 (JESD238), one stack: 16 channels x 2 pseudo-channels of 32 bit at 6.4 Gb/s/pin = 819 GB/s.
 * Each pseudo-channel is modelled as a channel (32 of them, 25.6 GB/s each):
 * CK 1.6 GHz (tCK 0.625 ns) with four data beats per CK, BL8 = 32 B in 2 cycles, so a 64-byte line
 * takes two bursts. Core timings as HBM2 in ns: tRCD/tRP/CL 14 ns = 23, tRAS 33 ns = 53, tWR 16 ns
 * = 26, tRRD_S/L 2.5/3.75 ns = 4/6, tFAW 15 ns = 24, tWTR_S/L 2.5/7.5 ns = 4/12, tRTP 3.75 ns = 6;
 * tRFC 350 ns (8 Gb) = 560, tREFI 3.9 us = 6240, per-bank tRFCSB 160 ns = 256 every tREFI / 16.
 */
export const HBM3: DramPreset = {
  description: "HBM3 stack: 32 x 32-bit pseudo-channels at 6.4 Gb/s/pin = 819 GB/s (JESD238)",
  tCKps: 625,
  channels: 32,
  ranks: 1,
  bankGroups: 4,
  banksPerGroup: 4,
  rows: 32768,
  rowBytes: 1024,
  lineBytes: 64,
  busBytes: 4,
  burstLength: 8,
  beatsPerClock: 4,
  tCL: 23,
  tCWL: 8,
  tRCD: 23,
  tRP: 23,
  tRAS: 53,
  tRC: 76,
  tCCD_S: 2,
  tCCD_L: 4,
  tRRD_S: 4,
  tRRD_L: 6,
  tFAW: 24,
  tWTR_S: 4,
  tWTR_L: 12,
  tWR: 26,
  tRTP: 6,
  tRTRS: 1,
  tRFC: 560,
  tREFI: 6240,
  tRFCpb: 256,
  tREFIpb: 390,
  refresh: "per-bank",
  mapping: "row-column-rank-bank-bankgroup-channel",
  ...CONTROLLER_DEFAULTS,
};
