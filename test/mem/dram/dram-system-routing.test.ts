import { describe, expect, it } from "vitest";
import { Simulator } from "../../../src/kernel/simulator.ts";
import { DirectConnection } from "../../../src/mem/dram/direct-connection.ts";
import { buildDram } from "../../../src/mem/dram/dram-spec.ts";
import { Link } from "../../../src/net/link.ts";
import { StatsRegistry } from "../../../src/stats/registry.ts";
import { Requester } from "./helpers.ts";

describe("DramSystem", () => {
  it("routes each request to the channel of its address and merges the responses", () => {
    const sim = new Simulator();
    const stats = new StatsRegistry();
    const mem = buildDram(sim, stats, "node0.mem", { preset: "ddr-400" }, { check: true });
    const req = new Requester(sim);
    new DirectConnection(req.port, mem.port);
    for (let i = 0; i < 8; i++) req.read(i * 64);
    sim.run();
    expect(req.responses.length).toBe(8);
    expect(stats.value("node0.mem.ch0.reads")).toBe(4);
    expect(stats.value("node0.mem.ch1.reads")).toBe(4);
    expect(stats.value("node0.mem.reads")).toBe(8);
    expect(mem.checker!.violations).toEqual([]);
  });

  it("survives back-pressure both ways through a credit-limited link", () => {
    const sim = new Simulator();
    const stats = new StatsRegistry();
    const mem = buildDram(sim, stats, "mem", { preset: "hbm2", readQueue: 4, writeQueue: 4 }, { check: true });
    const req = new Requester(sim);
    new Link(sim, stats, "link", req.port, mem.port, { latencyPs: 5000, bandwidthBytesPerNs: 100, credits: 2 });
    const n = 3000;
    for (let i = 0; i < n; i++) (i % 3 === 0 ? req.write((i * 4099 * 64) % (1 << 24)) : req.read((i * 4099 * 64) % (1 << 24)));
    sim.run();
    expect(req.responses.length).toBe(n);
    expect(new Set(req.responses.map((r) => r.txnId)).size).toBe(n);
    expect(mem.checker!.violations).toEqual([]);
    expect(stats.value("mem.ch0.refused") + stats.value("link.rev.refused")).toBeGreaterThan(0);
  });

  it("answers with the same Message objects it was sent", () => {
    const sim = new Simulator();
    const mem = buildDram(sim, new StatsRegistry(), "mem", { preset: "ddr4-2400" });
    const seen: unknown[] = [];
    const sent: unknown[] = [];
    const req = new Requester(sim);
    const origRecv = req.recv.bind(req);
    req.recv = (p, m) => (seen.push(m), origRecv(p, m));
    const origSend = req.port.send.bind(req.port);
    req.port.send = (m) => (sent.push(m), origSend(m));
    new DirectConnection(req.port, mem.port);
    req.read(0);
    req.write(64);
    sim.run();
    expect(new Set(seen)).toEqual(new Set(sent));
  });
});
