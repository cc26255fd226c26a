import { banksPerRank, burstCycles, type DramParams } from "./dram-params.ts";

/** A cycle earlier than any real one (initial "last command" time). */
const LONG_AGO = -1e15;

/**
 * The scheduler's book of the earliest cycle at which each command may issue, kept per bank, per
 * bank group, per rank and for the four-activate window, and moved forward as commands issue
 * (as DRAMsim3 and Ramulator do). Queries are a handful of `max`es; updates touch the command's
 * bank, its bank group and every rank. Indices are flat within the channel: group =
 * rank * bankGroups + bankGroup, bank = group * banksPerGroup + bank.
 *
 * The protocol checker derives the same rules independently from the command history; tests
 * subclass this (overriding `actToColumnCycles` or `fawReadyCycle`) to prove that it notices.
 */
export class TimingState {
  /** Parameters the rules come from. */
  readonly params: DramParams;
  protected readonly nRanks: number;
  protected readonly nBanksPerRank: number;
  protected readonly burst: number;
  // The timing values, copied into fields of this one class: reading them through `params`
  // (objects of many shapes: presets, spreads, overrides) made these hot loads polymorphic.
  protected readonly tCL: number;
  protected readonly tCWL: number;
  protected readonly tRCD: number;
  protected readonly tRP: number;
  protected readonly tRAS: number;
  protected readonly tRC: number;
  protected readonly tCCD_S: number;
  protected readonly tCCD_L: number;
  protected readonly tRRD_S: number;
  protected readonly tRRD_L: number;
  protected readonly tFAW: number;
  protected readonly tWTR_S: number;
  protected readonly tWTR_L: number;
  protected readonly tWR: number;
  protected readonly tRTP: number;
  protected readonly tRTRS: number;
  protected readonly tRFC: number;
  protected readonly tRFCpb: number;
  /** Earliest ACT per bank (tRC, tRP, tRFC, tRFCpb). */
  protected readonly actAt: Float64Array;
  /** Earliest RD/WR per bank (tRCD). */
  protected readonly colAt: Float64Array;
  /** Earliest PRE per bank (tRAS, tRTP, tWR). */
  protected readonly preAt: Float64Array;
  /** Earliest ACT per bank group (tRRD_L). */
  protected readonly groupActAt: Float64Array;
  /** Earliest RD per bank group (tCCD_L, tWTR_L). */
  protected readonly groupRdAt: Float64Array;
  /** Earliest WR per bank group (tCCD_L). */
  protected readonly groupWrAt: Float64Array;
  /** Earliest ACT per rank (tRRD_S, tRFC). */
  protected readonly rankActAt: Float64Array;
  /** Earliest RD per rank (tCCD_S, tWTR_S, rank switching). */
  protected readonly rankRdAt: Float64Array;
  /** Earliest WR per rank (tCCD_S, read-to-write turnaround, rank switching). */
  protected readonly rankWrAt: Float64Array;
  /** Earliest REF per rank (tRFC after the previous REF). */
  protected readonly rankRefAt: Float64Array;
  /** Cycles of the last four ACTs of each rank (ring of 4 per rank). */
  protected readonly fawRing: Float64Array;
  /** Next slot of each rank's ring (holds its oldest ACT). */
  protected readonly fawNext: Int32Array;

  constructor(params: DramParams) {
    this.params = params;
    this.nRanks = params.ranks;
    this.nBanksPerRank = banksPerRank(params);
    this.burst = burstCycles(params);
    this.tCL = params.tCL;
    this.tCWL = params.tCWL;
    this.tRCD = params.tRCD;
    this.tRP = params.tRP;
    this.tRAS = params.tRAS;
    this.tRC = params.tRC;
    this.tCCD_S = params.tCCD_S;
    this.tCCD_L = params.tCCD_L;
    this.tRRD_S = params.tRRD_S;
    this.tRRD_L = params.tRRD_L;
    this.tFAW = params.tFAW;
    this.tWTR_S = params.tWTR_S;
    this.tWTR_L = params.tWTR_L;
    this.tWR = params.tWR;
    this.tRTP = params.tRTP;
    this.tRTRS = params.tRTRS;
    this.tRFC = params.tRFC;
    this.tRFCpb = params.tRFCpb;
    const nGroups = params.ranks * params.bankGroups;
    const nBanks = params.ranks * this.nBanksPerRank;
    this.actAt = new Float64Array(nBanks);
    this.colAt = new Float64Array(nBanks);
    this.preAt = new Float64Array(nBanks);
    this.groupActAt = new Float64Array(nGroups);
    this.groupRdAt = new Float64Array(nGroups);
    this.groupWrAt = new Float64Array(nGroups);
    this.rankActAt = new Float64Array(params.ranks);
    this.rankRdAt = new Float64Array(params.ranks);
    this.rankWrAt = new Float64Array(params.ranks);
    this.rankRefAt = new Float64Array(params.ranks);
    this.fawRing = new Float64Array(params.ranks * 4).fill(LONG_AGO);
    this.fawNext = new Int32Array(params.ranks);
  }

  /** Cycles from ACT to a column command on that bank (tRCD); a hook for deliberately broken test subclasses. */
  protected actToColumnCycles(): number {
    return this.tRCD;
  }

  /** Earliest ACT the four-activate window allows on a rank; a hook for deliberately broken test subclasses. */
  protected fawReadyCycle(rank: number): number {
    return this.fawRing[rank * 4 + this.fawNext[rank]] + this.tFAW;
  }

  /** Earliest cycle an ACT may go to this bank. */
  actReady(rank: number, group: number, bank: number): number {
    let t = this.actAt[bank];
    const g = this.groupActAt[group];
    if (g > t) t = g;
    const r = this.rankActAt[rank];
    if (r > t) t = r;
    const f = this.fawReadyCycle(rank);
    return f > t ? f : t;
  }

  /** Earliest cycle a RD may go to this (open) bank. */
  rdReady(rank: number, group: number, bank: number): number {
    let t = this.colAt[bank];
    const g = this.groupRdAt[group];
    if (g > t) t = g;
    const r = this.rankRdAt[rank];
    return r > t ? r : t;
  }

  /** Earliest cycle a WR may go to this (open) bank. */
  wrReady(rank: number, group: number, bank: number): number {
    let t = this.colAt[bank];
    const g = this.groupWrAt[group];
    if (g > t) t = g;
    const r = this.rankWrAt[rank];
    return r > t ? r : t;
  }

  /** Earliest cycle a PRE may close this bank. */
  preReady(bank: number): number {
    return this.preAt[bank];
  }

  /** Earliest cycle an all-bank REF may go to this rank (every bank closed by then). */
  refReady(rank: number): number {
    let t = this.rankRefAt[rank];
    const base = rank * this.nBanksPerRank;
    for (let b = base; b < base + this.nBanksPerRank; b++) if (this.actAt[b] > t) t = this.actAt[b];
    return t;
  }

  /** Earliest cycle a REFpb may go to this (closed) bank. */
  refpbReady(rank: number, bank: number): number {
    const t = this.actAt[bank];
    const r = this.rankRefAt[rank];
    return r > t ? r : t;
  }

  /** Records an ACT at cycle `c`. */
  onAct(rank: number, group: number, bank: number, c: number): void {
    bump(this.actAt, bank, c + this.tRC);
    this.colAt[bank] = c + this.actToColumnCycles();
    bump(this.preAt, bank, c + this.tRAS);
    bump(this.groupActAt, group, c + this.tRRD_L);
    bump(this.rankActAt, rank, c + this.tRRD_S);
    const slot = rank * 4 + this.fawNext[rank];
    this.fawRing[slot] = c;
    this.fawNext[rank] = (this.fawNext[rank] + 1) & 3;
  }

  /** Records a RD at cycle `c`. */
  onRd(rank: number, group: number, bank: number, c: number): void {
    const bl = this.burst;
    bump(this.preAt, bank, c + this.tRTP);
    bump(this.groupRdAt, group, c + Math.max(this.tCCD_L, bl));
    // Read data ends at c + CL + BL; write data (CWL after its WR) must start tRTRS later.
    const toWr = c + this.tCL + bl + this.tRTRS - this.tCWL;
    for (let r = 0; r < this.nRanks; r++) {
      if (r === rank) bump(this.rankRdAt, r, c + Math.max(this.tCCD_S, bl));
      else bump(this.rankRdAt, r, c + bl + this.tRTRS);
      bump(this.rankWrAt, r, toWr);
    }
  }

  /** Records a WR at cycle `c`. */
  onWr(rank: number, group: number, bank: number, c: number): void {
    const bl = this.burst;
    const dataEnd = c + this.tCWL + bl;
    bump(this.preAt, bank, dataEnd + this.tWR);
    bump(this.groupWrAt, group, c + Math.max(this.tCCD_L, bl));
    bump(this.groupRdAt, group, dataEnd + this.tWTR_L);
    for (let r = 0; r < this.nRanks; r++) {
      if (r === rank) {
        bump(this.rankWrAt, r, c + Math.max(this.tCCD_S, bl));
        bump(this.rankRdAt, r, dataEnd + this.tWTR_S);
      } else {
        bump(this.rankWrAt, r, c + bl + this.tRTRS);
        bump(this.rankRdAt, r, dataEnd + this.tRTRS - this.tCL);
      }
    }
  }

  /** Records a PRE of one bank at cycle `c`. */
  onPre(bank: number, c: number): void {
    bump(this.actAt, bank, c + this.tRP);
  }

  /** Records a PREA of a rank at cycle `c` (tRP then applies to every bank of the rank). */
  onPrea(rank: number, c: number): void {
    const base = rank * this.nBanksPerRank;
    for (let b = base; b < base + this.nBanksPerRank; b++) bump(this.actAt, b, c + this.tRP);
  }

  /** Records an all-bank REF of a rank at cycle `c`. */
  onRef(rank: number, c: number): void {
    const end = c + this.tRFC;
    const base = rank * this.nBanksPerRank;
    for (let b = base; b < base + this.nBanksPerRank; b++) bump(this.actAt, b, end);
    bump(this.rankRefAt, rank, end);
  }

  /** Records a REFpb of one bank at cycle `c`. */
  onRefpb(bank: number, c: number): void {
    bump(this.actAt, bank, c + this.tRFCpb);
  }
}

/** Raises `a[i]` to `v` if `v` is later. */
function bump(a: Float64Array, i: number, v: number): void {
  if (v > a[i]) a[i] = v;
}
