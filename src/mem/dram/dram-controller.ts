import type { TraceWriter } from "../../stats/trace-writer.ts";
import type { EventHandler } from "../../kernel/event-queue.ts";
import type { Message } from "../../kernel/message.ts";
import { Port, type PortOwner } from "../../kernel/port.ts";
import type { Simulator } from "../../kernel/simulator.ts";
import type { StatsRegistry } from "../../stats/registry.ts";
import { MsgKind } from "../msg-kind.ts";
import { AddressMapping } from "./address-mapping.ts";
import { ChannelStats } from "./channel-stats.ts";
import { DramCmd, type CommandObserver } from "./dram-command.ts";
import { banksPerRank, burstBytes, burstCycles, type DramParams } from "./dram-params.ts";
import { DramRequest, RequestList, RequestPool, RowOutcome } from "./dram-request.ts";
import { MessageRing } from "./message-ring.ts";
import { TimingState } from "./timing-state.ts";

const INF = Number.POSITIVE_INFINITY;
const TICK = 0;
const POLICY_OPEN = 0;
const POLICY_CLOSED = 1;
const POLICY_ADAPTIVE = 2;
const REFRESH_NONE = 0;
const REFRESH_ALL = 1;
const REFRESH_PER_BANK = 2;
/** Bits of `refusedKinds`: which kind of request was refused, so `port.ready()` follows only when it can be taken. */
const REFUSED_READ = 1;
const REFUSED_WRITE = 2;
const REFUSED_BLOCKED = 4;

/** Options of a DramController beyond its parameters. */
export interface DramControllerOptions {
  /** Index of this channel in its system (passed to observers). */
  channelIndex?: number;
  /** Told about every command issued (e.g. a ProtocolChecker). */
  observers?: CommandObserver[];
}

/**
 * One DRAM channel: a memory controller with a read queue and a write queue, an FR-FCFS
 * scheduler, refresh, and a row-buffer policy, driving the ranks and banks of its channel.
 *
 * Protocol (on `port`): a MemRead is answered by the same Message, kind MemReadResp, when its last
 * data beat is back; a MemWrite by the same Message, kind MemWriteAck, at the first clock edge
 * after it is accepted into the write queue (posted; for NVM this is the persistent write queue).
 * A full queue refuses (recv returns false) and `port.ready()` follows when there is room.
 *
 * Timing: requests accepted at tick t are considered at the first clock edge at or after t, and a
 * command may issue on that very edge, so idle latencies are exactly the sums of their timing
 * parameters: a row hit CL + burst, a closed bank tRCD + CL + burst, a row conflict
 * tRP + tRCD + CL + burst (plus at most one cycle when a request arrives between edges).
 *
 * Scheduling, one command per cycle: refresh first; then, in the active queue (reads, or writes
 * while draining), the oldest row hit whose column command can issue now; otherwise the oldest
 * request whose ACT or PRE can issue now, where a PRE may close a row only if no queued request
 * of the active queue still hits it, or the bank has served `rowHitCap` hits in a row while an
 * older request waits on another row (so none starves); otherwise a page-policy PRE. Writes are
 * drained from the moment the write queue reaches its high watermark until it falls to the low
 * watermark with reads waiting; below the high watermark they go only while no read waits, and
 * the next read takes the bus back. Either way a turn to writes does at least
 * `minWritesPerSwitch` of them (fewer if the queue runs dry): giving the bus back sooner wastes
 * the turnaround, and any row opened for a write, which the read then waits to see closed.
 *
 * Cost: the controller is ticked only when a command could issue or data is due (it computes the
 * earliest such cycle rather than polling every cycle) and not at all when idle; refreshes that
 * fell due while it was idle are replayed, in cycle order, on the next request.
 */
export class DramController implements PortOwner, EventHandler {
  /** Component path; statistics are registered under it. */
  readonly name: string;
  /** Timeline writer, when the run records one (set by the machine builder). */
  trace: TraceWriter | null = null;
  /** The memory port requests arrive on and responses leave from. */
  readonly port: Port;
  /** Device organisation, timing and policies. */
  readonly params: DramParams;
  /** Index of this channel in its system. */
  readonly channelIndex: number;
  /** How addresses map to ranks, banks, rows and columns (the channel field is ignored here). */
  readonly mapping: AddressMapping;
  /** Observers told about every command. */
  readonly observers: CommandObserver[];
  /** True when every observer takes skipped refresh rounds as a report (none can miss a refresh). */
  private readonly skipsRefreshRounds: boolean;
  /** This channel's statistics. */
  readonly stats: ChannelStats;
  /** Earliest-issue book of the timing rules (protected so tests can break it on purpose). */
  protected timing: TimingState;
  /** Tick at which the last data burst ended (for bandwidth over a finished run). */
  lastDataEndTick: number;

  private readonly sim: Simulator;
  private readonly periodPs: number;
  private readonly nBanks: number;
  private readonly nBanksPerRank: number;
  private readonly nRanks: number;
  private readonly burst: number;
  private readonly burstSize: number;
  private readonly readLatency: number;
  private readonly writeDataDelay: number;
  private readonly policy: number;
  private readonly bankGroups: number;
  private readonly banksPerGroup: number;
  private readonly idleCloseCycles: number;
  private readonly refreshMode: number;
  private readonly refreshInterval: number;
  private readonly rowHitCap: number;
  private readonly readCap: number;
  private readonly writeCap: number;
  private readonly highWatermark: number;
  private readonly lowWatermark: number;
  // Per-bank state (flat bank index within the channel).
  private readonly openRow: Int32Array;
  private readonly hitStreak: Int32Array;
  private readonly lastColumn: Float64Array;
  private readonly dirty: Uint8Array;
  /** Scan that last evaluated a row hit of each bank (later hits of the bank share its readiness). */
  private readonly hitSeen: Int32Array;
  /** Scan that last evaluated an ACT or PRE for each bank (later requests of the bank share its readiness). */
  private readonly otherSeen: Int32Array;
  private scanId: number;
  /** Queued reads per bank. */
  private readonly readsAt: Int32Array;
  /** Queued writes per bank. */
  private readonly writesAt: Int32Array;
  /** Queued reads per bank that hit its open row. */
  private readonly readHitsAt: Int32Array;
  /** Queued writes per bank that hit its open row. */
  private readonly writeHitsAt: Int32Array;
  private readonly rankOfBank: Int32Array;
  private readonly groupOfBank: Int32Array;
  private readonly openPerRank: Int32Array;
  private openBanks: number;
  // Refresh, per rank.
  private readonly refreshDue: Float64Array;
  private readonly refreshing: Uint8Array;
  private readonly refreshBank: Int32Array;
  private refreshingRanks: number;
  // Requests and responses.
  private readonly readQ: RequestList;
  private readonly writeQ: RequestList;
  private readonly inflight: RequestList;
  private readonly outbox: MessageRing;
  private readonly pool: RequestPool;
  private readsHeld: number;
  private writeMode: boolean;
  /** True while writes drain because the queue reached its high watermark (not merely because no read waited). */
  private forcedDrain: boolean;
  /** Writes finished since the controller last turned to writes. */
  private writesThisTurn: number;
  private readonly minWritesPerSwitch: number;
  private sendBlocked: boolean;
  private refusedKinds: number;
  private occupancySince: number;
  // Ticking.
  private tickGen: number;
  private tickScheduled: boolean;
  private scheduledCycle: number;
  private lastCmdCycle: number;
  private idle: boolean;
  private wakeCycle: number;
  /** True while nothing has changed since a scan found no command before `wakeCycle`. */
  private scanValid: boolean;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, params: DramParams, options: DramControllerOptions = {}) {
    this.name = name;
    this.port = new Port(this, `${name}.port`);
    this.params = params;
    this.channelIndex = options.channelIndex ?? 0;
    this.mapping = new AddressMapping(params.mapping, params);
    this.observers = options.observers ?? [];
    this.skipsRefreshRounds = this.observers.every((o) => o.onRefreshRoundsSkipped !== undefined);
    this.stats = new ChannelStats(stats, name, sim);
    this.timing = new TimingState(params);
    this.lastDataEndTick = 0;
    this.sim = sim;
    this.periodPs = params.tCKps;
    this.nBanksPerRank = banksPerRank(params);
    this.nRanks = params.ranks;
    this.nBanks = params.ranks * this.nBanksPerRank;
    this.burst = burstCycles(params);
    this.burstSize = burstBytes(params);
    this.readLatency = params.tCL + this.burst;
    this.writeDataDelay = params.tCWL + this.burst;
    this.policy = params.pagePolicy === "open" ? POLICY_OPEN : params.pagePolicy === "closed" ? POLICY_CLOSED : POLICY_ADAPTIVE;
    this.bankGroups = params.bankGroups;
    this.banksPerGroup = params.banksPerGroup;
    this.idleCloseCycles = params.idleCloseCycles;
    this.refreshMode = params.refresh === "all-bank" ? REFRESH_ALL : params.refresh === "per-bank" ? REFRESH_PER_BANK : REFRESH_NONE;
    this.refreshInterval = this.refreshMode === REFRESH_ALL ? params.tREFI : params.tREFIpb;
    this.rowHitCap = params.rowHitCap;
    this.minWritesPerSwitch = params.minWritesPerSwitch;
    this.readCap = params.readQueue;
    this.writeCap = params.writeQueue;
    this.highWatermark = params.writeHighWatermark;
    this.lowWatermark = params.writeLowWatermark;
    this.openRow = new Int32Array(this.nBanks).fill(-1);
    this.hitStreak = new Int32Array(this.nBanks);
    this.lastColumn = new Float64Array(this.nBanks);
    this.dirty = new Uint8Array(this.nBanks);
    this.hitSeen = new Int32Array(this.nBanks);
    this.otherSeen = new Int32Array(this.nBanks);
    this.scanId = 0;
    this.readsAt = new Int32Array(this.nBanks);
    this.writesAt = new Int32Array(this.nBanks);
    this.readHitsAt = new Int32Array(this.nBanks);
    this.writeHitsAt = new Int32Array(this.nBanks);
    this.rankOfBank = new Int32Array(this.nBanks);
    this.groupOfBank = new Int32Array(this.nBanks);
    for (let b = 0; b < this.nBanks; b++) {
      this.rankOfBank[b] = Math.floor(b / this.nBanksPerRank);
      this.groupOfBank[b] = Math.floor(b / params.banksPerGroup);
    }
    this.openPerRank = new Int32Array(this.nRanks);
    this.openBanks = 0;
    this.refreshDue = new Float64Array(this.nRanks);
    // Ranks are staggered so their refreshes do not coincide.
    for (let r = 0; r < this.nRanks; r++) this.refreshDue[r] = Math.max(1, Math.floor((this.refreshInterval * (r + 1)) / this.nRanks));
    this.refreshing = new Uint8Array(this.nRanks);
    this.refreshBank = new Int32Array(this.nRanks);
    this.refreshingRanks = 0;
    this.readQ = new RequestList();
    this.writeQ = new RequestList();
    this.inflight = new RequestList();
    this.outbox = new MessageRing(params.readQueue + params.writeQueue);
    this.pool = new RequestPool();
    this.readsHeld = 0;
    this.writeMode = false;
    this.forcedDrain = false;
    this.writesThisTurn = 0;
    this.sendBlocked = false;
    this.refusedKinds = 0;
    this.occupancySince = 0;
    this.tickGen = 0;
    this.tickScheduled = false;
    this.scheduledCycle = 0;
    this.lastCmdCycle = -1;
    this.idle = true;
    this.wakeCycle = INF;
    this.scanValid = false;
  }

  /** Requests waiting in the read queue (not yet issued). */
  get readQueueLength(): number {
    return this.readQ.length;
  }

  /** Requests waiting in the write queue. */
  get writeQueueLength(): number {
    return this.writeQ.length;
  }

  /** True when nothing is queued, in flight or waiting to be sent. */
  get quiescent(): boolean {
    return this.readQ.length + this.writeQ.length + this.inflight.length + this.outbox.length === 0;
  }

  /** Accepts a MemRead or MemWrite, or refuses it when its queue is full. */
  recv(_port: Port, msg: Message): boolean {
    const isWrite = msg.kind === MsgKind.MemWrite;
    if (!isWrite && msg.kind !== MsgKind.MemRead) {
      throw new Error(`${this.name}: message kind ${msg.kind} at tick ${this.sim.now} is neither MemRead nor MemWrite`);
    }
    if (this.sendBlocked) {
      this.refusedKinds |= REFUSED_BLOCKED;
      this.stats.refused.value++;
      return false;
    }
    if (isWrite ? this.writeQ.length >= this.writeCap : this.readsHeld >= this.readCap) {
      this.refusedKinds |= isWrite ? REFUSED_WRITE : REFUSED_READ;
      this.stats.refused.value++;
      return false;
    }
    const now = this.sim.now;
    const q = this.pool.get();
    this.mapping.decode(msg.addr, q);
    q.groupIndex = q.rank * this.bankGroups + q.bankGroup;
    q.bankIndex = q.groupIndex * this.banksPerGroup + q.bank;
    q.isWrite = isWrite;
    q.sizeBytes = msg.sizeBytes;
    q.burstsLeft = msg.sizeBytes > this.burstSize ? Math.ceil(msg.sizeBytes / this.burstSize) : 1;
    q.acceptedAt = now;
    q.doneCycle = 0;
    q.outcome = RowOutcome.Pending;
    this.accountOccupancy(now);
    const hit = this.openRow[q.bankIndex] === q.row ? 1 : 0;
    this.scanValid = false;
    if (isWrite) {
      q.msg = null;
      this.writeQ.push(q);
      this.writesAt[q.bankIndex]++;
      this.writeHitsAt[q.bankIndex] += hit;
      msg.kind = MsgKind.MemWriteAck;
      this.outbox.push(msg);
      this.stats.writes.value++;
    } else {
      q.msg = msg;
      this.readQ.push(q);
      this.readsAt[q.bankIndex]++;
      this.readHitsAt[q.bankIndex] += hit;
      this.readsHeld++;
      this.stats.reads.value++;
    }
    const r = now % this.periodPs;
    this.ensureTick(r === 0 ? now / this.periodPs : (now - r) / this.periodPs + 1);
    return true;
  }

  /** The connection can take a response again: retry at the next clock edge. */
  wake(_port: Port): void {
    this.sendBlocked = false;
    const now = this.sim.now;
    const r = now % this.periodPs;
    this.ensureTick(r === 0 ? now / this.periodPs : (now - r) / this.periodPs + 1);
  }

  /** The controller's clock tick (scheduled only while it has work). */
  handleEvent(_kind: number, payload: unknown): void {
    if (payload !== this.tickGen) return; // superseded by an earlier tick
    this.tickScheduled = false;
    const cyc = this.sim.now / this.periodPs;
    if (this.idle) {
      this.idle = false;
      this.catchUpRefresh(cyc);
    }
    // Reads whose data is back become responses.
    for (let q = this.inflight.head; q !== null && q.doneCycle <= cyc; q = this.inflight.head) {
      this.inflight.remove(q);
      const m = q.msg as Message;
      m.kind = MsgKind.MemReadResp;
      this.stats.readLatencyPs.sample(this.sim.now - q.acceptedAt);
      if (this.trace !== null) this.trace.span(this.name, "read", q.acceptedAt, this.sim.now, { addr: m.addr });
      this.stats.bytesRead.value += q.sizeBytes;
      this.outbox.push(m);
      this.pool.put(q);
    }
    if (!this.sendBlocked) this.drainOutbox();
    let next = INF;
    if (this.readQ.length + this.writeQ.length > 0 || this.refreshingRanks > 0 || (this.policy !== POLICY_OPEN && this.openBanks > 0)) {
      if (cyc <= this.lastCmdCycle) next = this.lastCmdCycle + 1;
      else if (this.scanValid && cyc < this.wakeCycle) next = this.wakeCycle; // nothing changed: same answer
      else if (this.issueCommand(cyc)) next = cyc + 1;
      else {
        next = this.wakeCycle;
        this.scanValid = true;
      }
      if (next === INF) throw new Error(`${this.name}: requests are queued at tick ${this.sim.now} but no command can ever issue`);
    }
    const head = this.inflight.head;
    if (head !== null && head.doneCycle < next) next = head.doneCycle;
    if (next !== INF) this.ensureTick(next);
    else this.idle = true; // a blocked outbox needs no tick: the port's wake brings one
    this.offerRoom();
  }

  // ---------------------------------------------------------------------------------------------
  // Scheduling.

  /** Issues at most one command at cycle `cyc`; returns true if it did, else sets `wakeCycle`. */
  private issueCommand(cyc: number): boolean {
    let wake = INF;
    const nr = this.readQ.length;
    const nw = this.writeQ.length;
    if (this.writeMode && !this.forcedDrain && nw >= this.highWatermark) {
      this.forcedDrain = true;
      this.stats.writeDrains.value++;
    }
    if (this.writeMode) {
      // A turn to writes does at least minWritesPerSwitch of them; then a drain forced by the
      // high watermark goes down to the low one, and writes served only because no read was
      // waiting give way to the next read (reads have priority).
      const turnDone = this.writesThisTurn >= this.minWritesPerSwitch;
      if (nw === 0 || (nr > 0 && turnDone && (!this.forcedDrain || nw <= this.lowWatermark))) this.writeMode = false;
    } else if (nw >= this.highWatermark) {
      this.writeMode = true;
      this.forcedDrain = true;
      this.writesThisTurn = 0;
      this.stats.writeDrains.value++;
    } else if (nr === 0 && nw > 0) {
      this.writeMode = true;
      this.forcedDrain = false;
      this.writesThisTurn = 0;
    }

    if (this.refreshMode !== REFRESH_NONE) {
      for (let r = 0; r < this.nRanks; r++) {
        if (this.refreshing[r] === 0) {
          if (cyc < this.refreshDue[r]) {
            if (this.refreshDue[r] < wake) wake = this.refreshDue[r];
            continue;
          }
          this.refreshing[r] = 1;
          this.refreshingRanks++;
        }
        const t = this.refreshStep(r, cyc);
        if (t < 0) return true;
        if (t < wake) wake = t;
      }
    }

    const writeMode = this.writeMode;
    const openRow = this.openRow;
    const activeHits = writeMode ? this.writeHitsAt : this.readHitsAt;
    const activeQueued = writeMode ? this.writesAt : this.readsAt;

    // Oldest first: the first ready hit wins; else remember the oldest ready ACT/PRE. Only the
    // oldest hit and the oldest other request of a bank need evaluating: the rest would get the
    // same readiness and lose on age.
    const scan = ++this.scanId;
    const anyRefreshing = this.refreshingRanks > 0;
    const timing = this.timing;
    const perBankRefresh = this.refreshMode === REFRESH_PER_BANK;
    let other: DramRequest | null = null;
    let otherIsAct = false;
    for (let q = (writeMode ? this.writeQ : this.readQ).head; q !== null; q = q.next) {
      const b = q.bankIndex;
      const rank = q.rank;
      if (anyRefreshing && this.refreshing[rank] !== 0 && (!perBankRefresh || b === rank * this.nBanksPerRank + this.refreshBank[rank])) continue;
      const open = openRow[b];
      if (open === q.row) {
        if (this.hitSeen[b] === scan) continue;
        this.hitSeen[b] = scan;
        // Capped: an older request for another row of this bank goes first.
        if (this.hitStreak[b] >= this.rowHitCap && activeQueued[b] > activeHits[b]) continue;
        const t = q.isWrite ? timing.wrReady(rank, q.groupIndex, b) : timing.rdReady(rank, q.groupIndex, b);
        if (t <= cyc) {
          this.issueColumn(q, cyc);
          return true;
        }
        if (t < wake) wake = t;
      } else if (this.otherSeen[b] === scan || other !== null) {
        continue; // once an ACT/PRE is chosen only a ready hit can beat it, and no wake-up time is needed
      } else if (open === -1) {
        this.otherSeen[b] = scan;
        const t = timing.actReady(rank, q.groupIndex, b);
        if (t <= cyc) {
          if (other === null) {
            other = q;
            otherIsAct = true;
          }
        } else if (t < wake) wake = t;
      } else {
        this.otherSeen[b] = scan;
        if (activeHits[b] > 0 && this.hitStreak[b] < this.rowHitCap) continue;
        const t = timing.preReady(b);
        if (t <= cyc) {
          if (other === null) {
            other = q;
            otherIsAct = false;
          }
        } else if (t < wake) wake = t;
      }
    }
    if (other !== null) {
      if (otherIsAct) this.issueAct(other, cyc);
      else this.issuePre(other.bankIndex, cyc, other);
      return true;
    }

    // Page policy: close rows no queued request wants (closed: at once; adaptive: after a timeout).
    if (this.policy !== POLICY_OPEN && this.openBanks > 0) {
      for (let b = 0; b < this.nBanks; b++) {
        if (openRow[b] === -1 || this.readHitsAt[b] + this.writeHitsAt[b] > 0) continue;
        const rank = this.rankOfBank[b];
        // A bank the refresh is about to close is left to it.
        if (this.refreshing[rank] !== 0 && (!perBankRefresh || b === rank * this.nBanksPerRank + this.refreshBank[rank])) continue;
        let t = timing.preReady(b);
        if (this.policy === POLICY_ADAPTIVE) {
          const idleEnd = this.lastColumn[b] + this.idleCloseCycles;
          if (idleEnd > t) t = idleEnd;
        }
        if (t <= cyc) {
          this.issuePre(b, cyc, null);
          return true;
        }
        if (t < wake) wake = t;
      }
    }
    this.wakeCycle = wake;
    return false;
  }

  /** Advances the refresh of rank `r` by one command if it can issue at `cyc` (returns -1), else returns the earliest cycle it could. */
  private refreshStep(r: number, cyc: number): number {
    const timing = this.timing;
    if (this.refreshMode === REFRESH_ALL) {
      if (this.openPerRank[r] > 0) {
        let t = 0;
        const base = r * this.nBanksPerRank;
        for (let b = base; b < base + this.nBanksPerRank; b++) {
          if (this.openRow[b] !== -1) {
            const p = timing.preReady(b);
            if (p > t) t = p;
          }
        }
        if (t > cyc) return t;
        this.issuePrea(r, cyc);
        return -1;
      }
      const t = timing.refReady(r);
      if (t > cyc) return t;
      timing.onRef(r, cyc);
      this.notify(DramCmd.REF, r, -1, -1, -1, cyc);
    } else {
      const b = r * this.nBanksPerRank + this.refreshBank[r];
      if (this.openRow[b] !== -1) {
        const t = timing.preReady(b);
        if (t > cyc) return t;
        this.issuePre(b, cyc, null);
        return -1;
      }
      const t = timing.refpbReady(r, b);
      if (t > cyc) return t;
      timing.onRefpb(b, cyc);
      this.notify(DramCmd.REFPB, r, this.groupOfBank[b] % this.bankGroups, b % this.banksPerGroup, -1, cyc);
      this.refreshBank[r] = (this.refreshBank[r] + 1) % this.nBanksPerRank;
    }
    this.lastCmdCycle = cyc;
    this.scanValid = false;
    this.stats.refreshes.value++;
    this.refreshing[r] = 0;
    this.refreshingRanks--;
    this.refreshDue[r] += this.refreshInterval;
    return -1;
  }

  /**
   * Replays the refresh commands an always-ticking controller would have issued while this one
   * was idle, in cycle order and before `cyc`. Whole refresh rounds long past are skipped (only
   * counted, and reported to the observers): their tRFC windows ended long ago and leave no
   * trace. An observer that cannot take the report gets every refresh replayed instead.
   */
  private catchUpRefresh(cyc: number): void {
    if (this.refreshMode === REFRESH_NONE) return;
    const round = this.refreshMode === REFRESH_ALL ? this.refreshInterval : this.refreshInterval * this.nBanksPerRank;
    const perRound = this.refreshMode === REFRESH_ALL ? 1 : this.nBanksPerRank;
    let t = this.lastCmdCycle + 1;
    for (;;) {
      if (this.skipsRefreshRounds) {
        for (let r = 0; r < this.nRanks; r++) {
          if (this.refreshing[r] !== 0 || this.openPerRank[r] > 0) continue;
          const rounds = Math.floor((cyc - this.refreshDue[r]) / round) - 1;
          if (rounds > 0) {
            const lastRound = this.refreshDue[r] + (rounds - 1) * round;
            this.refreshDue[r] += rounds * round;
            this.stats.refreshes.value += rounds * perRound;
            const perBank = this.refreshMode !== REFRESH_ALL;
            for (const o of this.observers) o.onRefreshRoundsSkipped?.(this.channelIndex, r, lastRound * this.periodPs, perBank, this.refreshBank[r], this.refreshInterval * this.periodPs);
          }
        }
      }
      let next = INF;
      let issued = false;
      if (t < cyc) {
        for (let r = 0; r < this.nRanks && !issued; r++) {
          if (this.refreshing[r] === 0) {
            if (t < this.refreshDue[r]) {
              if (this.refreshDue[r] < next) next = this.refreshDue[r];
              continue;
            }
            this.refreshing[r] = 1;
            this.refreshingRanks++;
          }
          const w = this.refreshStep(r, t);
          if (w < 0) issued = true;
          else if (w < next) next = w;
        }
      }
      if (issued) t++;
      else if (next < cyc) t = next;
      else return;
    }
  }

  private issueColumn(q: DramRequest, cyc: number): void {
    const b = q.bankIndex;
    if (q.isWrite) {
      this.timing.onWr(q.rank, q.groupIndex, b, cyc);
      this.dirty[b] = 1;
      this.notify(DramCmd.WR, q.rank, q.bankGroup, q.bank, q.row, cyc);
      this.lastDataEndTick = (cyc + this.writeDataDelay) * this.periodPs;
    } else {
      this.timing.onRd(q.rank, q.groupIndex, b, cyc);
      this.notify(DramCmd.RD, q.rank, q.bankGroup, q.bank, q.row, cyc);
      this.lastDataEndTick = (cyc + this.readLatency) * this.periodPs;
    }
    this.lastCmdCycle = cyc;
    this.scanValid = false;
    this.hitStreak[b]++;
    this.lastColumn[b] = cyc;
    if (q.outcome === RowOutcome.Pending) {
      q.outcome = RowOutcome.Hit;
      this.stats.rowHits.value++;
    }
    if (--q.burstsLeft > 0) return;
    this.accountOccupancy(this.sim.now);
    if (q.isWrite) {
      this.writesThisTurn++;
      this.writeQ.remove(q);
      this.writesAt[b]--;
      this.writeHitsAt[b]--;
      this.stats.bytesWritten.value += q.sizeBytes;
      this.pool.put(q);
    } else {
      this.readQ.remove(q);
      this.readsAt[b]--;
      this.readHitsAt[b]--;
      q.doneCycle = cyc + this.readLatency;
      this.inflight.push(q);
    }
  }

  private issueAct(q: DramRequest, cyc: number): void {
    const b = q.bankIndex;
    this.timing.onAct(q.rank, q.groupIndex, b, cyc);
    this.notify(DramCmd.ACT, q.rank, q.bankGroup, q.bank, q.row, cyc);
    this.lastCmdCycle = cyc;
    this.scanValid = false;
    this.openRow[b] = q.row;
    this.countHits(b, q.row);
    this.openBanks++;
    this.openPerRank[q.rank]++;
    this.hitStreak[b] = 0;
    this.lastColumn[b] = cyc;
    this.dirty[b] = 0;
    this.stats.activations.value++;
    if (q.outcome === RowOutcome.Pending) {
      q.outcome = RowOutcome.Miss;
      this.stats.rowMisses.value++;
    }
  }

  private issuePre(b: number, cyc: number, q: DramRequest | null): void {
    this.timing.onPre(b, cyc);
    const rank = this.rankOfBank[b];
    this.notify(DramCmd.PRE, rank, this.groupOfBank[b] % this.bankGroups, b % this.banksPerGroup, this.openRow[b], cyc);
    this.lastCmdCycle = cyc;
    this.scanValid = false;
    this.closeBank(b, rank);
    if (q !== null && q.outcome === RowOutcome.Pending) {
      q.outcome = RowOutcome.Conflict;
      this.stats.rowConflicts.value++;
    }
  }

  private issuePrea(rank: number, cyc: number): void {
    this.timing.onPrea(rank, cyc);
    this.notify(DramCmd.PREA, rank, -1, -1, -1, cyc);
    this.lastCmdCycle = cyc;
    this.scanValid = false;
    const base = rank * this.nBanksPerRank;
    for (let b = base; b < base + this.nBanksPerRank; b++) if (this.openRow[b] !== -1) this.closeBank(b, rank);
  }

  /** Recounts the queued requests that hit the row just opened in bank `b` (once per ACT, not per scan). */
  private countHits(b: number, row: number): void {
    let n = 0;
    if (this.readsAt[b] > 0) for (let q = this.readQ.head; q !== null; q = q.next) if (q.bankIndex === b && q.row === row) n++;
    this.readHitsAt[b] = n;
    n = 0;
    if (this.writesAt[b] > 0) for (let q = this.writeQ.head; q !== null; q = q.next) if (q.bankIndex === b && q.row === row) n++;
    this.writeHitsAt[b] = n;
  }

  private closeBank(b: number, rank: number): void {
    this.openRow[b] = -1;
    this.readHitsAt[b] = 0;
    this.writeHitsAt[b] = 0;
    this.openBanks--;
    this.openPerRank[rank]--;
    this.stats.precharges.value++;
    if (this.dirty[b] !== 0) {
      this.dirty[b] = 0;
      this.stats.rowWritebacks.value++;
    }
  }

  private notify(cmd: number, rank: number, group: number, bank: number, row: number, cyc: number): void {
    const obs = this.observers;
    if (obs.length === 0) return;
    const tick = cyc * this.periodPs;
    for (let i = 0; i < obs.length; i++) obs[i].onCommand(this.channelIndex, cmd, rank, group, bank, row, tick);
  }

  // ---------------------------------------------------------------------------------------------
  // Responses, back-pressure and ticking.

  private drainOutbox(): void {
    for (let m = this.outbox.peek(); m !== null; m = this.outbox.peek()) {
      const isRead = m.kind === MsgKind.MemReadResp;
      if (!this.port.send(m)) {
        this.sendBlocked = true;
        return;
      }
      this.outbox.shift();
      if (isRead) this.readsHeld--;
    }
  }

  /** Tells a refused sender to retry once the queue it was refused by has room. */
  private offerRoom(): void {
    const k = this.refusedKinds;
    if (k === 0) return;
    if (
      ((k & REFUSED_READ) !== 0 && this.readsHeld < this.readCap) ||
      ((k & REFUSED_WRITE) !== 0 && this.writeQ.length < this.writeCap) ||
      ((k & REFUSED_BLOCKED) !== 0 && !this.sendBlocked)
    ) {
      this.refusedKinds = 0;
      this.port.ready();
    }
  }

  private ensureTick(cycle: number): void {
    if (this.tickScheduled && this.scheduledCycle <= cycle) return;
    this.tickGen++;
    this.tickScheduled = true;
    this.scheduledCycle = cycle;
    this.sim.scheduleAt(this, cycle * this.periodPs, TICK, this.tickGen);
  }

  private accountOccupancy(now: number): void {
    const dt = now - this.occupancySince;
    if (dt > 0) {
      this.stats.readQueueIntegral.value += this.readQ.length * dt;
      this.stats.writeQueueIntegral.value += this.writeQ.length * dt;
      this.occupancySince = now;
    }
  }
}
