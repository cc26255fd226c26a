import type { EventHandler } from "../kernel/event-queue.ts";
import { MessageQueue, type Message } from "../kernel/message.ts";
import type { Connection, Port } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import type { TraceWriter } from "../stats/trace-writer.ts";
import { MSG_KIND_NAMES } from "../mem/msg-kind.ts";
import { InsertionTimeline } from "./insertion-timeline.ts";
import type { LinkAudit } from "./link-audit.ts";

/** Parameters of a point-to-point link (both directions alike). */
export interface LinkParams {
  /** Flight time of one message, first bit sent to first bit received, in ps. */
  latencyPs: number;
  /** Flight time from the second port to the first, when it differs (defaults to latencyPs). */
  reverseLatencyPs?: number;
  /** Bytes per nanosecond in each direction (= GB/s). */
  bandwidthBytesPerNs: number;
  /**
   * Cut-through switching: the far end learns when the head (the first `headerBytes`) arrived, so
   * a router forwarding the packet at once may start it on its next link from then.
   */
  cutThrough?: boolean;
  /** Bytes that must arrive before a cut-through router can route the packet. */
  headerBytes?: number;
  /**
   * Packets of at most this many bytes (commands without data) may be inserted into a data packet
   * being sent, as HyperTransport allows: they wait only for other such packets, and the data
   * packets they interrupt or overtake end that much later. 0 disables it.
   */
  controlInsertBytes?: number;
  /** Largest packet the link will carry (header and data), in bytes; 4160 if not given. */
  maxPacketBytes?: number;
  /**
   * Messages a direction may hold between acceptance and delivery (the receiver's buffer credits):
   * a send beyond it is refused and the sender woken when one is returned.
   */
  credits: number;
}

/** `LinkParams.maxPacketBytes` when not given: a 4 KiB packet and its header. */
const DEFAULT_MAX_PACKET_BYTES = 4160;

/** Most packets booked ahead that a direction keeps apart; beyond it a booking holds the wire up to its end. */
const MAX_BOOKINGS = 32;

/**
 * Wire time booked by packets handed to the link before they are due (an answer after a lookup):
 * intervals later packets keep clear of, so no two packets share the wire. A small unsorted list.
 */
class Bookings {
  private readonly startPs = new Float64Array(MAX_BOOKINGS);
  private readonly endPs = new Float64Array(MAX_BOOKINGS);
  /** Bookings held. */
  n = 0;

  /** Books the wire from `start` to `end`; false when the list is full. */
  add(start: number, end: number): boolean {
    if (this.n === MAX_BOOKINGS) return false;
    this.startPs[this.n] = start;
    this.endPs[this.n] = end;
    this.n++;
    return true;
  }

  /** Earliest tick from `t` at which `ps` of wire time overlaps no booking. */
  clearOf(t: number, ps: number): number {
    for (let moved = this.n > 0; moved; ) {
      moved = false;
      for (let i = 0; i < this.n; i++) {
        if (this.startPs[i] < t + ps && this.endPs[i] > t) {
          t = this.endPs[i];
          moved = true;
        }
      }
    }
    return t;
  }

  /** Drops the bookings that end by `t`: no packet still to be placed starts before it. */
  dropBefore(t: number): void {
    for (let i = 0; i < this.n; ) {
      if (this.endPs[i] <= t) {
        const last = --this.n;
        this.startPs[i] = this.startPs[last];
        this.endPs[i] = this.endPs[last];
      } else i++;
    }
  }
}

/** Per-direction state and statistics of a link. */
class Direction {
  /** End of the last packet placed as it was sent (packets sent now queue behind it). */
  busyUntil = 0;
  /** Wire time of packets handed over before they were due. */
  readonly booked = new Bookings();
  /** On a link that inserts commands into data packets, the wire times of its packets (data packets move); else null. */
  timeline: InsertionTimeline | null = null;
  /** With a timeline: the time data packets were held on the wire by commands inserted into them. */
  interruptedPs: Counter | null = null;
  inFlight = 0;
  senderWaiting = false;
  readonly stalled = new MessageQueue();
  /** Tick each held message reached the far end, in the order of `stalled` (holds are rare). */
  readonly stalledDue: number[] = [];
  stalledDueHead = 0;
  constructor(
    readonly from: Port,
    readonly to: Port,
    readonly bytes: Counter,
    readonly messages: Counter,
    readonly busyPs: Counter,
    readonly queueDelayPs: Counter,
    readonly refused: Counter,
    readonly stallPs: Counter,
    readonly receiverWaitPs: Counter,
  ) {}
}

/**
 * A bidirectional point-to-point link with latency and bandwidth: each direction serialises
 * messages first-come first-served (a message occupies it for size / bandwidth and queues while
 * it is busy), and holds back-pressure with credits as HyperTransport does. One event per message.
 */
export class Link implements Connection, EventHandler {
  /** Link path, e.g. `ht.node0-node1`. */
  readonly name: string;
  /** Flight time in ps (first port to second). */
  readonly latencyPs: number;
  /** Flight time in ps (second port to first). */
  readonly reverseLatencyPs: number;
  /** Bandwidth per direction in bytes per ns. */
  readonly bandwidthBytesPerNs: number;
  /** Credits per direction. */
  readonly credits: number;
  /** Timeline writer, when the run records one (set by the machine builder). */
  trace: TraceWriter | null = null;
  /** Bandwidth audit (see LinkAudit), when one is attached; null normally. */
  audit: LinkAudit | null = null;
  private readonly sim: Simulator;
  private readonly psPerByte: number;
  private readonly cutThrough: boolean;
  private readonly controlInsertBytes: number;
  private readonly headerPs: number;
  private readonly dirs: [Direction, Direction];
  private stalledSince0 = 0;
  private stalledSince1 = 0;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, a: Port, b: Port, p: LinkParams) {
    if (!(p.bandwidthBytesPerNs > 0)) throw new Error(`${name}: bandwidth must be positive`);
    if (!(p.latencyPs >= 0) || !Number.isInteger(p.latencyPs)) throw new Error(`${name}: latency must be a whole number of ps`);
    if (!(p.credits >= 1)) throw new Error(`${name}: needs at least one credit`);
    this.name = name;
    this.sim = sim;
    this.latencyPs = p.latencyPs;
    this.reverseLatencyPs = p.reverseLatencyPs ?? p.latencyPs;
    if (!(this.reverseLatencyPs >= 0) || !Number.isInteger(this.reverseLatencyPs)) throw new Error(`${name}: latency must be a whole number of ps`);
    this.bandwidthBytesPerNs = p.bandwidthBytesPerNs;
    this.credits = p.credits;
    this.psPerByte = 1000 / p.bandwidthBytesPerNs;
    this.cutThrough = p.cutThrough ?? false;
    this.controlInsertBytes = p.controlInsertBytes ?? 0;
    this.headerPs = Math.ceil((p.headerBytes ?? 8) * this.psPerByte);
    const dir = (from: Port, to: Port, tag: string): Direction => {
      const base = `${name}.${tag}`;
      const d = new Direction(
        from,
        to,
        stats.counter(`${base}.bytes`, "bytes", "bytes carried in this direction"),
        stats.counter(`${base}.messages`, "count", "messages carried in this direction"),
        stats.counter(`${base}.busyPs`, "ps", "time spent serialising messages"),
        stats.counter(`${base}.queueDelaySumPs`, "ps", "total wait from send until serialisation starts"),
        stats.counter(`${base}.refused`, "count", "sends refused for lack of credits"),
        stats.counter(`${base}.stallPs`, "ps", "time delivered messages waited for a full receiver"),
        stats.counter(`${base}.receiverWaitSumPs`, "ps", "total wait of held messages, from due at the far end to taken"),
      );
      stats.formula(`${base}.utilisation`, "ratio", "busy time over simulated time", () => d.busyPs.value / this.sim.now);
      stats.formula(`${base}.queueDelayPs`, "ps", "mean wait from send until serialisation starts", () => d.queueDelayPs.value / d.messages.value);
      stats.formula(`${base}.receiverWaitPs`, "ps", "mean wait per message for a full receiver (0 for most)", () => d.receiverWaitPs.value / d.messages.value);
      stats.formula(`${base}.bandwidthGBs`, "GB/s", "bytes carried over simulated time", () => (d.bytes.value * 1000) / this.sim.now);
      return d;
    };
    this.dirs = [dir(a, b, "fwd"), dir(b, a, "rev")];
    if (this.controlInsertBytes > 0) {
      for (const [d, tag] of [[this.dirs[0], "fwd"], [this.dirs[1], "rev"]] as const) {
        d.timeline = new InsertionTimeline(Math.ceil((p.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES) * this.psPerByte));
        d.interruptedPs = stats.counter(`${name}.${tag}.interruptedSumPs`, "ps", "total time data packets were held on the wire by commands inserted into them");
      }
    }
    a.attach(this, 0);
    b.attach(this, 1);
  }

  /** Serialisation time of `bytes` on this link, in whole ps (rounded up). */
  serialisationPs(bytes: number): number {
    return Math.ceil(bytes * this.psPerByte);
  }

  /** Accepts `msg` from side `side` if a credit is free; it arrives after queueing, serialisation and flight. */
  send(side: number, msg: Message): boolean {
    const d = this.dirs[side];
    if (d.inFlight >= this.credits) {
      d.senderWaiting = true;
      d.refused.value++;
      return false;
    }
    d.inFlight++;
    const now = this.sim.now;
    const ser = Math.ceil(msg.sizeBytes * this.psPerByte);
    let start: number;
    let end: number;
    const tl = d.timeline;
    if (tl !== null) {
      // Commands go into the wire between data bytes; the data they interrupt or overtake ends later.
      const due = msg.sendAt > now;
      // A packet forwarded as its head came in cannot end before its last byte is in (now).
      const earliest = due ? msg.sendAt : msg.headAt > 0 && msg.headAt < now ? Math.max(msg.headAt, now - ser) : now;
      msg.sendAt = 0;
      if (msg.sizeBytes <= this.controlInsertBytes) {
        start = tl.placeCommand(earliest, ser, now);
        end = start + ser;
      } else {
        start = tl.placeData(msg, d.busyUntil > earliest ? d.busyUntil : earliest, ser, !due, now);
        end = tl.foundEnd;
      }
      d.busyUntil = tl.fifoEnd(d.busyUntil);
    } else if (msg.sendAt > now) {
      // A reply due later (after a lookup) takes its place then, without holding up what is sent
      // in the meantime: it books its wire time, which later packets keep clear of.
      start = d.booked.clearOf(d.busyUntil > msg.sendAt ? d.busyUntil : msg.sendAt, ser);
      if (d.booked.n === MAX_BOOKINGS) d.booked.dropBefore(d.busyUntil);
      if (!d.booked.add(start, start + ser)) d.busyUntil = start + ser;
      end = start + ser;
      msg.sendAt = 0;
    } else {
      // A packet forwarded as it arrives may have started leaving when its head came in.
      const earliest = msg.headAt > 0 && msg.headAt < now ? msg.headAt : now;
      start = d.busyUntil > earliest ? d.busyUntil : earliest;
      if (d.booked.n > 0) {
        start = d.booked.clearOf(start, ser);
        d.booked.dropBefore(start + ser);
      }
      d.busyUntil = start + ser;
      end = start + ser;
    }
    d.bytes.value += msg.sizeBytes;
    d.messages.value++;
    d.busyPs.value += ser;
    // The message is whole at the far end one flight time after its last byte. (A data packet
    // whose wire time may still move is settled when it arrives.)
    if (tl === null || msg.sizeBytes <= this.controlInsertBytes) this.settle(d, side, msg, start, end, ser, now, tl);
    this.sim.scheduleAt(this, end + (side === 0 ? this.latencyPs : this.reverseLatencyPs), side, msg);
    return true;
  }

  /**
   * A packet's wire time is final: its wait for the wire is counted, it is audited and traced,
   * and, with cut-through, it carries the tick its head reaches the far end. With a timeline `tl`,
   * the audit is told no packet still to be audited on this direction starts before its earliest.
   */
  private settle(d: Direction, side: number, msg: Message, start: number, end: number, ser: number, sentAt: number, tl: InsertionTimeline | null): void {
    const flight = side === 0 ? this.latencyPs : this.reverseLatencyPs;
    if (start > sentAt) d.queueDelayPs.value += start - sentAt;
    if (this.audit !== null) {
      const now = this.sim.now;
      this.audit.record(side, start, end - start, msg.sizeBytes, tl === null ? now : tl.earliestStart(now));
    }
    msg.headAt = this.cutThrough ? start + (this.headerPs < ser ? this.headerPs : ser) + flight : 0;
    if (this.trace !== null) this.trace.span(this.name, MSG_KIND_NAMES[msg.kind] ?? "message", start, end + flight, { dir: side === 0 ? "fwd" : "rev", bytes: msg.sizeBytes, addr: msg.addr });
  }

  /**
   * A data packet of a link that inserts commands reaches the far end: false if a command has
   * since pushed its end back (it arrives later, rescheduled), else its wire time is final.
   */
  private leaveTimeline(d: Direction, tl: InsertionTimeline, side: number, msg: Message): boolean {
    const flight = side === 0 ? this.latencyPs : this.reverseLatencyPs;
    if (!tl.find(msg)) throw new Error(`${this.name}: a packet arrived that was not on the wire`);
    const now = this.sim.now;
    const start = tl.foundStart;
    const end = tl.foundEnd;
    if (end + flight > now) {
      this.sim.scheduleAt(this, end + flight, side, msg);
      return false;
    }
    tl.removeFound();
    const ser = Math.ceil(msg.sizeBytes * this.psPerByte);
    if (end - start > ser) (d.interruptedPs as Counter).value += end - start - ser;
    this.settle(d, side, msg, start, end, ser, tl.foundSent, tl);
    return true;
  }

  /** A message reaches the far end of direction `side`. */
  handleEvent(side: number, payload: unknown): void {
    const d = this.dirs[side];
    const msg = payload as Message;
    if (d.timeline !== null && msg.sizeBytes > this.controlInsertBytes && !this.leaveTimeline(d, d.timeline, side, msg)) return;
    msg.hops++;
    if (d.stalled.length > 0 || !d.to.owner.recv(d.to, msg)) {
      if (d.stalled.length === 0) this.markStall(side);
      d.stalled.push(msg);
      d.stalledDue.push(this.sim.now);
      return;
    }
    this.returnCredit(d);
  }

  /** The receiver on `side` of the link (the side whose port called ready) can take messages again. */
  receiverReady(receiverSide: number): void {
    const d = this.dirs[1 - receiverSide];
    if (d.stalled.length === 0) return;
    // Take the message off first: the receiver may queue it, and the queues are intrusive.
    for (let m = d.stalled.shift(); m !== null; m = d.stalled.shift()) {
      if (!d.to.owner.recv(d.to, m)) {
        d.stalled.pushFront(m);
        return;
      }
      d.receiverWaitPs.value += this.sim.now - d.stalledDue[d.stalledDueHead++];
      if (d.stalledDueHead === d.stalledDue.length) {
        d.stalledDue.length = 0;
        d.stalledDueHead = 0;
      }
      this.returnCredit(d);
    }
    const since = receiverSide === 1 ? this.stalledSince0 : this.stalledSince1;
    d.stallPs.value += this.sim.now - since;
  }

  private markStall(side: number): void {
    if (side === 0) this.stalledSince0 = this.sim.now;
    else this.stalledSince1 = this.sim.now;
  }

  private returnCredit(d: Direction): void {
    d.inFlight--;
    if (d.senderWaiting) {
      d.senderWaiting = false;
      d.from.owner.wake(d.from);
    }
  }
}
