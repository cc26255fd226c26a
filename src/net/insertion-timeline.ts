import type { Message } from "../kernel/message.ts";

/**
 * Wire times of packets of one kind on a link direction, in order of start, in a ring: packets of
 * one kind never overlap, so this is also the order they end (and arrive) in. Entry `j` is at
 * slot `(head + j) & mask`.
 */
class WireRing {
  start: Float64Array = new Float64Array(16);
  end: Float64Array = new Float64Array(16);
  head = 0;
  n = 0;
  mask = 15;

  /** Slot of entry `j`. */
  at(j: number): number {
    return (this.head + j) & this.mask;
  }

  /** Index of the first entry that ends after `t` (n if none): ends are in order, the last ones the likely answer. */
  firstEndingAfter(t: number): number {
    const end = this.end;
    const head = this.head - 1;
    const mask = this.mask;
    let j = this.n;
    while (j > 0 && end[(head + j) & mask] > t) j--;
    return j;
  }
}

/** The data packets on (or waiting for) the wire of a link direction; the one arriving is nearly always the first. */
class Lane extends WireRing {
  msgs: (Message | null)[] = new Array<Message | null>(16).fill(null);
  /** Wire time the packet needs, in ps (its own bytes, without the commands that hold it). */
  ser: Float64Array = new Float64Array(16);
  /** Tick the packet was handed to the link. */
  sent: Float64Array = new Float64Array(16);
  /** 1 when placed as it was sent (its end is the direction's busy-until), 0 when booked ahead. */
  flag: Uint8Array = new Uint8Array(16);
  /** Inserts a packet at its place by start (after those starting at the same tick); returns its entry index. */
  insert(msg: Message | null, start: number, end: number, ser: number, sent: number, flag: number): number {
    if (this.n === this.msgs.length) this.grow();
    let j = this.n++;
    while (j > 0 && this.start[this.at(j - 1)] > start) {
      this.move(this.at(j - 1), this.at(j));
      j--;
    }
    const i = this.at(j);
    this.msgs[i] = msg;
    this.start[i] = start;
    this.end[i] = end;
    this.ser[i] = ser;
    this.sent[i] = sent;
    this.flag[i] = flag;
    return j;
  }

  /** Removes the first `k` entries. */
  dropFirst(k: number): void {
    for (let j = 0; j < k; j++) this.msgs[this.at(j)] = null;
    this.head = (this.head + k) & this.mask;
    this.n -= k;
  }

  /** Removes entry `j`. */
  removeAt(j: number): void {
    if (j === 0) return this.dropFirst(1);
    for (let k = j + 1; k < this.n; k++) this.move(this.at(k), this.at(k - 1));
    this.msgs[this.at(--this.n)] = null;
  }

  /** Entry index of `msg`, or -1. */
  indexOf(msg: Message): number {
    for (let j = 0; j < this.n; j++) if (this.msgs[this.at(j)] === msg) return j;
    return -1;
  }

  private move(from: number, to: number): void {
    this.msgs[to] = this.msgs[from];
    this.start[to] = this.start[from];
    this.end[to] = this.end[from];
    this.ser[to] = this.ser[from];
    this.sent[to] = this.sent[from];
    this.flag[to] = this.flag[from];
  }

  /** Doubles the ring, its entries moved to slots 0..n-1. */
  private grow(): void {
    const c = this.msgs.length * 2;
    const msgs = new Array<Message | null>(c).fill(null);
    const start = new Float64Array(c);
    const end = new Float64Array(c);
    const ser = new Float64Array(c);
    const sent = new Float64Array(c);
    const flag = new Uint8Array(c);
    for (let j = 0; j < this.n; j++) {
      const i = this.at(j);
      msgs[j] = this.msgs[i];
      start[j] = this.start[i];
      end[j] = this.end[i];
      ser[j] = this.ser[i];
      sent[j] = this.sent[i];
      flag[j] = this.flag[i];
    }
    this.msgs = msgs;
    this.start = start;
    this.end = end;
    this.ser = ser;
    this.sent = sent;
    this.flag = flag;
    this.head = 0;
    this.mask = c - 1;
  }
}

/**
 * The wire times of the command packets of a link direction still on the wire or ahead of it (or
 * inside a data packet still on it), in order of start, in a ring. A command never moves once
 * placed, so nothing else is kept.
 */
class CommandLane extends WireRing {
  /** Inserts a command's wire time at its place by start (after those starting at the same tick). */
  insert(start: number, end: number): void {
    if (this.n === this.start.length) this.grow();
    const starts = this.start;
    const ends = this.end;
    const head = this.head;
    const mask = this.mask;
    let to = (head + this.n++) & mask;
    // Most go last; one placed before replies booked ahead goes a few places up.
    for (let from = (to - 1) & mask; to !== head && starts[from] > start; from = (from - 1) & mask) {
      starts[to] = starts[from];
      ends[to] = ends[from];
      to = from;
    }
    starts[to] = start;
    ends[to] = end;
  }

  /** Drops the commands that end by `t`. */
  dropEndingBy(t: number): void {
    const end = this.end;
    let head = this.head;
    let n = this.n;
    while (n > 0 && end[head] <= t) {
      head = (head + 1) & this.mask;
      n--;
    }
    this.head = head;
    this.n = n;
  }

  private grow(): void {
    const c = this.start.length * 2;
    const start = new Float64Array(c);
    const end = new Float64Array(c);
    for (let j = 0; j < this.n; j++) {
      start[j] = this.start[this.at(j)];
      end[j] = this.end[this.at(j)];
    }
    this.start = start;
    this.end = end;
    this.head = 0;
    this.mask = c - 1;
  }
}

/**
 * The wire of one direction of a link that inserts command packets into data packets in flight,
 * as HyperTransport does: a command waits only for other commands, and a data packet it
 * interrupts (or overtakes while it waits) ends that much later, pushing back the data queued
 * behind it. A data packet's end is recomputed whenever a command lands inside or before it, so
 * no window of the wire carries more than its bandwidth. A command's place is final when made.
 */
export class InsertionTimeline {
  private readonly data = new Lane();
  private readonly cmds = new CommandLane();
  /** Start, end and send tick of the data packet `find` or `placeData` last found or placed. */
  foundStart = 0;
  foundEnd = 0;
  foundSent = 0;
  /** Entry index of the data packet `find` last found. */
  private foundIndex = -1;
  /**
   * How far before now a packet may yet be placed: a packet forwarded as its head came in may
   * start one serialisation time before its tail (now); commands over earlier than that can
   * matter no more, except to the data packets they held.
   */
  private readonly lookbackPs: number;

  constructor(lookbackPs: number) {
    this.lookbackPs = lookbackPs;
  }

  /** Places a command from `earliest` (not before `now`), clear of other commands; returns its start. Data it interrupts end later. */
  placeCommand(earliest: number, ser: number, now: number): number {
    const c = this.cmds;
    const d = this.data;
    // Commands over before anything can yet be placed matter only to the data packets still on
    // the wire that they held.
    const firstData = d.n > 0 ? d.start[d.at(0)] : Infinity;
    const horizon = now - this.lookbackPs;
    c.dropEndingBy(horizon < firstData ? horizon : firstData);
    let t = earliest;
    // Commands do not overlap, so one pass in order of start, from the first to end after `t`,
    // finds the first gap that fits.
    const starts = c.start;
    const ends = c.end;
    for (let j = c.firstEndingAfter(t); j < c.n; j++) {
      const i = (c.head + j) & c.mask;
      if (starts[i] >= t + ser) break;
      t = ends[i];
    }
    c.insert(t, t + ser);
    if (d.n > 0 && d.end[d.at(d.n - 1)] > t) this.reflow(t);
    return t;
  }

  /**
   * Places a data packet from `earliest` in the first gap between data packets long enough for
   * it, its wire time stretched over the commands it meets; returns its start (its end: `foundEnd`).
   */
  placeData(msg: Message, earliest: number, ser: number, fifo: boolean, sentAt: number): number {
    const d = this.data;
    let t = earliest;
    for (let j = d.firstEndingAfter(t); j < d.n; j++) {
      const i = d.at(j);
      if (d.start[i] >= t + ser) break;
      t = d.end[i];
    }
    t = this.pastCommands(t);
    const end = this.advance(t, ser);
    const k = d.insert(msg, t, end, ser, sentAt, fifo ? 1 : 0);
    // Stretched over commands, it may now reach into a packet booked after it.
    if (k < d.n - 1 && d.start[d.at(k + 1)] < end) this.reflow(t);
    const i = d.at(k);
    this.foundStart = d.start[i];
    this.foundEnd = d.end[i];
    return this.foundStart;
  }

  /** Latest end of the data packets placed as they were sent, or `floor`. */
  fifoEnd(floor: number): number {
    const d = this.data;
    let e = floor;
    for (let j = 0; j < d.n; j++) {
      const i = d.at(j);
      if (d.flag[i] === 1 && d.end[i] > e) e = d.end[i];
    }
    return e;
  }

  /** Finds data packet `msg` on the wire: true with its wire time in `foundStart` / `foundEnd`, else false. */
  find(msg: Message): boolean {
    const d = this.data;
    const j = d.indexOf(msg);
    if (j < 0) return false;
    const i = d.at(j);
    this.foundStart = d.start[i];
    this.foundEnd = d.end[i];
    this.foundSent = d.sent[i];
    this.foundIndex = j;
    return true;
  }

  /** The data packet `find` last found has left the wire. */
  removeFound(): void {
    this.data.removeAt(this.foundIndex);
  }

  /** Earliest start of a data packet still on or waiting for the wire, or `floor` when there is none earlier. */
  earliestStart(floor: number): number {
    const d = this.data;
    return d.n > 0 && d.start[d.at(0)] < floor ? d.start[d.at(0)] : floor;
  }

  /** First tick from `t` not inside a command. */
  private pastCommands(t: number): number {
    const c = this.cmds;
    for (let j = c.firstEndingAfter(t); j < c.n; j++) {
      const i = c.at(j);
      if (c.start[i] > t) break;
      t = c.end[i];
    }
    return t;
  }

  /** End of `ser` ps of wire time from `t` (not inside a command), skipping the commands met on the way. */
  private advance(t: number, ser: number): number {
    const c = this.cmds;
    let left = ser;
    for (let j = c.firstEndingAfter(t); j < c.n; j++) {
      const i = c.at(j);
      const s = c.start[i];
      if (s >= t + left) break;
      if (s > t) left -= s - t;
      t = c.end[i];
    }
    return t + left;
  }

  /**
   * Replays, in order, the data packets still on the wire after `from`: each starts no earlier
   * than it did, nor before the one ahead of it ends, nor inside a command, and ends once it has
   * had its wire time between the commands. Packets only ever move later.
   */
  private reflow(from: number): void {
    const d = this.data;
    let prevEnd = -1;
    for (let j = 0; j < d.n; j++) {
      const i = d.at(j);
      if (d.end[i] <= from) {
        prevEnd = d.end[i];
        continue;
      }
      const s = this.pastCommands(d.start[i] > prevEnd ? d.start[i] : prevEnd);
      d.start[i] = s;
      d.end[i] = this.advance(s, d.ser[i]);
      prevEnd = d.end[i];
    }
  }
}
