import type { DramPreset } from "./dram-preset.ts";

/**
 * Optane-like persistent memory (first-generation Intel Optane DC PMM, one DIMM on one channel),
 * built from its published mechanisms on the DRAM machinery (as J. Yang et al., "An Empirical
 * Guide to the Behavior and Use of Scalable Persistent Memory", FAST 2020, measure them):
 *
 * - Bus: DDR-T on DDR4-2666 signalling, 64-bit, tCK 0.75 ns, BL8 = 64 B in 4 cycles (21.3 GB/s).
 * - Media lines of 256 bytes: a "row" is one 256-byte media line and a "bank" one of 8 media
 *   partitions. ACT reads the line from the media into the partition's buffer, so tRCD is the media
 *   read latency (310 cycles = 233 ns; about 250 ns for an idle random read at the DIMM, which puts
 *   the CPU-visible figure near the ~300 ns reported for random reads). The open rows are the
 *   DIMM's read buffer of 256-byte lines: later 64-byte reads of the same line cost CL + burst.
 * - Read-modify-write: a 64-byte write needs its 256-byte line in the buffer, so it also pays the
 *   media read (ACT) before its WR merges into the line; closing a written line writes it back to
 *   the media, which occupies the partition for tWR = 820 cycles (615 ns) after the last write
 *   data. Writes to the other 64-byte parts of an open line combine into the same media write.
 * - Asymmetric bandwidth: four media reads per tFAW (207 cycles = 155 ns) give 4 x 256 B / 155 ns =
 *   6.6 GB/s for sequential reads (1.65 GB/s for random 64-byte reads, a quarter of each line
 *   used); a media write holds its partition for tRCD + 4 bursts + tWR + tRP ~ 1180 cycles, so 8
 *   partitions write 8 x 256 B / 885 ns = 2.3 GB/s sequentially and ~0.6 GB/s for random 64-byte
 *   writes: several times below reads, as published for one DIMM (~6.6 vs ~2.3 GB/s).
 * - The write queue is the memory controller's persistent write pending queue (ADR domain): a
 *   write is acknowledged when it enters it, so store+flush latency stays close to DRAM's, and it
 *   drains at the media write bandwidth (64 entries, drain from 48 down to 16).
 * - Rows close after 128 idle cycles (adaptive policy), so written lines reach the media soon.
 * - No refresh.
 */
export const NVM_OPTANE: DramPreset = {
  description: "Optane-like NVM DIMM: 256 B media lines (RMW), media read ~233 ns / write ~615 ns, 6.6 / 2.3 GB/s, ADR write queue",
  tCKps: 750,
  channels: 1,
  ranks: 1,
  bankGroups: 1,
  banksPerGroup: 8,
  rows: 67108864,
  rowBytes: 256,
  lineBytes: 64,
  busBytes: 8,
  burstLength: 8,
  beatsPerClock: 2,
  tCL: 19,
  tCWL: 14,
  tRCD: 310,
  tRP: 20,
  tRAS: 314,
  tRC: 334,
  tCCD_S: 4,
  tCCD_L: 4,
  tRRD_S: 40,
  tRRD_L: 40,
  tFAW: 207,
  tWTR_S: 10,
  tWTR_L: 10,
  tWR: 820,
  tRTP: 10,
  tRTRS: 2,
  tRFC: 0,
  tREFI: 0,
  tRFCpb: 0,
  tREFIpb: 0,
  refresh: "none",
  mapping: "row-bank-rank-column-channel",
  pagePolicy: "adaptive",
  idleCloseCycles: 128,
  readQueue: 32,
  writeQueue: 64,
  writeHighWatermark: 48,
  writeLowWatermark: 16,
  rowHitCap: 16,
  minWritesPerSwitch: 16,
};
