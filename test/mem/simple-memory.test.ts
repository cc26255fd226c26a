import { describe, expect, it } from "vitest";
import type { EventHandler } from "../../src/kernel/event-queue.ts";
import { Message } from "../../src/kernel/message.ts";
import { Port, type PortOwner } from "../../src/kernel/port.ts";
import { Simulator } from "../../src/kernel/simulator.ts";
import { DirectConnection } from "../../src/mem/dram/direct-connection.ts";
import { MsgKind } from "../../src/mem/msg-kind.ts";
import { SimpleMemory } from "../../src/mem/simple-memory.ts";
import { StatsRegistry } from "../../src/stats/registry.ts";

/** A home agent that offers reads and writes as fast as the memory takes them and notes the answers. */
class Feeder implements PortOwner, EventHandler {
  readonly name = "feeder";
  readonly port = new Port(this, "feeder.port");
  /** When each request had its turn on the channel: a write is acknowledged then, a read answered one latency later. */
  readonly served: [number, string][] = [];
  lastAnswerAt = 0;
  private readonly pending: Message[] = [];
  constructor(private readonly sim: Simulator) {}

  offer(kind: number, addr: number): void {
    const m = new Message();
    m.kind = kind;
    m.addr = addr;
    m.sizeBytes = 64;
    this.pending.push(m);
  }

  pump(): void {
    while (this.pending.length > 0 && this.port.send(this.pending[0])) this.pending.shift();
  }

  recv(_port: Port, msg: Message): boolean {
    const write = msg.kind === MsgKind.MemWriteAck;
    this.served.push([write ? this.sim.now : this.sim.now - LATENCY_PS, write ? "W" : "R"]);
    this.lastAnswerAt = this.sim.now;
    return true;
  }

  wake(): void {
    this.pump();
  }

  /** A write offered later comes due. */
  handleEvent(_kind: number, addr: unknown): void {
    this.offer(MsgKind.MemWrite, addr as number);
    this.pump();
  }
}

const LATENCY_PS = 40_000;

/**
 * Offers 48 reads at once and 48 writes one every `writeGapPs` (slower than the channel, so the
 * buffer fills while reads are served); returns the channel's order of service and the time to finish.
 */
function drain(writeLowWatermark: number, writeGapPs = 20_000): { order: string; finishPs: number } {
  const sim = new Simulator();
  const mem = new SimpleMemory(sim, new StatsRegistry(), "mc", {
    latencyPs: LATENCY_PS,
    peakBandwidthBytesPerNs: 6.4,
    efficiency: 1,
    queueDepth: 64,
    writeBufferDepth: 8,
    writeLowWatermark,
    writeToReadPs: 15_000,
  });
  const feeder = new Feeder(sim);
  new DirectConnection(feeder.port, mem.port);
  for (let i = 0; i < 48; i++) feeder.offer(MsgKind.MemRead, i * 64);
  feeder.pump();
  for (let i = 0; i < 48; i++) sim.scheduleAt(feeder, i * writeGapPs, 0, (1000 + i) * 64);
  sim.run();
  // The channel's order of service (stable sort: requests served at one tick keep their answer order).
  const order = [...feeder.served].sort((a, b) => a[0] - b[0]).map(([, k]) => k).join("");
  return { order, finishPs: feeder.lastAnswerAt };
}

describe("simple memory write buffer", () => {
  it("drains a full write buffer in a batch down to its low watermark, then serves reads again", () => {
    const { order } = drain(4);
    expect(order.length).toBe(96);
    // Reads go first; each time the buffer is full, at least 8 - 4 = 4 writes go together (more
    // when writes keep arriving during the batch), and once the reads are done the rest.
    expect(order.startsWith("R")).toBe(true);
    const batches = order.slice(0, order.lastIndexOf("R")).match(/W+/g) ?? [];
    expect(batches.length).toBeGreaterThan(2);
    for (const b of batches) expect(b.length).toBeGreaterThanOrEqual(4);
  });

  it("turns the bus around less often, so a mixed stream finishes sooner, than draining one write at a time", () => {
    const batched = drain(2, 30_000);
    const single = drain(7, 30_000);
    const turns = (order: string): number => order.match(/WR/g)?.length ?? 0;
    expect(turns(batched.order)).toBeLessThan(turns(single.order));
    expect(batched.finishPs).toBeLessThan(single.finishPs);
  });
});
