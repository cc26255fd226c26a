import { describe, expect, it } from "vitest";
import { EventQueue, type EventHandler } from "../../src/kernel/event-queue.ts";
import { RngStream } from "../../src/kernel/rng.ts";

const h: EventHandler = { name: "test.sink", handleEvent() {} };

/** Takes every event due by `until`, returning [tick, kind] pairs in the order taken. */
function drain(q: EventQueue, until: number, out: Array<[number, number]>): void {
  for (let s = q.takeUntil(until); s >= 0; s = q.takeUntil(until)) out.push([q.tickOf(s), q.kindOf(s)]);
}

describe("event queue calendar sizing", () => {
  it("keeps its buckets while the population swings in bursts, in (tick, insertion) order", () => {
    // Like eight cores missing together: 3 events pending, then a burst to 70, then back, 300 times.
    const q = new EventQueue(16);
    const rng = new RngStream(11, "burst");
    const taken: Array<[number, number]> = [];
    const pushed: Array<[number, number]> = [];
    let now = 0;
    let kind = 0;
    for (let cycle = 0; cycle < 300; cycle++) {
      for (let k = 0; k < 67; k++) {
        const t = now + 1_000 + rng.int(40) * 500;
        q.push(t, h, kind, null);
        pushed.push([t, kind++]);
      }
      now += 25_000;
      drain(q, now, taken);
      while (q.size < 3) {
        const t = now + 1_000 + rng.int(4) * 1_000;
        q.push(t, h, kind, null);
        pushed.push([t, kind++]);
      }
    }
    drain(q, Infinity, taken);
    pushed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(taken).toEqual(pushed);
    // Re-bucketing at every swing would take six rebuilds a cycle (1,800 here).
    expect(q.rebuilds).toBeLessThan(60);
  });

  it("shrinks once the population has stayed small", () => {
    const q = new EventQueue(16);
    for (let k = 0; k < 200; k++) q.push(1_000 + k * 10, h, k, null);
    const grown = q.buckets;
    expect(grown).toBeGreaterThanOrEqual(512);
    const taken: Array<[number, number]> = [];
    drain(q, Infinity, taken);
    // A long quiet stretch of one event at a time.
    let t = 10_000;
    for (let k = 0; k < 20 * grown; k++) {
      q.push(t, h, k, null);
      drain(q, t, taken);
      t += 100;
    }
    expect(q.buckets).toBeLessThan(grown / 8);
  });

  it("re-estimates its width soon after the population collapses to a few far-apart events", () => {
    const q = new EventQueue(16);
    for (let k = 0; k < 100_000; k++) q.push(1_000 + k * 10, h, k, null);
    const taken: Array<[number, number]> = [];
    drain(q, Infinity, taken);
    expect(q.buckets).toBeGreaterThanOrEqual(131_072);
    // Three events a second apart in a calendar sized and spaced for 100,000 events 10 ps apart.
    const rng = new RngStream(5, "collapse");
    let now = taken[taken.length - 1][0];
    for (let k = 0; k < 3; k++) q.push(now + (k + 1) * 1e12, h, k, null);
    const before = q.rebuilds;
    for (let k = 0; k < 50; k++) {
      const s = q.takeUntil(Infinity);
      now = q.tickOf(s);
      q.push(now + 1e12 + rng.int(1_000_000), h, k, null);
    }
    // Waiting for 2 x buckets operations (262,144) would walk a near-empty year of buckets on
    // every one of them; the steps those walks cost bring the retune forward.
    expect(q.rebuilds).toBeGreaterThan(before);
  });
});
