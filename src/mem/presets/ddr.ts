import { CONTROLLER_DEFAULTS, type DramPreset } from "./dram-preset.ts";

// DDR SDRAM generations. Timing is in memory-clock cycles (tCK), as in the JEDEC speed-bin tables;
// CL-tRCD-tRP, tRAS, tRFC and tREFI, and the secondary timings (tRRD, tFAW, tWTR, tWR, tRTP, tCCD),
// come from the JEDEC standard named for each part, for its speed bin, density and page size
// (cross-checked with DRAMsim3's configurations for the same parts).

/**
 * DDR-400 (PC3200), the Opteron's memory: JESD79 DDR400B 3-3-3 at tCK 5 ns, tRAS 40 ns, tRFC 70 ns,
 * tREFI 7.8 us. 512 Mb x8 devices: 4 banks, 8 KiB rank page.
 * Two 64-bit channels per node, BL8 (64 B in 4 cycles): 3.2 GB/s each, 6.4 GB/s per node.
 * DDR1 has no bank groups and no four-activate window (tFAW 0); a PRE may follow a RD after BL/2.
 */
export const DDR_400: DramPreset = {
  description: "DDR-400 (PC3200) 3-3-3, two 64-bit channels = 6.4 GB/s (JESD79 DDR400B)",
  tCKps: 5000,
  channels: 2,
  ranks: 1,
  bankGroups: 1,
  banksPerGroup: 4,
  rows: 8192,
  rowBytes: 8192,
  lineBytes: 64,
  busBytes: 8,
  burstLength: 8,
  beatsPerClock: 2,
  tCL: 3,
  tCWL: 1,
  tRCD: 3,
  tRP: 3,
  tRAS: 8,
  tRC: 11,
  tCCD_S: 1,
  tCCD_L: 1,
  tRRD_S: 2,
  tRRD_L: 2,
  tFAW: 0,
  tWTR_S: 2,
  tWTR_L: 2,
  tWR: 3,
  tRTP: 4,
  tRTRS: 1,
  tRFC: 14,
  tREFI: 1560,
  tRFCpb: 0,
  tREFIpb: 0,
  refresh: "all-bank",
  mapping: "row-bank-rank-column-channel",
  ...CONTROLLER_DEFAULTS,
  readQueue: 16,
  writeQueue: 16,
  writeHighWatermark: 12,
  writeLowWatermark: 4,
  minWritesPerSwitch: 4,
};

/**
 * DDR3-1600K 11-11-11 (JESD79-3F), 8 Gb x8 devices (Micron MT41K1G8): 8 banks, 1 KiB device page
 * (8 KiB rank page), tRRD max(4 nCK, 6 ns) = 5, tFAW 30 ns = 24, tWTR/tRTP 7.5 ns = 6, tWR 15 ns = 12;
 * tRAS 28, tRFC 350 ns = 280, tREFI 7.8 us = 6240.
 * One 64-bit channel: 12.8 GB/s.
 */
export const DDR3_1600: DramPreset = {
  description: "DDR3-1600K 11-11-11, 8 Gb x8, one 64-bit channel = 12.8 GB/s (JESD79-3F)",
  tCKps: 1250,
  channels: 1,
  ranks: 1,
  bankGroups: 1,
  banksPerGroup: 8,
  rows: 65536,
  rowBytes: 8192,
  lineBytes: 64,
  busBytes: 8,
  burstLength: 8,
  beatsPerClock: 2,
  tCL: 11,
  tCWL: 8,
  tRCD: 11,
  tRP: 11,
  tRAS: 28,
  tRC: 39,
  tCCD_S: 4,
  tCCD_L: 4,
  tRRD_S: 5,
  tRRD_L: 5,
  tFAW: 24,
  tWTR_S: 6,
  tWTR_L: 6,
  tWR: 12,
  tRTP: 6,
  tRTRS: 2,
  tRFC: 280,
  tREFI: 6240,
  tRFCpb: 0,
  tREFIpb: 0,
  refresh: "all-bank",
  mapping: "row-bank-rank-column-channel",
  ...CONTROLLER_DEFAULTS,
};

/**
 * DDR4-2400R 16-16-16 (JESD79-4B), 8 Gb x8 (Micron MT40A1G8-083E): 4 bank groups x 4 banks, 1 KiB
 * device page; tRRD_S/L 4/6 (3.3/4.9 ns), tFAW 21 ns = 26, tWTR_S/L 2.5/7.5 ns = 3/9, tWR 15 ns = 18,
 * tRTP 7.5 ns = 9, tCCD_S/L 4/6, CWL 12; tRAS 39, tRFC 350 ns = 420, tREFI 9364. One 64-bit
 * channel: 19.2 GB/s.
 */
export const DDR4_2400: DramPreset = {
  description: "DDR4-2400R 16-16-16, 8 Gb x8, one 64-bit channel = 19.2 GB/s (JESD79-4B)",
  tCKps: 833,
  channels: 1,
  ranks: 1,
  bankGroups: 4,
  banksPerGroup: 4,
  rows: 65536,
  rowBytes: 8192,
  lineBytes: 64,
  busBytes: 8,
  burstLength: 8,
  beatsPerClock: 2,
  tCL: 16,
  tCWL: 12,
  tRCD: 16,
  tRP: 16,
  tRAS: 39,
  tRC: 55,
  tCCD_S: 4,
  tCCD_L: 6,
  tRRD_S: 4,
  tRRD_L: 6,
  tFAW: 26,
  tWTR_S: 3,
  tWTR_L: 9,
  tWR: 18,
  tRTP: 9,
  tRTRS: 2,
  tRFC: 420,
  tREFI: 9364,
  tRFCpb: 0,
  tREFIpb: 0,
  refresh: "all-bank",
  mapping: "row-column-rank-bank-bankgroup-channel",
  ...CONTROLLER_DEFAULTS,
};

/**
 * DDR4-2666V 19-19-19 (JESD79-4B), 8 Gb x8: tCK 0.75 ns, tRAS 32 ns = 43, tRC 62, tRRD_S/L 4/7,
 * tFAW 21 ns = 28, tWTR_S/L 4/10, tWR 20, tRTP 10, tCCD_S/L 4/7, CWL 14, tRFC 350 ns = 467,
 * tREFI 7.8 us = 10400 (DRAMsim3's DDR4_8Gb_x8_2666 configuration agrees). One 64-bit channel: 21.3 GB/s.
 */
export const DDR4_2666: DramPreset = {
  ...DDR4_2400,
  description: "DDR4-2666V 19-19-19, 8 Gb x8, one 64-bit channel = 21.3 GB/s (JESD79-4B)",
  tCKps: 750,
  tCL: 19,
  tCWL: 14,
  tRCD: 19,
  tRP: 19,
  tRAS: 43,
  tRC: 62,
  tCCD_S: 4,
  tCCD_L: 7,
  tRRD_S: 4,
  tRRD_L: 7,
  tFAW: 28,
  tWTR_S: 4,
  tWTR_L: 10,
  tWR: 20,
  tRTP: 10,
  tRFC: 467,
  tREFI: 10400,
};

/**
 * DDR4-3200AA 22-22-22 (JESD79-4C), 8 Gb x8: tCK 0.625 ns, tRAS 52, tRC 74, tRRD_S/L 4/8,
 * tFAW 21 ns = 34, tWTR_S/L 4/12, tWR 24, tRTP 12, tCCD_S/L 4/8, CWL 16; tRFC 560, tREFI 12480.
 * One 64-bit channel: 25.6 GB/s.
 */
export const DDR4_3200: DramPreset = {
  ...DDR4_2400,
  description: "DDR4-3200AA 22-22-22, 8 Gb x8, one 64-bit channel = 25.6 GB/s (JESD79-4C)",
  tCKps: 625,
  tCL: 22,
  tCWL: 16,
  tRCD: 22,
  tRP: 22,
  tRAS: 52,
  tRC: 74,
  tCCD_S: 4,
  tCCD_L: 8,
  tRRD_S: 4,
  tRRD_L: 8,
  tFAW: 34,
  tWTR_S: 4,
  tWTR_L: 12,
  tWR: 24,
  tRTP: 12,
  tRFC: 560,
  tREFI: 12480,
};

/**
 * DDR5-4800B 40-39-39 (JESD79-5), 16 Gb x8: one DIMM = two independent 32-bit subchannels (the
 * channels here), BL16 = 64 B in 8 cycles, 19.2 GB/s each; 8 bank groups x 4 banks, 4 KiB
 * subchannel page; tRAS 32 ns = 77, tRC 116, tRFC1 295 ns = 708, tREFI 3.9 us = 9360;
 * tCCD_S/L 8/12 (5 ns), tRRD_S/L 8/12, tFAW 32 (x8), tWTR_S/L 2.5/10 ns =
 * 6/24, tWR 30 ns = 72, tRTP 7.5 ns = 18, CWL = CL - 2. Per-bank refresh as DDR5's same-bank
 * refresh: tRFCsb 130 ns = 312, one bank every tREFI / 32 = 292 cycles. (DDR5's longer
 * same-bank-group write-to-write tCCD_L_WR is not modelled.)
 */
export const DDR5_4800: DramPreset = {
  description: "DDR5-4800B 40-39-39, 16 Gb x8, two 32-bit subchannels = 38.4 GB/s (JESD79-5)",
  tCKps: 417,
  channels: 2,
  ranks: 1,
  bankGroups: 8,
  banksPerGroup: 4,
  rows: 65536,
  rowBytes: 4096,
  lineBytes: 64,
  busBytes: 4,
  burstLength: 16,
  beatsPerClock: 2,
  tCL: 40,
  tCWL: 38,
  tRCD: 39,
  tRP: 39,
  tRAS: 77,
  tRC: 116,
  tCCD_S: 8,
  tCCD_L: 12,
  tRRD_S: 8,
  tRRD_L: 12,
  tFAW: 32,
  tWTR_S: 6,
  tWTR_L: 24,
  tWR: 72,
  tRTP: 18,
  tRTRS: 2,
  tRFC: 708,
  tREFI: 9360,
  tRFCpb: 312,
  tREFIpb: 292,
  refresh: "per-bank",
  mapping: "row-column-rank-bank-bankgroup-channel",
  ...CONTROLLER_DEFAULTS,
};
