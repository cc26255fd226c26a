import { MAX_TAG } from "../config/table-sizes.ts";
import { LineState } from "./moesi.ts";

/** Geometry and timing of one cache level. */
export interface CacheGeometry {
  /** Capacity in bytes. */
  sizeBytes: number;
  /** Ways per set. */
  assoc: number;
  /** Line size in bytes (a power of two). */
  lineBytes: number;
}

/** Buckets of a presence filter (`newPresenceFilter`), minus one. */
const PRESENCE_MASK = (1 << 16) - 1;

/**
 * A bucket count that sticks: once this many tracked lines share a bucket it is never counted
 * down again, so the filter stays conservative (a count may only ever be too high).
 */
const PRESENCE_STUCK = 255;

/**
 * A presence filter for the caches of one node (see `Cache.trackPresence`): a counting filter of
 * one byte per bucket, 64 KiB, small enough to stay in the host's cache while probes look at it.
 */
export function newPresenceFilter(): Uint8Array {
  return new Uint8Array(PRESENCE_MASK + 1);
}

/** True when the filter says no tracked cache can hold `line`. */
export function surelyAbsent(filter: Uint8Array, line: number): boolean {
  return filter[line & PRESENCE_MASK] === 0;
}

/** Counts a line into its bucket (a stuck bucket stays as it is). */
function presenceAdd(filter: Uint8Array, line: number): void {
  const b = line & PRESENCE_MASK;
  if (filter[b] !== PRESENCE_STUCK) filter[b]++;
}

/** Counts a line out of its bucket (a stuck bucket stays as it is). */
function presenceRemove(filter: Uint8Array, line: number): void {
  const b = line & PRESENCE_MASK;
  if (filter[b] !== PRESENCE_STUCK) filter[b]--;
}

/**
 * A set-associative tag array with LRU replacement and a MOESI state per line. It holds no data
 * and no timing: the owner charges latencies. Line addresses are byte addresses divided by the
 * line size. All storage is typed arrays allocated once. With value tracking on (`trackVersions`)
 * each slot also holds the version of the data it caches, which moves with the line.
 */
export class Cache {
  /** Path of the cache, e.g. `node0.core0.l1d`. */
  readonly name: string;
  /** Number of sets. */
  readonly sets: number;
  /** Ways per set. */
  readonly assoc: number;
  /** log2 of the line size. */
  readonly lineShift: number;
  /** sets - 1 when the set count is a power of two, else -1. */
  private readonly setMask: number;
  /** log2 of the set count when it is a power of two, else -1. */
  private readonly setShift: number;
  /**
   * Tag per slot: the line address without its set bits (-1 when invalid). 32-bit, so a 16-way
   * set's tags share one 64-byte host cache line.
   */
  private readonly tags: Int32Array;
  private readonly states: Uint8Array;
  private readonly stamps: Float64Array;
  /** Version of each slot's data (value tracking), or null when versions are not tracked. */
  private versions: Float64Array | null;
  private clock: number;
  /** Valid lines per `line & PRESENCE_MASK` over the caches of a node that probes look into, or null. */
  private presence: Uint8Array | null;
  /** Line address and state of the last victim chosen by `insert` (valid when insert returns true). */
  victimLine: number;
  /** State the last victim had. */
  victimState: number;
  /** Version of the last victim's data (0 when versions are not tracked). */
  victimVersion: number;

  constructor(name: string, g: CacheGeometry) {
    const lines = Math.floor(g.sizeBytes / g.lineBytes);
    if (!(g.assoc >= 1) || lines % g.assoc !== 0) throw new Error(`${name}: ${lines} lines cannot form sets of ${g.assoc} ways`);
    const shift = Math.log2(g.lineBytes);
    if (!Number.isInteger(shift)) throw new Error(`${name}: line size ${g.lineBytes} is not a power of two`);
    this.name = name;
    this.sets = lines / g.assoc;
    this.setMask = Number.isInteger(Math.log2(this.sets)) ? this.sets - 1 : -1;
    this.setShift = this.setMask >= 0 ? Math.log2(this.sets) : -1;
    this.assoc = g.assoc;
    this.lineShift = shift;
    this.tags = new Int32Array(lines).fill(-1);
    this.states = new Uint8Array(lines);
    this.stamps = new Float64Array(lines);
    this.versions = null;
    this.clock = 0;
    this.presence = null;
    this.victimLine = -1;
    this.victimState = LineState.I;
    this.victimVersion = 0;
  }

  /** Starts keeping a data version per slot (value tracking of `--check`). */
  trackVersions(): void {
    if (this.versions === null) this.versions = new Float64Array(this.states.length);
  }

  /** True when the cache keeps a data version per slot. */
  get tracksVersions(): boolean {
    return this.versions !== null;
  }

  /** Version of the data in a slot (0 when versions are not tracked). */
  slotVersion(slot: number): number {
    return this.versions === null ? 0 : this.versions[slot];
  }

  /** Sets the version of the data in a slot (ignored when versions are not tracked). */
  setSlotVersion(slot: number, version: number): void {
    if (this.versions !== null) this.versions[slot] = version;
  }

  /** Version of `line`'s data, or -1 when absent (value tracking; for diagnosis and tests). */
  versionOf(line: number): number {
    const i = this.find(line);
    return i < 0 ? -1 : this.slotVersion(i);
  }

  /**
   * Makes the cache keep count of its valid lines in `filter` (shared by the caches a node's
   * probes look into), so a probe can tell at once that no cache of the node holds a line.
   */
  trackPresence(filter: Uint8Array): void {
    if (this.validLines() !== 0) throw new Error(`${this.name}: presence tracking must start with an empty cache`);
    this.presence = filter;
  }

  /** Slot of `line` if present (state not I), else -1; does not touch LRU. */
  find(line: number): number {
    // Invalid slots hold tag -1, so a tag match alone means the line is present.
    const tags = this.tags;
    const base = this.setOf(line) * this.assoc;
    const end = base + this.assoc;
    const tag = this.tagOf(line);
    for (let i = base; i < end; i++) if (tags[i] === tag) return i;
    return -1;
  }

  /** Set index of a line: a mask for power-of-two set counts and lines below 2^31 (the common case). */
  private setOf(line: number): number {
    return this.setMask >= 0 && line < 2147483648 ? line & this.setMask : line % this.sets;
  }

  /** Tag of a line: its address above the set bits (a shift in the common case). */
  private tagOf(line: number): number {
    return this.setShift >= 0 && line < 2147483648 ? line >> this.setShift : Math.floor(line / this.sets);
  }

  /** State of `line` (I when absent). */
  stateOf(line: number): number {
    const i = this.find(line);
    return i < 0 ? LineState.I : this.states[i];
  }

  /** Marks a slot most recently used. */
  touch(slot: number): void {
    this.stamps[slot] = ++this.clock;
  }

  /** State held in a slot. */
  slotState(slot: number): number {
    return this.states[slot];
  }

  /** Sets the state of a slot (I frees it). */
  setSlotState(slot: number, state: number): void {
    if (state === LineState.I && this.presence !== null && this.states[slot] !== LineState.I) presenceRemove(this.presence, this.lineIn(slot));
    this.states[slot] = state;
    if (state === LineState.I) this.tags[slot] = -1;
  }

  /** Line address held in a valid slot. */
  private lineIn(slot: number): number {
    return this.tags[slot] * this.sets + Math.floor(slot / this.assoc);
  }

  /**
   * Installs `line` in `state` as most recently used, holding data of `version` (value tracking).
   * Returns true when a valid line was evicted to make room; its address, state and version are
   * then in `victimLine` / `victimState` / `victimVersion`.
   */
  insert(line: number, state: number, version = 0): boolean {
    const base = this.setOf(line) * this.assoc;
    const tag = this.tagToStore(line);
    return this.place(line, base, tag, this.wayFor(base, tag), state, version);
  }

  /**
   * Takes a line handed down from the level above (its victim): a copy already here gets the
   * state and data in place, keeping its place in the LRU order; otherwise the line is installed
   * as by `insert`, whose return value and victim fields it shares.
   */
  absorb(line: number, state: number, version = 0): boolean {
    const base = this.setOf(line) * this.assoc;
    const tag = this.tagToStore(line);
    const slot = this.wayFor(base, tag);
    if (this.tags[slot] !== tag) return this.place(line, base, tag, slot, state, version);
    this.setSlotState(slot, state);
    this.setSlotVersion(slot, version);
    return false;
  }

  /** Tag of a line about to be stored; throws for a line beyond what a tag holds. */
  private tagToStore(line: number): number {
    const tag = this.tagOf(line);
    if (tag > MAX_TAG) throw new Error(`${this.name}: line 0x${line.toString(16)} is beyond the addresses a cache tag holds`);
    return tag;
  }

  /** Puts `line` (tag `tag`, set at `base`) in `slot` as most recently used; true when a valid other line was evicted. */
  private place(line: number, base: number, tag: number, slot: number, state: number, version: number): boolean {
    const evicted = this.states[slot] !== LineState.I && this.tags[slot] !== tag;
    const versions = this.versions;
    if (evicted) {
      this.victimLine = this.tags[slot] * this.sets + base / this.assoc;
      this.victimState = this.states[slot];
      if (versions !== null) this.victimVersion = versions[slot];
    }
    if (this.presence !== null && (evicted || this.states[slot] === LineState.I)) {
      if (evicted) presenceRemove(this.presence, this.victimLine);
      presenceAdd(this.presence, line);
    }
    this.tags[slot] = tag;
    this.states[slot] = state;
    this.stamps[slot] = ++this.clock;
    if (versions !== null) versions[slot] = version;
    return evicted;
  }

  /** The way of the set at `base` that a line with `tag` goes into: its own, the first free one, or the least recently used. */
  private wayFor(base: number, tag: number): number {
    const tags = this.tags;
    const stamps = this.stamps;
    const end = base + this.assoc;
    let free = -1;
    let lru = base;
    let oldest = Infinity;
    for (let i = base; i < end; i++) {
      const t = tags[i];
      if (t === tag) return i;
      // Invalid ways hold tag -1.
      if (t === -1) {
        if (free < 0) free = i;
      } else if (stamps[i] < oldest) {
        oldest = stamps[i];
        lru = i;
      }
    }
    return free >= 0 ? free : lru;
  }

  /** Removes the line in a valid slot (found by `find`) and returns the state it had. */
  invalidateSlot(slot: number): number {
    const s = this.states[slot];
    this.setSlotState(slot, LineState.I);
    return s;
  }

  /** Removes `line` if present and returns the state it had (I when absent). */
  invalidate(line: number): number {
    const i = this.find(line);
    return i < 0 ? LineState.I : this.invalidateSlot(i);
  }

  /** Number of valid lines (for tests and reports; walks the whole array). */
  validLines(): number {
    let n = 0;
    for (let i = 0; i < this.states.length; i++) if (this.states[i] !== LineState.I) n++;
    return n;
  }
}
