import type { EventHandler } from "../kernel/event-queue.ts";
import { MessageQueue, type Message, type MessagePool } from "../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import { MsgKind } from "../mem/msg-kind.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import type { ValueAudit } from "../machine/value-audit.ts";

/** One page move: copy every line from `fromPa` to `toPa`, then call `done`. */
export interface PageMove {
  fromPa: number;
  toPa: number;
  /** Called once the last line has been read and its write sent. */
  done: () => void;
}

const EV_START = 0;

/**
 * The kernel's page-copy agent: reads each line of the old frame through the northbridge (so
 * dirty data is fetched from any cache, as a coherent copy must) and writes it to the new frame,
 * keeping `window` lines in flight. The copy traffic loads links and memory like any other.
 */
export class PageMigrator implements PortOwner, EventHandler {
  /** Component path. */
  readonly name: string;
  /** Port to the serving socket's northbridge. */
  readonly port: Port;
  /**
   * Value audit of `--check`, or null: each line read must be the latest, its copy in the new
   * frame becomes that line's latest (the copy carries the same data), and when the mapping
   * switches every copied line must still be the old frame's latest (no store was lost).
   */
  values: ValueAudit | null = null;
  /** Version each line of the current page was copied with (value tracking). */
  private copied: Float64Array | null = null;
  private readonly sim: Simulator;
  private readonly pool: MessagePool;
  private readonly lineBytes: number;
  private readonly linesPerPage: number;
  private readonly window: number;
  private readonly moves: PageMove[] = [];
  private current: PageMove | null;
  private nextLine: number;
  private linesDone: number;
  private inFlight: number;
  private readonly outQ = new MessageQueue();
  private readonly stPages: Counter;
  private readonly stBytes: Counter;

  constructor(sim: Simulator, stats: StatsRegistry, pool: MessagePool, name: string, lineBytes: number, pageBytes: number, window = 16) {
    this.name = name;
    this.sim = sim;
    this.pool = pool;
    this.port = new Port(this, `${name}.port`);
    this.lineBytes = lineBytes;
    this.linesPerPage = pageBytes / lineBytes;
    this.window = window;
    this.current = null;
    this.nextLine = 0;
    this.linesDone = 0;
    this.inFlight = 0;
    this.stPages = stats.counter(`${name}.pages`, "count", "pages copied");
    this.stBytes = stats.counter(`${name}.bytes`, "bytes", "bytes copied (read once, written once)");
  }

  /** Pages waiting or being copied. */
  get pending(): number {
    return this.moves.length + (this.current === null ? 0 : 1);
  }

  /** Queues a page move; copies run one page at a time, lines pipelined. */
  enqueue(m: PageMove): void {
    this.moves.push(m);
    if (this.current === null) this.sim.schedule(this, 0, EV_START, null);
  }

  handleEvent(_kind: number): void {
    if (this.current === null) this.startNext();
  }

  /** A line's data has arrived: write it to the new frame. */
  recv(_port: Port, msg: Message): boolean {
    const cur = this.current as PageMove;
    const line = msg.txnId;
    // The read is complete: release the line at its home (a shared-cache hit has no home part).
    const done = this.pool.get();
    done.kind = MsgKind.SrcDone;
    done.addr = cur.fromPa + line * this.lineBytes;
    done.aux = msg.dst === -1 ? 1 : 0;
    done.sizeBytes = 4;
    this.send(done);
    if (this.values !== null) {
      const from = cur.fromPa / this.lineBytes + line;
      this.values.read(this.name, from, msg.version, this.sim.now, "page-copy read", msg.src);
      this.values.commit(cur.toPa / this.lineBytes + line, msg.version);
      this.copied ??= new Float64Array(this.linesPerPage);
      this.copied[line] = msg.version;
    }
    msg.kind = MsgKind.WriteBack;
    msg.addr = cur.toPa + line * this.lineBytes;
    msg.sizeBytes = 8 + this.lineBytes;
    msg.txnId = 0;
    this.send(msg);
    this.inFlight--;
    this.linesDone++;
    this.stBytes.value += this.lineBytes;
    if (this.linesDone === this.linesPerPage) {
      if (this.values !== null) this.checkCopy(cur);
      this.stPages.value++;
      this.current = null;
      cur.done();
      this.startNext();
    } else this.issue();
    return true;
  }

  /** The page is copied and its mapping is about to switch: each copied line must still be the latest. */
  private checkCopy(cur: PageMove): void {
    const values = this.values as ValueAudit;
    const copied = this.copied as Float64Array;
    const first = cur.fromPa / this.lineBytes;
    for (let k = 0; k < this.linesPerPage; k++) values.read(this.name, first + k, copied[k], this.sim.now, "page copy (checked as its mapping switches)");
  }

  wake(_port: Port): void {
    drainBacklog(this.port, this.outQ);
  }

  private startNext(): void {
    const m = this.moves.shift();
    if (m === undefined) return;
    this.current = m;
    this.nextLine = 0;
    this.linesDone = 0;
    this.issue();
  }

  private issue(): void {
    const cur = this.current as PageMove;
    while (this.inFlight < this.window && this.nextLine < this.linesPerPage) {
      const msg = this.pool.get();
      msg.kind = MsgKind.ReadReq;
      msg.addr = cur.fromPa + this.nextLine * this.lineBytes;
      msg.txnId = this.nextLine;
      msg.sizeBytes = 8;
      msg.issuedAt = this.sim.now;
      this.nextLine++;
      this.inFlight++;
      this.send(msg);
    }
  }

  private send(msg: Message): void {
    sendOrQueue(this.port, this.outQ, msg);
  }
}
