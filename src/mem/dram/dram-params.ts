import type { MappingOrganisation } from "./address-mapping.ts";

/** How the rows of a device are refreshed: all banks of a rank at once, one bank at a time, or never (NVM). */
export type RefreshMode = "all-bank" | "per-bank" | "none";

/** When the controller closes an open row: on a conflict only, as soon as no queued request wants it, or after an idle timeout. */
export type PagePolicy = "open" | "closed" | "adaptive";

/**
 * Everything one channel controller needs: the device organisation, its timing in memory-clock
 * cycles (tCK, as JEDEC tables give them) and the controller's policies. Presets and `--set`
 * overrides resolve to one of these; the simulator never sees unit strings. The organisation
 * (channels, ranks, bank groups, banks, rows, row and line bytes) is MappingOrganisation's.
 */
export interface DramParams extends MappingOrganisation {
  /** Memory clock period (tCK) in whole picoseconds; commands issue on its edges. */
  tCKps: number;
  /** Data-bus width of a channel in bytes (bytes per beat). */
  busBytes: number;
  /** Beats per burst (BL). */
  burstLength: number;
  /** Data beats per memory-clock cycle: 2 for DDR, 4 for HBM3's data clock, 8 for GDDR6's WCK against CK. */
  beatsPerClock: number;
  /** Read latency (CAS latency) in cycles: RD to first data beat. */
  tCL: number;
  /** Write latency in cycles: WR to first data beat. */
  tCWL: number;
  /** ACT to RD/WR on the same bank, in cycles. */
  tRCD: number;
  /** PRE to ACT on the same bank, in cycles. */
  tRP: number;
  /** ACT to PRE on the same bank, in cycles. */
  tRAS: number;
  /** ACT to ACT on the same bank, in cycles. */
  tRC: number;
  /** Column command to column command (same kind) in different bank groups of a rank, in cycles. */
  tCCD_S: number;
  /** Column command to column command (same kind) in the same bank group, in cycles. */
  tCCD_L: number;
  /** ACT to ACT in different bank groups of a rank, in cycles. */
  tRRD_S: number;
  /** ACT to ACT in the same bank group, in cycles. */
  tRRD_L: number;
  /** Window in which a rank may see at most four ACTs, in cycles (0: no limit, as in DDR1). */
  tFAW: number;
  /** End of write data to RD in a different bank group of the rank, in cycles. */
  tWTR_S: number;
  /** End of write data to RD in the same bank group, in cycles. */
  tWTR_L: number;
  /** Write recovery: end of write data to PRE on the same bank, in cycles (for NVM: the media write). */
  tWR: number;
  /** RD to PRE on the same bank, in cycles. */
  tRTP: number;
  /** Idle cycles the data bus needs between bursts of different ranks or directions (rank-to-rank switch, read-write turnaround). */
  tRTRS: number;
  /** All-bank REF to the next ACT or REF of the rank, in cycles. */
  tRFC: number;
  /** Average interval between all-bank REFs of a rank, in cycles (0 with refresh "none"). */
  tREFI: number;
  /** Per-bank REFpb to the next ACT of that bank, in cycles. */
  tRFCpb: number;
  /** Interval between REFpb commands of a rank (tREFI divided by its banks), in cycles. */
  tREFIpb: number;
  /** Refresh scheme. */
  refresh: RefreshMode;
  /** Address-mapping scheme name (see address-mapping.ts). */
  mapping: string;
  /** Row-buffer policy. */
  pagePolicy: PagePolicy;
  /** With the adaptive policy: cycles a row stays open after its last column command before it is closed. */
  idleCloseCycles: number;
  /** Read-queue entries (reads are held until their data is handed back). */
  readQueue: number;
  /** Write-queue entries (posted writes waiting for their WR command). */
  writeQueue: number;
  /** Write-queue length at which the controller starts draining writes. */
  writeHighWatermark: number;
  /** Write-queue length at which a drain stops (when reads are waiting). */
  writeLowWatermark: number;
  /**
   * Writes done each time the controller turns to writes before a waiting read may take the bus
   * back (fewer when the queue runs dry), as gem5's min_writes_per_switch; 0: the next read takes
   * it back at once, even from a write whose row has just been opened.
   */
  minWritesPerSwitch: number;
  /** Consecutive row hits to one bank after which an older conflicting request is served first. */
  rowHitCap: number;
}

/** Memory-clock cycles one burst occupies the data bus. */
export function burstCycles(p: DramParams): number {
  return p.burstLength / p.beatsPerClock;
}

/** Bytes one burst carries. */
export function burstBytes(p: DramParams): number {
  return p.busBytes * p.burstLength;
}

/** Banks in one rank. */
export function banksPerRank(p: DramParams): number {
  return p.bankGroups * p.banksPerGroup;
}

/** Theoretical peak data bandwidth of one channel on the simulated clock, in bytes per ns (= GB/s). */
export function channelPeakBytesPerNs(p: DramParams): number {
  return (burstBytes(p) * 1000) / (burstCycles(p) * p.tCKps);
}

/** One problem with a parameter set: the field and what is wrong. */
export interface ParamProblem {
  /** Field name, as in DramParams and the DramSpec. */
  field: string;
  /** What is wrong with it. */
  message: string;
}

const POSITIVE_INTEGERS = [
  "tCKps", "channels", "ranks", "bankGroups", "banksPerGroup", "rows", "rowBytes", "lineBytes", "busBytes",
  "burstLength", "beatsPerClock", "tCL", "tRCD", "tRP", "tCCD_S", "tCCD_L", "readQueue", "writeQueue", "rowHitCap",
] as const;

const NON_NEGATIVE_INTEGERS = [
  "tCWL", "tRAS", "tRC", "tRRD_S", "tRRD_L", "tFAW", "tWTR_S", "tWTR_L", "tWR", "tRTP", "tRTRS", "tRFC", "tREFI",
  "tRFCpb", "tREFIpb", "idleCloseCycles", "writeHighWatermark", "writeLowWatermark", "minWritesPerSwitch",
] as const;

/** Checks the cross-field rules a parameter set must satisfy; returns every problem found (empty when sound). */
export function checkDramParams(p: DramParams): ParamProblem[] {
  const out: ParamProblem[] = [];
  for (const f of POSITIVE_INTEGERS) {
    if (!(Number.isInteger(p[f]) && p[f] > 0)) out.push({ field: f, message: `must be a positive whole number, got ${p[f]}` });
  }
  for (const f of NON_NEGATIVE_INTEGERS) {
    if (!(Number.isInteger(p[f]) && p[f] >= 0)) out.push({ field: f, message: `must be a non-negative whole number, got ${p[f]}` });
  }
  if (out.length > 0) return out;
  if (p.rowBytes % p.lineBytes !== 0) out.push({ field: "rowBytes", message: `must be a multiple of lineBytes (${p.lineBytes})` });
  if (p.burstLength % p.beatsPerClock !== 0) {
    out.push({ field: "burstLength", message: `must be a multiple of beatsPerClock (${p.beatsPerClock}) so a burst fills whole cycles` });
  }
  if (p.writeHighWatermark > p.writeQueue || p.writeHighWatermark < 1) {
    out.push({ field: "writeHighWatermark", message: `must be between 1 and writeQueue (${p.writeQueue}), got ${p.writeHighWatermark}` });
  }
  if (p.writeLowWatermark >= p.writeHighWatermark) {
    out.push({ field: "writeLowWatermark", message: `must be below writeHighWatermark (${p.writeHighWatermark}), got ${p.writeLowWatermark}` });
  }
  if (p.refresh === "all-bank") {
    if (p.tREFI <= p.tRFC) out.push({ field: "tREFI", message: `must exceed tRFC (${p.tRFC}) for all-bank refresh, got ${p.tREFI}` });
  } else if (p.refresh === "per-bank") {
    if (p.tREFIpb < 1) out.push({ field: "tREFIpb", message: "must be at least 1 for per-bank refresh" });
    if (p.tRFCpb < 1) out.push({ field: "tRFCpb", message: "must be at least 1 for per-bank refresh" });
    if (p.tREFIpb * banksPerRank(p) <= p.tRFCpb) {
      out.push({ field: "tREFIpb", message: `times the banks of a rank must exceed tRFCpb (${p.tRFCpb})` });
    }
  }
  return out;
}
