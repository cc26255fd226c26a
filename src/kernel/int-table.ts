/** Capacity an empty table starts with (a power of two). */
const MIN_CAPACITY = 16;
/** Key of an empty slot (keys are non-negative). */
const EMPTY = -1;

/**
 * A hash map from non-negative integer keys (below 2^53, such as line numbers or byte addresses)
 * to 32-bit integer values, in typed arrays: open addressing with linear probing, Fibonacci
 * hashing and backward-shift deletion, so no operation allocates except a doubling, and a table
 * that fills and empties on every miss (lines busy at a home) costs no garbage. A JS Map keyed by
 * numbers allocates as it grows and shrinks, and hashes a key past 2^31 as a boxed number.
 */
export class IntTable {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  /** 32 - log2(capacity): the hash's top bits pick the slot. */
  private shift: number;
  private count: number;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    this.count = 0;
  }

  /** Keys held. */
  get size(): number {
    return this.count;
  }

  /** The value of `key`, or `missing` when the table does not hold it. */
  get(key: number, missing: number): number {
    if (this.count === 0) return missing;
    const keys = this.keys;
    for (let i = this.home(key); ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === key) return this.vals[i];
      if (k === EMPTY) return missing;
    }
  }

  /** True when the table holds `key`. */
  has(key: number): boolean {
    if (this.count === 0) return false;
    const keys = this.keys;
    for (let i = this.home(key); ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === key) return true;
      if (k === EMPTY) return false;
    }
  }

  /** Sets the value of `key` (a non-negative integer below 2^53). */
  set(key: number, value: number): void {
    const keys = this.keys;
    let i = this.home(key);
    for (; ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === key) {
        this.vals[i] = value;
        return;
      }
      if (k === EMPTY) break;
    }
    keys[i] = key;
    this.vals[i] = value;
    if (++this.count * 2 > keys.length) this.resize(keys.length * 2);
  }

  /** Adds `delta` to the value of `key` (0 when absent) and returns the sum; a sum of 0 removes the key. */
  addTo(key: number, delta: number): number {
    const v = this.get(key, 0) + delta;
    if (v === 0) this.delete(key);
    else this.set(key, v);
    return v;
  }

  /** Counts `key` down by one, removing it at zero (an absent key stays absent); returns the value it had (0 if absent). */
  takeOne(key: number): number {
    const n = this.get(key, 0);
    if (n > 1) this.set(key, n - 1);
    else if (n === 1) this.delete(key);
    return n;
  }

  /** Removes `key`; false when the table did not hold it. */
  delete(key: number): boolean {
    if (this.count === 0) return false;
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(key);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) break;
      if (k === EMPTY) return false;
    }
    // Backward shift: pull later keys of the same run into the hole when their home allows it,
    // so a lookup never stops early at a hole (no tombstones).
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j];
      if (k === EMPTY) break;
      const h = this.home(k);
      // The key at j may move to i unless its home lies cyclically in (i, j].
      if (((j - h) & mask) >= ((j - i) & mask)) {
        keys[i] = k;
        vals[i] = vals[j];
        i = j;
      }
    }
    keys[i] = EMPTY;
    this.count--;
    return true;
  }

  /** Slot a key hashes to: the top bits of a multiplicative hash of both 32-bit halves. */
  private home(key: number): number {
    const lo = key >>> 0;
    const hi = (key / 4294967296) >>> 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  private resize(cap: number): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i];
      if (k === EMPTY) continue;
      let j = this.home(k);
      while (this.keys[j] !== EMPTY) j = (j + 1) & this.mask;
      this.keys[j] = k;
      this.vals[j] = oldVals[i];
    }
  }
}
