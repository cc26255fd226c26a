import { describe, expect, it } from "vitest";
import { Cache, newPresenceFilter, surelyAbsent } from "../../src/mem/cache.ts";
import { LineState } from "../../src/mem/moesi.ts";

describe("cache tag array", () => {
  it("gives back the victim's full line address, also above 2^31 lines and for odd set counts", () => {
    for (const sizeBytes of [32 * 1024, 48 * 1024]) {
      const c = new Cache("c", { sizeBytes, assoc: 2, lineBytes: 64 });
      const sets = c.sets;
      // A line of a machine with more than 512 GiB, in another set than line 7.
      const big = 2 ** 33 + ((7 - (2 ** 33 % sets) + 1 + sets) % sets);
      expect(big % sets).not.toBe(7);
      for (const line of [7, 7 + sets, big, big + sets]) expect(c.insert(line, LineState.E)).toBe(false);
      // Each set is full: a third line evicts its set's least recently used one.
      expect(c.insert(7 + 2 * sets, LineState.S)).toBe(true);
      expect(c.victimLine).toBe(7);
      c.touch(c.find(big));
      expect(c.insert(big + 2 * sets, LineState.M)).toBe(true);
      expect(c.victimLine).toBe(big + sets);
      expect(c.find(big)).toBeGreaterThanOrEqual(0);
      expect(c.stateOf(big + 2 * sets)).toBe(LineState.M);
      expect(c.stateOf(big + sets)).toBe(LineState.I);
    }
  });

  it("keeps its presence filter exact through inserts, evictions, invalidations and probes", () => {
    const f = newPresenceFilter();
    const a = new Cache("a", { sizeBytes: 4096, assoc: 4, lineBytes: 64 });
    const b = new Cache("b", { sizeBytes: 4096, assoc: 4, lineBytes: 64 });
    a.trackPresence(f);
    b.trackPresence(f);
    const held = new Map<number, number>();
    let seed = 12345;
    // The high bits: an LCG's low bits repeat with short periods.
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) >>> 12;
    for (let i = 0; i < 20000; i++) {
      const c = rnd() % 2 === 0 ? a : b;
      const line = (rnd() % 300) + (rnd() % 2) * 65536;
      const op = rnd() % 5;
      if (op === 0) c.insert(line, LineState.S);
      else if (op === 1) c.invalidate(line);
      else if (op === 3) c.absorb(line, LineState.M);
      else if (op === 4) {
        const s = c.find(line);
        if (s >= 0) c.invalidateSlot(s);
      } else {
        const s = c.find(line);
        if (s >= 0) c.setSlotState(s, rnd() % 2 === 0 ? LineState.I : LineState.O);
      }
      if (i % 97 === 0) {
        held.clear();
        for (let l = 0; l < 300; l++) for (const x of [l, l + 65536]) held.set(x, (a.find(x) >= 0 ? 1 : 0) + (b.find(x) >= 0 ? 1 : 0));
        // Lines 65536 apart share a bucket: the filter may only say absent when both are.
        for (let l = 0; l < 300; l++) expect(surelyAbsent(f, l)).toBe((held.get(l) ?? 0) + (held.get(l + 65536) ?? 0) === 0);
      }
    }
  });

  it("picks ways as a reference LRU does: the line's own, else the first free, else the least recently used", () => {
    const assoc = 4;
    const c = new Cache("c", { sizeBytes: 8 * assoc * 64, assoc, lineBytes: 64 });
    // Reference: per set, ways of [line, state, last use] (line -1 when free).
    const ref = Array.from({ length: c.sets }, () => Array.from({ length: assoc }, () => [-1, LineState.I, 0]));
    let clock = 0;
    let seed = 777;
    // The high bits: an LCG's low bits repeat with short periods.
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) >>> 12;
    for (let i = 0; i < 30000; i++) {
      const line = rnd() % 64;
      const ways = ref[line % c.sets];
      const own = ways.findIndex((w) => w[0] === line);
      const op = rnd() % 4;
      if (op === 0 || op === 1) {
        // insert (a use) or absorb (a victim from above: in place if present, no use).
        const state = op === 0 ? LineState.E : LineState.M;
        const evicted = op === 0 ? c.insert(line, state) : c.absorb(line, state);
        if (own >= 0) {
          expect(evicted).toBe(false);
          ways[own][1] = state;
          if (op === 0) ways[own][2] = ++clock;
          continue;
        }
        const free = ways.findIndex((w) => w[0] === -1);
        let k = free;
        if (k < 0) {
          k = 0;
          for (let j = 1; j < assoc; j++) if (ways[j][2] < ways[k][2]) k = j;
        }
        expect(evicted).toBe(free < 0);
        if (free < 0) {
          expect(c.victimLine).toBe(ways[k][0]);
          expect(c.victimState).toBe(ways[k][1]);
        }
        ways[k] = [line, state, ++clock];
      } else if (op === 2) {
        expect(c.invalidate(line)).toBe(own >= 0 ? ways[own][1] : LineState.I);
        if (own >= 0) ways[own] = [-1, LineState.I, 0];
      } else if (own >= 0) {
        c.touch(c.find(line));
        ways[own][2] = ++clock;
      }
    }
  });

  it("stays conservative once more lines share a bucket than a byte counts", () => {
    const f = newPresenceFilter();
    // One set of 1,024 ways, so lines 65,536 apart (one bucket) can all be held at once.
    const c = new Cache("c", { sizeBytes: 64 * 1024, assoc: 1024, lineBytes: 64 });
    c.trackPresence(f);
    const lines = Array.from({ length: 300 }, (_, k) => 5 + k * 65536);
    let readEmpty = 0;
    for (const l of lines) {
      c.insert(l, LineState.E);
      if (surelyAbsent(f, l)) readEmpty++;
    }
    expect(readEmpty).toBe(0);
    c.insert(6, LineState.E);
    // 300 lines in bucket 5: its count is stuck, so taking 299 away must not make it read empty.
    for (const l of lines.slice(1)) c.invalidate(l);
    expect(c.find(lines[0])).toBeGreaterThanOrEqual(0);
    expect(surelyAbsent(f, lines[0])).toBe(false);
    c.invalidate(lines[0]);
    expect(surelyAbsent(f, 5)).toBe(false);
    // Other buckets still count exactly.
    expect(surelyAbsent(f, 6)).toBe(false);
    c.invalidate(6);
    expect(surelyAbsent(f, 6)).toBe(true);
  });
});
