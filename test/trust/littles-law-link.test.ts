// Little's law on a Link driven by Poisson traffic: the time-averaged number of messages inside the
// link (accepted, not yet delivered), measured here from the instants they go in and come out, equals
// the arrival rate times the mean time inside computed from the link's own statistics:
//   W = queueDelayPs (a mean) + busyPs / messages + latency
// (+ interruptedSumPs / messages on a link that inserts commands into data packets: the time data
// packets were held on the wire by them).
import { describe, expect, it } from "vitest";
import { PoissonSource } from "../../src/kernel/queueing/poisson-source.ts";
import { MessagePool, type Message } from "../../src/kernel/message.ts";
import { Port, type Connection, type PortOwner } from "../../src/kernel/port.ts";
import { RngStream } from "../../src/kernel/rng.ts";
import { Simulator } from "../../src/kernel/simulator.ts";
import { Link, type LinkParams } from "../../src/net/link.ts";
import { StatsRegistry } from "../../src/stats/registry.ts";

/** Integrates the number of messages inside the link over time, from the instants they enter and leave. */
class Occupancy {
  inside = 0;
  area = 0;
  entered = 0;
  private last = 0;
  constructor(private readonly sim: Simulator) {}
  change(delta: number): void {
    const now = this.sim.now;
    this.area += this.inside * (now - this.last);
    this.last = now;
    this.inside += delta;
    if (delta > 0) this.entered++;
  }
  /** Time-average number inside over [0, now]. */
  mean(): number {
    this.change(0);
    return this.area / this.sim.now;
  }
}

/**
 * Sits between the source's port and the link's first side: forwards sends to the link and counts
 * each one the link accepts as entering; passes the link's wake-ups back to the source.
 */
class Tap implements Connection, PortOwner {
  readonly name = "tap";
  readonly linkSide: Port;
  private link: Link | null = null;
  private readonly source: Port;
  constructor(source: Port, private readonly occ: Occupancy) {
    this.source = source;
    this.linkSide = new Port(this, "tap.link");
    source.attach(this, 0);
  }
  connect(link: Link): void {
    this.link = link;
  }
  send(_side: number, msg: Message): boolean {
    const ok = (this.link as Link).send(0, msg);
    if (ok) this.occ.change(+1);
    return ok;
  }
  receiverReady(): void {}
  recv(): boolean {
    throw new Error("tap: nothing comes back");
  }
  wake(): void {
    this.source.owner.wake(this.source);
  }
}

/** The far end: counts each message it takes as leaving; refuses while `refuseUntil` lies ahead. */
class Receiver implements PortOwner {
  readonly name = "receiver";
  readonly port = new Port(this, "receiver.in");
  refuseEvery = 0;
  refuseForPs = 0;
  private refuseUntil = -1;
  private taken = 0;
  constructor(private readonly sim: Simulator, private readonly pool: MessagePool, private readonly occ: Occupancy) {}
  recv(_port: Port, msg: Message): boolean {
    if (this.sim.now < this.refuseUntil) return false;
    this.occ.change(-1);
    this.pool.put(msg);
    if (this.refuseEvery > 0 && ++this.taken % this.refuseEvery === 0) {
      // Busy for a while: take nothing more until then, and say so when it is over.
      this.refuseUntil = this.sim.now + this.refuseForPs;
      this.sim.schedule(this.ready, this.refuseForPs, 0, null);
    }
    return true;
  }
  private readonly ready = { name: "receiver.ready", handleEvent: () => this.port.ready() };
  wake(): void {}
}

/** The mean of a statistic that is an Average, or a formula giving a mean. */
function meanOf(stats: StatsRegistry, path: string): number {
  const v = stats.get(path)?.dump();
  if (typeof v === "number") return v;
  if (typeof v === "object" && v !== null && typeof (v as { mean?: unknown }).mean === "number") return (v as { mean: number }).mean;
  throw new Error(`${path}: not a mean`);
}

interface Setup {
  link: Partial<LinkParams>;
  sizes: number[];
  meanGapPs: number;
  refuseEvery?: number;
  refuseForPs?: number;
}

function drive(s: Setup) {
  const sim = new Simulator();
  const stats = new StatsRegistry();
  const pool = new MessagePool();
  const occ = new Occupancy(sim);
  const source = new PoissonSource(sim, pool, "source", new RngStream(11, "source"), s.meanGapPs, Number.MAX_SAFE_INTEGER, s.sizes);
  const tap = new Tap(source.port, occ);
  const rx = new Receiver(sim, pool, occ);
  rx.refuseEvery = s.refuseEvery ?? 0;
  rx.refuseForPs = s.refuseForPs ?? 0;
  const params: LinkParams = { latencyPs: 10_000, bandwidthBytesPerNs: 4, credits: 1_000_000, ...s.link };
  const link = new Link(sim, stats, "link", tap.linkSide, rx.port, params);
  tap.connect(link);
  source.start();
  // About 200,000 messages; the window ends mid-traffic, so edge effects are a few in 10^5.
  sim.run(200_000 * s.meanGapPs);
  const messages = stats.value("link.fwd.messages");
  const busyPs = stats.value("link.fwd.busyPs");
  const lambda = occ.entered / sim.now;
  const interruptedPs = stats.get("link.fwd.interruptedSumPs") === undefined ? 0 : stats.value("link.fwd.interruptedSumPs");
  const sojournFromStats = meanOf(stats, "link.fwd.queueDelayPs") + (busyPs + interruptedPs) / messages + params.latencyPs;
  return { occupancy: occ.mean(), lambda, sojournFromStats, messages, stats, sim, source };
}

describe("Little's law on a link", () => {
  it("fixed-size messages at 70 % utilisation: L = λW from the link's statistics, within 1 %", () => {
    // 64 bytes at 4 B/ns: 16 ns of serialisation; a message every 16/0.7 ns on average.
    const r = drive({ link: {}, sizes: [64], meanGapPs: 16_000 / 0.7 });
    expect(r.messages).toBeGreaterThan(190_000);
    expect(Math.abs(r.occupancy - r.lambda * r.sojournFromStats) / r.occupancy).toBeLessThan(0.01);
    // And the utilisation formula agrees with the offered load.
    expect(Math.abs(r.stats.value("link.fwd.utilisation") - 0.7) / 0.7).toBeLessThan(0.02);
  });

  it("mixed commands and data with command insertion: L = λW within 1 %", () => {
    // Half 8-byte commands (inserted into data in flight), half 72-byte data packets.
    const r = drive({ link: { controlInsertBytes: 8, cutThrough: true, headerBytes: 8 }, sizes: [8, 72], meanGapPs: 10_000 / 0.6 });
    expect(r.stats.value("link.fwd.interruptedSumPs")).toBeGreaterThan(0);
    expect(Math.abs(r.occupancy - r.lambda * r.sojournFromStats) / r.occupancy).toBeLessThan(0.01);
  });

  it("few credits, the source holding the rest back: L = λW within 1 % for what the link accepted", () => {
    const r = drive({ link: { credits: 4, latencyPs: 40_000 }, sizes: [64], meanGapPs: 16_000 / 0.9 });
    expect(r.stats.value("link.fwd.refused")).toBeGreaterThan(0);
    expect(Math.abs(r.occupancy - r.lambda * r.sojournFromStats) / r.occupancy).toBeLessThan(0.01);
  });

  // A receiver that refuses holds messages in the link (they keep their credit) after their flight.
  // `receiverWaitPs` is that wait per message (from due at the far end to taken), so with it the
  // link's own statistics account for the whole occupancy.
  it("a receiver that refuses now and then: L = λ(W + receiverWaitPs.mean) within 1 %", () => {
    const r = drive({ link: { credits: 64 }, sizes: [64], meanGapPs: 16_000 / 0.5, refuseEvery: 50, refuseForPs: 400_000 });
    expect(r.stats.value("link.fwd.stallPs")).toBeGreaterThan(0);
    expect(r.stats.get("link.fwd.receiverWaitPs"), "link.fwd.receiverWaitPs is not a statistic of Link").toBeDefined();
    const w = r.sojournFromStats + meanOf(r.stats, "link.fwd.receiverWaitPs");
    expect(Math.abs(r.occupancy - r.lambda * w) / r.occupancy).toBeLessThan(0.01);
  });

  it("a receiver that refuses now and then: without the stall time, λW falls short of L (why the statistic is needed)", () => {
    const r = drive({ link: { credits: 64 }, sizes: [64], meanGapPs: 16_000 / 0.5, refuseEvery: 50, refuseForPs: 400_000 });
    expect(r.occupancy).toBeGreaterThan(1.05 * r.lambda * r.sojournFromStats);
  });
});
