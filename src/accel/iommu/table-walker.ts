import type { EventHandler } from "../../kernel/event-queue.ts";
import { MessageQueue, type Message, type MessagePool } from "../../kernel/message.ts";
import { drainBacklog, sendOrQueue, type Port } from "../../kernel/port.ts";
import type { Simulator } from "../../kernel/simulator.ts";
import type { Counter } from "../../stats/counter.ts";
import type { Histogram } from "../../stats/histogram.ts";
import type { StatsRegistry } from "../../stats/registry.ts";
import { MsgKind } from "../../mem/msg-kind.ts";
import { TlbArray } from "../../vm/tlb.ts";
import type { PageTable } from "../../vm/page-table.ts";

/** The component a TableWalker works for: it decides what "present" means and what follows a walk. */
export interface WalkClient {
  /** True when the leaf translation of `va` is present (the leaf entry the walk read is valid). */
  present(va: number): boolean;
  /** The walk in `slot` has ended: `found` when it reached a present leaf, else it hit a non-present entry. */
  walkDone(slot: number, found: boolean): void;
}

/** Settings of a TableWalker. */
export interface TableWalkerParams {
  /** Walks that may run at once. */
  walkers: number;
  /** Entries of each upper-level page-walk cache (levels 2..top; 0: none). */
  pwcEntries: number;
  /** Bytes of one table-entry read on the memory port (a line). */
  lineBytes: number;
  /** Walker processing per reference, in ps, on top of the memory's answer. */
  stepPs: number;
}

const FREE = 0;
const WALKING = 1;
const HELD = 2;

const EV_STEP = 1;

/**
 * Hardware page walkers over a radix PageTable held in simulated memory: each walk reads one
 * table entry per level as a MemRead of the entry's line on the owner's memory port, one after the
 * other (dependent references), starting below the deepest level a page-walk cache holds. Requests
 * for a page being walked wait in the walk's queue rather than walk again; requests that find no
 * free walker wait in `queue`. Hot-path state is in typed arrays indexed by slot.
 */
export class TableWalker implements EventHandler {
  readonly name: string;
  /** The table walked. */
  readonly table: PageTable;
  /** Walker slots. */
  readonly walkers: number;
  /** Virtual address each slot walks. */
  readonly va: Float64Array;
  /** 1 when the slot's first request is a write. */
  readonly write: Uint8Array;
  /** Tick each slot's walk started (first attempt). */
  readonly startedAt: Float64Array;
  /** Walks of each slot's page so far, less one (0 on the first walk, 1 after a retry). */
  readonly tries: Uint8Array;
  /** The translation requests waiting for each slot's walk (the first is the one that started it). */
  readonly waiters: MessageQueue[];
  /** Requests waiting for a free walker (the owner fills and drains it). */
  readonly queue: MessageQueue;
  private readonly sim: Simulator;
  private readonly port: Port;
  private readonly pool: MessagePool;
  private readonly client: WalkClient;
  private readonly lineBytes: number;
  private readonly stepPs: number;
  private readonly state: Uint8Array;
  private readonly level: Int8Array;
  // References made so far by each slot's current walk.
  private readonly refsOf: Int32Array;
  private readonly pwc: (TlbArray | null)[];
  private readonly backlog: MessageQueue;
  private busy: number;
  private readonly stWalks: Counter;
  private readonly stRefs: Counter;
  private readonly stPwcHits: Counter;
  private readonly stRefsPerWalk: Histogram;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, table: PageTable, memPort: Port, pool: MessagePool, client: WalkClient, p: TableWalkerParams) {
    this.name = name;
    this.table = table;
    this.walkers = p.walkers;
    this.va = new Float64Array(p.walkers);
    this.write = new Uint8Array(p.walkers);
    this.startedAt = new Float64Array(p.walkers);
    this.tries = new Uint8Array(p.walkers);
    this.waiters = Array.from({ length: p.walkers }, () => new MessageQueue());
    this.queue = new MessageQueue();
    this.sim = sim;
    this.port = memPort;
    this.pool = pool;
    this.client = client;
    this.lineBytes = p.lineBytes;
    this.stepPs = p.stepPs;
    this.state = new Uint8Array(p.walkers);
    this.level = new Int8Array(p.walkers);
    this.refsOf = new Int32Array(p.walkers);
    const levels = table.layout.levels;
    this.pwc = new Array<TlbArray | null>(levels + 1).fill(null);
    if (p.pwcEntries > 0) for (let l = 2; l <= levels; l++) this.pwc[l] = new TlbArray(`${name}.pwc.l${l}`, p.pwcEntries, p.pwcEntries, [table.shiftOf(l)]);
    this.backlog = new MessageQueue();
    this.busy = 0;
    this.stWalks = stats.counter(`${name}.walks`, "count", "page walks (retries after a fault included)");
    this.stRefs = stats.counter(`${name}.walkRefs`, "count", "table entries read by page walks (memory references)");
    this.stPwcHits = stats.counter(`${name}.pwc.hits`, "count", "walks shortened by a page-walk cache");
    this.stRefsPerWalk = stats.histogram(`${name}.refsPerWalk`, "count", "memory references per page walk");
  }

  /** True when a walker is free. */
  get hasFree(): boolean {
    return this.busy < this.walkers;
  }

  /** The slot walking (or holding, for a fault) the 4 KiB page of `va`, or -1. */
  slotOfPage(va: number): number {
    if (this.busy === 0) return -1;
    const page = Math.floor(va / 4096);
    for (let s = 0; s < this.walkers; s++) if (this.state[s] !== FREE && Math.floor(this.va[s] / 4096) === page) return s;
    return -1;
  }

  /** Starts a walk of `va` for request `msg` (which joins the slot's waiters); the slot, or -1 when none is free. */
  start(va: number, isWrite: boolean, msg: Message): number {
    if (this.busy === this.walkers) return -1;
    let s = 0;
    while (this.state[s] !== FREE) s++;
    this.busy++;
    this.va[s] = va;
    this.write[s] = isWrite ? 1 : 0;
    this.startedAt[s] = this.sim.now;
    this.tries[s] = 0;
    this.waiters[s].push(msg);
    this.begin(s);
    return s;
  }

  /** Walks the slot's page again (after a fault was serviced). */
  retry(slot: number): void {
    if (this.tries[slot] < 255) this.tries[slot]++;
    this.begin(slot);
  }

  /** Keeps the slot busy without walking (the owner is servicing a fault for it). */
  hold(slot: number): void {
    this.state[slot] = HELD;
  }

  /** Frees a slot whose waiters the owner has answered. */
  release(slot: number): void {
    if (this.state[slot] === FREE) throw new Error(`${this.name}: slot ${slot} released twice at tick ${this.sim.now}`);
    this.state[slot] = FREE;
    this.busy--;
  }

  /** Empties the page-walk caches (an invalidation of the table's upper levels). */
  flushPwc(): void {
    for (const c of this.pwc) c?.flushAll();
  }

  /** A MemReadResp for one of this walker's references arrived on the memory port. */
  onResponse(msg: Message): void {
    const s = msg.txnId;
    this.pool.put(msg);
    if (this.stepPs > 0) this.sim.schedule(this, this.stepPs, EV_STEP, s);
    else this.advance(s);
  }

  /** The memory port can take references again. */
  drain(): void {
    drainBacklog(this.port, this.backlog);
  }

  /** A delayed step is due. */
  handleEvent(_kind: number, payload: unknown): void {
    this.advance(payload as number);
  }

  private begin(s: number): void {
    this.state[s] = WALKING;
    this.stWalks.value++;
    const va = this.va[s];
    const t = this.table;
    const leaf = t.leafLevel(va);
    let start = t.layout.levels;
    for (let l = leaf + 1; l <= t.layout.levels; l++) {
      const c = this.pwc[l];
      if (c !== null && c.lookup(va, 0) >= 0) {
        this.stPwcHits.value++;
        start = l - 1;
        break;
      }
    }
    this.level[s] = start;
    this.refsOf[s] = 0;
    this.issue(s);
  }

  /** Reads the slot's entry at its current level, or ends the walk when that table does not exist. */
  private issue(s: number): void {
    const addr = this.table.entryAddr(this.va[s], this.level[s]);
    if (addr < 0) {
      // The parent entry was not present: no table below it.
      this.finish(s, false);
      return;
    }
    const m = this.pool.get();
    m.kind = MsgKind.MemRead;
    m.addr = addr - (addr % this.lineBytes);
    m.sizeBytes = this.lineBytes;
    m.txnId = s;
    m.issuedAt = this.sim.now;
    sendOrQueue(this.port, this.backlog, m);
  }

  private advance(s: number): void {
    if (this.state[s] !== WALKING) return;
    this.stRefs.value++;
    this.refsOf[s]++;
    const va = this.va[s];
    const l = this.level[s];
    const leaf = this.table.leafLevel(va);
    if (l > leaf) {
      // The entry points to a table below (when it exists): cache it for later walks.
      if (this.table.entryAddr(va, l - 1) >= 0) this.pwc[l]?.insert(va, this.table.shiftOf(l), 0);
      this.level[s] = l - 1;
      this.issue(s);
      return;
    }
    this.finish(s, this.client.present(va));
  }

  private finish(s: number, found: boolean): void {
    this.stRefsPerWalk.sample(this.refsOf[s]);
    this.state[s] = HELD;
    this.client.walkDone(s, found);
  }
}
