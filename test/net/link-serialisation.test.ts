import { describe, expect, it } from "vitest";
import { Message } from "../../src/kernel/message.ts";
import { Port, type PortOwner } from "../../src/kernel/port.ts";
import { Simulator } from "../../src/kernel/simulator.ts";
import { Link } from "../../src/net/link.ts";
import { StatsRegistry } from "../../src/stats/registry.ts";

/** An endpoint that records arrivals and can refuse them while its buffer is full. */
class Endpoint implements PortOwner {
  readonly port: Port;
  readonly arrivals: Array<[number, number]> = [];
  capacity = Infinity;
  held = 0;
  wakes = 0;
  constructor(
    readonly name: string,
    private readonly sim: Simulator,
  ) {
    this.port = new Port(this, `${name}.port`);
  }
  recv(_p: Port, m: Message): boolean {
    if (this.held >= this.capacity) return false;
    this.held++;
    this.arrivals.push([this.sim.now, m.txnId]);
    return true;
  }
  wake(): void {
    this.wakes++;
  }
}

function msg(id: number, size: number): Message {
  const m = new Message();
  m.txnId = id;
  m.sizeBytes = size;
  return m;
}

function setup(credits = 16) {
  const sim = new Simulator();
  const stats = new StatsRegistry();
  const a = new Endpoint("a", sim);
  const b = new Endpoint("b", sim);
  // 3.2 GB/s (HyperTransport 1.0, 16 bit at 800 MHz DDR), 10 ns flight.
  const link = new Link(sim, stats, "ht", a.port, b.port, { latencyPs: 10_000, bandwidthBytesPerNs: 3.2, credits });
  return { sim, stats, a, b, link };
}

describe("link serialisation", () => {
  it("delivers one message after its serialisation plus the flight time", () => {
    const { sim, a, b } = setup();
    a.port.send(msg(1, 64));
    sim.run();
    // 64 B at 3.2 B/ns = 20 ns, plus 10 ns flight.
    expect(b.arrivals).toEqual([[30_000, 1]]);
  });

  it("queues back-to-back messages behind each other and records the queueing delay", () => {
    const { sim, stats, a, b } = setup();
    for (let i = 0; i < 3; i++) a.port.send(msg(i, 64));
    sim.run();
    expect(b.arrivals).toEqual([
      [30_000, 0],
      [50_000, 1],
      [70_000, 2],
    ]);
    expect(stats.value("ht.fwd.bytes")).toBe(192);
    expect(stats.value("ht.fwd.busyPs")).toBe(60_000);
    expect(stats.value("ht.fwd.queueDelayPs")).toBe(20_000);
  });

  it("keeps the two directions independent", () => {
    const { sim, a, b } = setup();
    a.port.send(msg(1, 64));
    b.port.send(msg(2, 64));
    sim.run();
    expect(a.arrivals).toEqual([[30_000, 2]]);
    expect(b.arrivals).toEqual([[30_000, 1]]);
  });

  it("reports utilisation as busy time over simulated time", () => {
    const { sim, stats, a } = setup();
    a.port.send(msg(1, 64));
    sim.run(40_000);
    expect(stats.value("ht.fwd.utilisation")).toBeCloseTo(0.5, 9);
  });
});

describe("link back-pressure", () => {
  it("refuses sends beyond its credits and wakes the sender when one returns", () => {
    const { sim, stats, a, b } = setup(2);
    expect(a.port.send(msg(1, 8))).toBe(true);
    expect(a.port.send(msg(2, 8))).toBe(true);
    expect(a.port.send(msg(3, 8))).toBe(false);
    expect(stats.value("ht.fwd.refused")).toBe(1);
    sim.run();
    expect(a.wakes).toBe(1);
    expect(b.arrivals.length).toBe(2);
  });

  it("holds messages a full receiver refuses, in order, until it is ready", () => {
    const { sim, stats, a, b } = setup(4);
    b.capacity = 1;
    for (let i = 0; i < 3; i++) a.port.send(msg(i, 8));
    sim.run();
    expect(b.arrivals.map(([, id]) => id)).toEqual([0]);
    // The receiver drains its buffer 100 ns later and says so.
    sim.schedule({ name: "drain", handleEvent: () => { b.held = 0; b.capacity = 10; b.port.ready(); } }, 100_000, 0, null);
    sim.run();
    expect(b.arrivals.map(([, id]) => id)).toEqual([0, 1, 2]);
    expect(b.arrivals[1][0]).toBe(sim.now);
    expect(stats.value("ht.fwd.stallPs")).toBeGreaterThan(0);
  });
});
