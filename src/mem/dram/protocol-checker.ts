import { DRAM_CMD_NAMES, DramCmd, type CommandObserver } from "./dram-command.ts";
import { banksPerRank, burstCycles, type DramParams } from "./dram-params.ts";

const LONG_AGO = -1e15;

/** One broken rule: which command, which constraint, and the ticks involved. */
export interface DramViolation {
  /** Channel the command went to. */
  channel: number;
  /** Command name (ACT, RD, WR, PRE, PREA, REF, REFpb). */
  cmd: string;
  /** Rank of the command. */
  rank: number;
  /** Bank group (-1 for rank-wide commands). */
  bankGroup: number;
  /** Bank within the group (-1 for rank-wide commands). */
  bank: number;
  /** Row (-1 when not applicable). */
  row: number;
  /** Tick of the offending command. */
  tick: number;
  /** The constraint broken, e.g. "tRCD", "tFAW", "data bus overlap", "RD to a closed bank". */
  constraint: string;
  /** Tick of the earlier event the constraint counts from (-1 for state errors). */
  sinceTick: number;
  /** Cycles the constraint requires. */
  requiredCycles: number;
  /** Cycles that actually elapsed. */
  actualCycles: number;
}

/** A one-line description of a violation. */
export function formatViolation(v: DramViolation): string {
  const where = v.bankGroup < 0 ? `rank ${v.rank}` : `rank ${v.rank} bg ${v.bankGroup} bank ${v.bank} row ${v.row}`;
  const what =
    v.sinceTick < 0
      ? v.constraint
      : `${v.constraint} needs ${v.requiredCycles} cycles after tick ${v.sinceTick}, got ${v.actualCycles}`;
  return `ch${v.channel} ${v.cmd} ${where} at tick ${v.tick}: ${what}`;
}

/** The checker's own view of one channel: its bank states and the times of past commands. */
class ChannelState {
  readonly openRow: Int32Array;
  readonly bankAct: Float64Array;
  readonly bankPre: Float64Array;
  readonly bankRd: Float64Array;
  readonly bankWrEnd: Float64Array;
  readonly bankRefpb: Float64Array;
  readonly bankRefpbDeadlineFrom: Float64Array;
  readonly groupAct: Float64Array;
  readonly groupRd: Float64Array;
  readonly groupWr: Float64Array;
  readonly groupWrEnd: Float64Array;
  readonly rankAct: Float64Array;
  readonly rankActs: Float64Array;
  readonly rankActsNext: Int32Array;
  readonly rankRd: Float64Array;
  readonly rankWr: Float64Array;
  readonly rankWrEnd: Float64Array;
  readonly rankRef: Float64Array;
  readonly rankRefDeadlineFrom: Float64Array;
  lastCmd = LONG_AGO;
  busEnd = LONG_AGO;
  busRank = -1;
  busWrite = false;

  constructor(ranks: number, groups: number, banks: number) {
    this.openRow = new Int32Array(banks).fill(-1);
    this.bankAct = new Float64Array(banks).fill(LONG_AGO);
    this.bankPre = new Float64Array(banks).fill(LONG_AGO);
    this.bankRd = new Float64Array(banks).fill(LONG_AGO);
    this.bankWrEnd = new Float64Array(banks).fill(LONG_AGO);
    this.bankRefpb = new Float64Array(banks).fill(LONG_AGO);
    this.bankRefpbDeadlineFrom = new Float64Array(banks);
    this.groupAct = new Float64Array(groups).fill(LONG_AGO);
    this.groupRd = new Float64Array(groups).fill(LONG_AGO);
    this.groupWr = new Float64Array(groups).fill(LONG_AGO);
    this.groupWrEnd = new Float64Array(groups).fill(LONG_AGO);
    this.rankAct = new Float64Array(ranks).fill(LONG_AGO);
    this.rankActs = new Float64Array(ranks * 4).fill(LONG_AGO);
    this.rankActsNext = new Int32Array(ranks);
    this.rankRd = new Float64Array(ranks).fill(LONG_AGO);
    this.rankWr = new Float64Array(ranks).fill(LONG_AGO);
    this.rankWrEnd = new Float64Array(ranks).fill(LONG_AGO);
    this.rankRef = new Float64Array(ranks).fill(LONG_AGO);
    this.rankRefDeadlineFrom = new Float64Array(ranks);
  }
}

/**
 * An independent JEDEC-rule checker, as a vendor's Verilog device model would be: it is fed every
 * command a controller issues and re-derives, from its own record of past commands and bank
 * states, whether each one was legal (bank state, tRCD, tRP, tRAS, tRC, tCCD_S/L, tRRD_S/L, tFAW,
 * tWTR_S/L, tWR, tRTP, data-bus overlap and tRTRS turnaround, tRFC/tRFCpb, refresh postponed more
 * than eight tREFI, one command per cycle on clock edges). It shares no code with the scheduler.
 */
export class ProtocolChecker implements CommandObserver {
  /** The device rules checked against (the real ones, whatever the scheduler believes). */
  readonly params: DramParams;
  /** Violations recorded (the first `maxRecorded`). */
  readonly violations: DramViolation[] = [];
  /** Violations found, including those beyond `maxRecorded`. */
  violationCount = 0;
  /** Commands checked. */
  commands = 0;
  /** Most violations kept in `violations`. */
  maxRecorded = 1000;
  private readonly states: ChannelState[];
  private readonly bpr: number;
  private readonly bl: number;
  // The command being checked (saves passing it to every rule).
  private cChannel = 0;
  private cCmd = 0;
  private cRank = 0;
  private cGroup = 0;
  private cBank = 0;
  private cRow = 0;
  private cTick = 0;

  constructor(params: DramParams, channels = params.channels) {
    this.params = params;
    this.bpr = banksPerRank(params);
    this.bl = burstCycles(params);
    this.states = [];
    for (let i = 0; i < channels; i++) {
      this.states.push(new ChannelState(params.ranks, params.ranks * params.bankGroups, params.ranks * this.bpr));
    }
  }

  /** True when no violation has been seen. */
  get clean(): boolean {
    return this.violationCount === 0;
  }

  /** Checks one command (see CommandObserver). */
  onCommand(channel: number, cmd: number, rank: number, bankGroup: number, bank: number, row: number, tick: number): void {
    const p = this.params;
    this.commands++;
    this.cChannel = channel;
    this.cCmd = cmd;
    this.cRank = rank;
    this.cGroup = bankGroup;
    this.cBank = bank;
    this.cRow = row;
    this.cTick = tick;
    const s = this.states[channel];
    if (s === undefined) throw new Error(`protocol checker: command for channel ${channel}, which it does not know`);
    const c = tick / p.tCKps;
    if (!Number.isInteger(c)) this.state(`not on a clock edge (tCK ${p.tCKps} ps)`);
    if (c <= s.lastCmd) this.fail(c === s.lastCmd ? "one command per cycle" : "commands out of order", s.lastCmd, 1, c - s.lastCmd);
    s.lastCmd = c;
    const g = rank * p.bankGroups + bankGroup;
    const b = g * p.banksPerGroup + bank;
    switch (cmd) {
      case DramCmd.ACT:
        this.act(s, c, rank, g, b, row);
        break;
      case DramCmd.RD:
      case DramCmd.WR:
        this.column(s, c, rank, g, b, row, cmd === DramCmd.WR);
        break;
      case DramCmd.PRE:
        this.pre(s, c, b);
        break;
      case DramCmd.PREA:
        for (let k = rank * this.bpr; k < (rank + 1) * this.bpr; k++) this.pre(s, c, k);
        break;
      case DramCmd.REF:
        this.ref(s, c, rank);
        break;
      case DramCmd.REFPB:
        this.refpb(s, c, rank, b);
        break;
      default:
        this.state(`unknown command code ${cmd}`);
    }
  }

  /** Takes refresh rounds a controller skipped while idle as issued on time (see CommandObserver). */
  onRefreshRoundsSkipped(channel: number, rank: number, lastRoundTick: number, perBank: boolean, firstBank: number, intervalTicks: number): void {
    const s = this.states[channel];
    if (s === undefined) throw new Error(`protocol checker: refresh report for channel ${channel}, which it does not know`);
    const c = lastRoundTick / this.params.tCKps;
    if (!perBank) {
      s.rankRef[rank] = c;
      s.rankRefDeadlineFrom[rank] = c;
      return;
    }
    const step = intervalTicks / this.params.tCKps;
    for (let j = 0; j < this.bpr; j++) {
      const b = rank * this.bpr + ((firstBank + j) % this.bpr);
      s.bankRefpb[b] = c + j * step;
      s.bankRefpbDeadlineFrom[b] = c + j * step;
    }
  }

  /** One line per recorded violation, plus a count of those not recorded. */
  report(): string[] {
    const lines = this.violations.map(formatViolation);
    if (this.violationCount > this.violations.length) lines.push(`... and ${this.violationCount - this.violations.length} more`);
    return lines;
  }

  private act(s: ChannelState, c: number, rank: number, g: number, b: number, row: number): void {
    const p = this.params;
    if (s.openRow[b] !== -1) this.state("ACT to a bank with an open row");
    this.gap(c, s.bankPre[b], p.tRP, "tRP");
    this.gap(c, s.bankAct[b], p.tRC, "tRC");
    this.gap(c, s.rankAct[rank], p.tRRD_S, "tRRD_S");
    this.gap(c, s.groupAct[g], p.tRRD_L, "tRRD_L");
    if (p.tFAW > 0) this.gap(c, s.rankActs[rank * 4 + s.rankActsNext[rank]], p.tFAW, "tFAW");
    this.gap(c, s.rankRef[rank], p.tRFC, "tRFC");
    this.gap(c, s.bankRefpb[b], p.tRFCpb, "tRFCpb");
    s.openRow[b] = row;
    s.bankAct[b] = c;
    s.groupAct[g] = c;
    s.rankAct[rank] = c;
    s.rankActs[rank * 4 + s.rankActsNext[rank]] = c;
    s.rankActsNext[rank] = (s.rankActsNext[rank] + 1) & 3;
  }

  private column(s: ChannelState, c: number, rank: number, g: number, b: number, row: number, write: boolean): void {
    const p = this.params;
    const name = write ? "WR" : "RD";
    if (s.openRow[b] === -1) this.state(`${name} to a closed bank`);
    else if (s.openRow[b] !== row) this.state(`${name} to row ${row} while row ${s.openRow[b]} is open`);
    this.gap(c, s.bankAct[b], p.tRCD, "tRCD");
    if (write) {
      this.gap(c, s.rankWr[rank], p.tCCD_S, "tCCD_S");
      this.gap(c, s.groupWr[g], p.tCCD_L, "tCCD_L");
    } else {
      this.gap(c, s.rankRd[rank], p.tCCD_S, "tCCD_S");
      this.gap(c, s.groupRd[g], p.tCCD_L, "tCCD_L");
      this.gap(c, s.rankWrEnd[rank], p.tWTR_S, "tWTR_S");
      this.gap(c, s.groupWrEnd[g], p.tWTR_L, "tWTR_L");
    }
    // The data bus: bursts must not overlap, and a change of rank or direction needs tRTRS idle.
    const start = c + (write ? p.tCWL : p.tCL);
    if (start < s.busEnd) this.fail("data bus overlap", s.busEnd, 0, start - s.busEnd);
    else if ((rank !== s.busRank || write !== s.busWrite) && s.busRank >= 0) this.gap(start, s.busEnd, p.tRTRS, "tRTRS (bus turnaround)");
    const end = start + this.bl;
    if (end > s.busEnd) s.busEnd = end;
    s.busRank = rank;
    s.busWrite = write;
    if (write) {
      s.bankWrEnd[b] = end;
      s.groupWr[g] = c;
      s.groupWrEnd[g] = end;
      s.rankWr[rank] = c;
      s.rankWrEnd[rank] = end;
    } else {
      s.bankRd[b] = c;
      s.groupRd[g] = c;
      s.rankRd[rank] = c;
    }
  }

  private pre(s: ChannelState, c: number, b: number): void {
    const p = this.params;
    if (s.openRow[b] !== -1) {
      this.gap(c, s.bankAct[b], p.tRAS, "tRAS");
      this.gap(c, s.bankRd[b], p.tRTP, "tRTP");
      this.gap(c, s.bankWrEnd[b], p.tWR, "tWR");
      s.openRow[b] = -1;
    }
    s.bankPre[b] = c;
  }

  private ref(s: ChannelState, c: number, rank: number): void {
    const p = this.params;
    for (let b = rank * this.bpr; b < (rank + 1) * this.bpr; b++) {
      if (s.openRow[b] !== -1) this.state(`REF while bank ${b % p.banksPerGroup} of group ${Math.floor(b / p.banksPerGroup) % p.bankGroups} is open`);
      this.gap(c, s.bankPre[b], p.tRP, "tRP");
      this.gap(c, s.bankAct[b], p.tRC, "tRC");
    }
    this.gap(c, s.rankRef[rank], p.tRFC, "tRFC");
    this.overdue(c, s.rankRefDeadlineFrom[rank]);
    s.rankRef[rank] = c;
    s.rankRefDeadlineFrom[rank] = c;
  }

  private refpb(s: ChannelState, c: number, rank: number, b: number): void {
    const p = this.params;
    if (s.openRow[b] !== -1) this.state("REFpb to an open bank");
    this.gap(c, s.bankPre[b], p.tRP, "tRP");
    this.gap(c, s.bankAct[b], p.tRC, "tRC");
    this.gap(c, s.bankRefpb[b], p.tRFCpb, "tRFCpb");
    this.gap(c, s.rankRef[rank], p.tRFC, "tRFC");
    this.overdue(c, s.bankRefpbDeadlineFrom[b]);
    s.bankRefpb[b] = c;
    s.bankRefpbDeadlineFrom[b] = c;
  }

  /** JEDEC lets a controller postpone at most eight refreshes: nine tREFI without one is a violation. */
  private overdue(c: number, since: number): void {
    const limit = 9 * this.params.tREFI;
    if (limit > 0 && c - since > limit) this.fail("tREFI (more than 8 refreshes postponed)", since, limit, c - since);
  }

  /** Requires `c - since >= required`. */
  private gap(c: number, since: number, required: number, constraint: string): void {
    if (c - since < required) this.fail(constraint, since, required, c - since);
  }

  private state(constraint: string): void {
    this.fail(constraint, Number.NaN, 0, 0);
  }

  private fail(constraint: string, sinceCycle: number, required: number, actual: number): void {
    this.violationCount++;
    if (this.violations.length >= this.maxRecorded) return;
    const rankWide = this.cCmd === DramCmd.PREA || this.cCmd === DramCmd.REF;
    this.violations.push({
      channel: this.cChannel,
      cmd: DRAM_CMD_NAMES[this.cCmd] ?? String(this.cCmd),
      rank: this.cRank,
      bankGroup: rankWide ? -1 : this.cGroup,
      bank: rankWide ? -1 : this.cBank,
      row: rankWide ? -1 : this.cRow,
      tick: this.cTick,
      constraint,
      sinceTick: Number.isNaN(sinceCycle) ? -1 : sinceCycle * this.params.tCKps,
      requiredCycles: required,
      actualCycles: actual,
    });
  }
}
