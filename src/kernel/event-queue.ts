import type { Tick } from "./tick.ts";

/** Anything the kernel can deliver an event to: components implement this one method. */
export interface EventHandler {
  /** Hierarchical component path, used in error messages. */
  readonly name: string;
  /** Called when an event scheduled for this handler comes due; `kind` and `payload` are the scheduler's. */
  handleEvent(kind: number, payload: unknown): void;
}

const NIL = -1;
const MIN_BUCKETS = 16;
/** Buckets `hasEventBy` looks at before it answers "maybe" (true). */
const LOOKAHEAD_BUCKETS = 4;

/**
 * The pending-event set: a calendar queue (R. Brown, 1988) over struct-of-arrays slots.
 *
 * Order is (tick, insertion sequence). Events of equal tick always share a bucket, and an insert
 * walks past every event with a tick <= its own, so each bucket's list is FIFO among equal ticks
 * without storing a sequence number. Bucket widths are powers of two, so `tick * (1 / width)` is
 * exact and a bucket index never depends on rounding. The bucket count follows the population
 * (doubling at once, halving only once even its recent peak is small, so a bursty population does
 * not re-bucket at every swing) and the width is re-estimated from the spacing of the earliest
 * events at each rebuild, or when operations start costing more than a few steps on average.
 * Nothing is allocated per event: slots are recycled through a free list.
 */
export class EventQueue {
  // Slot storage (struct of arrays), fields assigned in a fixed order for a stable V8 shape.
  private ticks: Float64Array;
  private nexts: Int32Array;
  private kinds: Int32Array;
  private handlers: (EventHandler | null)[];
  private payloads: unknown[];
  private freeHead: number;
  private capacity: number;
  // Calendar.
  private heads: Int32Array;
  private tails: Int32Array;
  private nBuckets: number;
  private mask: number;
  private width: number;
  private invWidth: number;
  /** Virtual bucket (floor(tick / width)) being served; no pending event lies in an earlier one. */
  private curVb: number;
  private count: number;
  /** Tick of the last event taken: nothing pending is earlier. */
  private lastTick: Tick;
  // Adaptivity: steps spent (bucket skips, list walks) over operations since the last rebuild.
  private ops: number;
  private steps: number;
  /** Most events pending at once since the last retune: the calendar shrinks only when even that is few. */
  private peak: number;
  private rebuildCount: number;
  /** Scratch for `rebuild`, kept between rebuilds. */
  private order: Int32Array;
  private sorted: Float64Array;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity | 0);
    this.ticks = new Float64Array(cap);
    this.nexts = new Int32Array(cap);
    this.kinds = new Int32Array(cap);
    this.handlers = [];
    this.payloads = [];
    this.freeHead = NIL;
    this.capacity = 0;
    this.heads = new Int32Array(MIN_BUCKETS).fill(NIL);
    this.tails = new Int32Array(MIN_BUCKETS).fill(NIL);
    this.nBuckets = MIN_BUCKETS;
    this.mask = MIN_BUCKETS - 1;
    this.width = 1024;
    this.invWidth = 1 / 1024;
    this.curVb = 0;
    this.count = 0;
    this.lastTick = 0;
    this.ops = 0;
    this.steps = 0;
    this.peak = 0;
    this.rebuildCount = 0;
    this.order = new Int32Array(MIN_BUCKETS);
    this.sorted = new Float64Array(MIN_BUCKETS);
    this.addSlots(cap);
  }

  /** Number of pending events. */
  get size(): number {
    return this.count;
  }

  /** Buckets of the calendar now. */
  get buckets(): number {
    return this.nBuckets;
  }

  /** Times the calendar was re-bucketed (resized or given a new width) since construction. */
  get rebuilds(): number {
    return this.rebuildCount;
  }

  /** Adds an event; the caller guarantees `tick` is not earlier than the last event taken. */
  push(tick: Tick, handler: EventHandler, kind: number, payload: unknown): void {
    if (this.freeHead === NIL) this.addSlots(this.capacity * 2);
    const s = this.freeHead;
    this.freeHead = this.nexts[s];
    this.ticks[s] = tick;
    this.kinds[s] = kind;
    this.handlers[s] = handler;
    this.payloads[s] = payload;
    this.link(s, tick);
    if (++this.count > this.peak) {
      this.peak = this.count;
      if (this.count > this.nBuckets >> 1) this.rebuild(this.nBuckets << 1);
    }
  }

  /**
   * Removes the earliest event if its tick is at most `untilTick` and returns its slot, whose
   * fields stay readable (accessors below) until the next push; otherwise returns -1.
   */
  takeUntil(untilTick: Tick): number {
    if (this.count === 0) return NIL;
    // Retune every 2 x buckets operations, or sooner once they have cost that many steps (a
    // population that collapsed leaves a wide calendar its few events are spread thin over).
    if (++this.ops > this.nBuckets << 1 || this.steps > this.nBuckets << 1) this.retune();
    const ticks = this.ticks;
    const heads = this.heads;
    const mask = this.mask;
    const inv = this.invWidth;
    let vb = this.curVb;
    let h = heads[vb & mask];
    // Widths are powers of two, so the head is in the current year exactly when it precedes the
    // year's end: one comparison instead of a floor per dequeue.
    if (h === NIL || ticks[h] >= (vb + 1) * this.width) {
      let skipped = 1;
      const nb = this.nBuckets;
      for (;;) {
        if (skipped === nb) {
          // A whole year of empty buckets: find the earliest head directly and jump there.
          h = this.earliestHead();
          vb = Math.floor(ticks[h] * inv);
          break;
        }
        vb++;
        h = heads[vb & mask];
        if (h !== NIL && Math.floor(ticks[h] * inv) === vb) break;
        skipped++;
      }
      this.steps += skipped;
    }
    const t = ticks[h];
    if (t > untilTick) {
      // Not taken: stay in the current bucket, since an event may yet be pushed before this one.
      return NIL;
    }
    // The earliest event is the head of its bucket.
    const b = vb & mask;
    const nx = this.nexts[h];
    heads[b] = nx;
    if (nx === NIL) this.tails[b] = NIL;
    this.curVb = vb;
    this.lastTick = t;
    this.count--;
    this.nexts[h] = this.freeHead;
    this.freeHead = h;
    return h;
  }

  /**
   * True if a pending event is due at or before `t`, or if that cannot be ruled out by a look at
   * the heads of the next few buckets (`t` far ahead). No pending event lies before the current
   * bucket, and each bucket's list is in tick order, so a head later than `t` rules its bucket out.
   */
  hasEventBy(t: Tick): boolean {
    if (this.count === 0) return false;
    const last = Math.floor(t * this.invWidth);
    let vb = this.curVb;
    if (last - vb >= LOOKAHEAD_BUCKETS || last - vb >= this.nBuckets) return true;
    const heads = this.heads;
    const ticks = this.ticks;
    const mask = this.mask;
    for (; vb <= last; vb++) {
      const h = heads[vb & mask];
      if (h !== NIL && ticks[h] <= t) return true;
    }
    return false;
  }

  /** Tick of a slot returned by `takeUntil`. */
  tickOf(slot: number): Tick {
    return this.ticks[slot];
  }

  /** Kind of a slot returned by `takeUntil`. */
  kindOf(slot: number): number {
    return this.kinds[slot];
  }

  /**
   * Handler of a slot returned by `takeUntil`. The reference stays in the free slot until reused:
   * handlers are components that live as long as the simulator, and skipping the store saves a
   * write barrier per event.
   */
  handlerOf(slot: number): EventHandler {
    return this.handlers[slot] as EventHandler;
  }

  /** Payload of a slot returned by `takeUntil` (kept until the slot is reused, as for handlers). */
  payloadOf(slot: number): unknown {
    return this.payloads[slot];
  }

  /** Links slot `s` into its bucket after every event with a tick <= its own (FIFO at equal ticks). */
  private link(s: number, tick: Tick): void {
    const b = Math.floor(tick * this.invWidth) & this.mask;
    const nexts = this.nexts;
    const tail = this.tails[b];
    if (tail === NIL) {
      this.heads[b] = s;
      this.tails[b] = s;
      nexts[s] = NIL;
      return;
    }
    const ticks = this.ticks;
    if (tick >= ticks[tail]) {
      nexts[tail] = s;
      this.tails[b] = s;
      nexts[s] = NIL;
      return;
    }
    let prev = NIL;
    let cur = this.heads[b];
    while (ticks[cur] <= tick) {
      prev = cur;
      cur = nexts[cur];
      this.steps++;
    }
    nexts[s] = cur;
    if (prev === NIL) this.heads[b] = s;
    else nexts[prev] = s;
  }

  private earliestHead(): number {
    let best = NIL;
    for (let b = 0; b < this.nBuckets; b++) {
      const h = this.heads[b];
      if (h !== NIL && (best === NIL || this.ticks[h] < this.ticks[best])) best = h;
    }
    return best;
  }

  /**
   * Every 2 x buckets operations (or steps): halves the calendar when even the peak population
   * since the last retune filled under an eighth of it (a population that swings in bursts keeps
   * its buckets, instead of re-bucketing at every swing), and re-estimates the width when
   * operations have averaged more than three steps.
   */
  private retune(): void {
    const costly = this.steps > 3 * this.ops;
    const shrink = this.peak < this.nBuckets >> 3 && this.nBuckets > MIN_BUCKETS;
    this.ops = 0;
    this.steps = 0;
    this.peak = this.count;
    if (shrink) this.rebuild(this.nBuckets >> 1);
    else if (costly) this.rebuild(this.nBuckets);
  }

  /** Re-buckets every pending event into `n` buckets, with a width from the earliest events' spacing. */
  private rebuild(n: number): void {
    this.rebuildCount++;
    const k = this.count;
    if (this.order.length < k) {
      this.order = new Int32Array(k * 2);
      this.sorted = new Float64Array(k * 2);
    }
    const order = this.order;
    let i = 0;
    // Bucket by bucket, each list in order: events of equal tick keep their relative order.
    for (let b = 0; b < this.nBuckets; b++) {
      for (let s = this.heads[b]; s !== NIL; s = this.nexts[s]) order[i++] = s;
    }
    if (k >= 2) {
      const sorted = this.sorted.subarray(0, k);
      for (let j = 0; j < k; j++) sorted[j] = this.ticks[order[j]];
      sorted.sort();
      // Three times the mean gap between the earliest events, ignoring outlying gaps (Brown).
      const m = Math.min(k, 64);
      const mean = (sorted[m - 1] - sorted[0]) / (m - 1);
      let sum = 0;
      let used = 0;
      for (let j = 1; j < m; j++) {
        const g = sorted[j] - sorted[j - 1];
        if (g <= 2 * mean) {
          sum += g;
          used++;
        }
      }
      const target = used > 0 && sum > 0 ? (3 * sum) / used : 3 * mean;
      let w = 1;
      while (w * 2 <= target) w *= 2;
      this.width = w;
      this.invWidth = 1 / w;
    }
    this.nBuckets = n;
    this.mask = n - 1;
    if (this.heads.length === n) {
      this.heads.fill(NIL);
      this.tails.fill(NIL);
    } else {
      this.heads = new Int32Array(n).fill(NIL);
      this.tails = new Int32Array(n).fill(NIL);
    }
    this.curVb = Math.floor(this.lastTick * this.invWidth);
    for (let j = 0; j < k; j++) this.link(order[j], this.ticks[order[j]]);
    this.ops = 0;
    this.steps = 0;
  }

  /** Grows slot storage to `cap` and puts the new slots on the free list. */
  private addSlots(cap: number): void {
    const old = this.capacity;
    if (this.ticks.length < cap) {
      const t = new Float64Array(cap);
      t.set(this.ticks);
      this.ticks = t;
      const nx = new Int32Array(cap);
      nx.set(this.nexts);
      this.nexts = nx;
      const kd = new Int32Array(cap);
      kd.set(this.kinds);
      this.kinds = kd;
    }
    for (let i = old; i < cap; i++) {
      this.handlers.push(null);
      this.payloads.push(null);
    }
    for (let i = cap - 1; i >= old; i--) {
      this.nexts[i] = this.freeHead;
      this.freeHead = i;
    }
    this.capacity = cap;
  }
}
