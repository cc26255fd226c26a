import { describe, expect, it } from "vitest";
import { Simulator } from "../../../src/kernel/simulator.ts";
import { DirectConnection } from "../../../src/mem/dram/direct-connection.ts";
import { DramController } from "../../../src/mem/dram/dram-controller.ts";
import { burstCycles } from "../../../src/mem/dram/dram-params.ts";
import { StatsRegistry } from "../../../src/stats/registry.ts";
import { at, channel, paramsOf, Requester } from "./helpers.ts";

describe("all-bank refresh", () => {
  it("a read arriving as a refresh falls due waits tRFC behind the REF", () => {
    const p = paramsOf("ddr4-2400");
    const { sim, req, ctrl, log, checker } = channel(p);
    const t = p.tREFI * p.tCKps;
    let id = -1;
    at(sim, t, () => (id = req.read(ctrl.mapping.encode(0, 0, 0, 0, 3, 0))));
    sim.run();
    expect(log.names()).toEqual(["REF", "ACT", "RD"]);
    expect(log.commands[0]!.tick).toBe(t);
    expect(req.doneAt(id) - t).toBe((p.tRFC + p.tRCD + p.tCL + burstCycles(p)) * p.tCKps);
    expect(checker.violations).toEqual([]);
  });

  it("closes open rows with PREA before the REF", () => {
    const p = paramsOf("ddr4-2400");
    const { sim, req, ctrl, log, checker } = channel(p);
    req.read(ctrl.mapping.encode(0, 0, 0, 0, 3, 0));
    req.read(ctrl.mapping.encode(0, 0, 1, 0, 3, 0));
    at(sim, (p.tREFI + 5) * p.tCKps, () => req.read(ctrl.mapping.encode(0, 0, 2, 0, 3, 0)));
    sim.run();
    const names = log.names();
    expect(names.slice(4, 6)).toEqual(["PREA", "REF"]);
    expect(checker.violations).toEqual([]);
  });

  it("refreshes once per tREFI under continuous traffic", () => {
    const p = paramsOf("ddr4-2400");
    const { sim, req, ctrl, checker } = channel(p);
    const n = 6000;
    for (let i = 0; i < n; i++) req.read((i * 7919 * 64) % (1 << 26));
    sim.run();
    const cycles = sim.now / p.tCKps;
    expect(ctrl.stats.refreshes.value).toBe(Math.floor(cycles / p.tREFI));
    expect(checker.violations).toEqual([]);
  });

  it("replays the refreshes due while idle, at their due cycles, when work arrives", () => {
    const p = paramsOf("ddr4-2400");
    const { sim, req, ctrl, log, checker } = channel(p);
    at(sim, (10 * p.tREFI + 100) * p.tCKps, () => req.read(0));
    sim.run();
    const refs = log.commands.filter((c) => c.cmd === "REF").map((c) => c.tick / p.tCKps);
    expect(refs).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * p.tREFI));
    expect(ctrl.stats.refreshes.value).toBe(10);
    expect(checker.violations).toEqual([]);
  });

  it("costs no events while idle, however long, and counts the skipped refreshes", () => {
    const p = paramsOf("ddr4-2400");
    const sim = new Simulator();
    const ctrl = new DramController(sim, new StatsRegistry(), "mc", p);
    const req = new Requester(sim);
    new DirectConnection(req.port, ctrl.port);
    const idleCycles = 1000 * p.tREFI;
    at(sim, idleCycles * p.tCKps, () => req.read(0));
    sim.run();
    expect(sim.eventsDispatched).toBeLessThan(10);
    expect(ctrl.stats.refreshes.value).toBe(1000);
  });
});

describe("a long idle gap under the protocol checker", () => {
  // Only the checker observes (it takes skipped rounds as a report); a second run adds the command
  // log, which cannot, so every refresh is replayed: both count the same refreshes, cleanly.
  const gap = (preset: string, idleRounds: number, replay: boolean) => {
    const p = paramsOf(preset);
    const { sim, req, ctrl, checker } = channel(p, (s, st, q, obs) => new DramController(s, st, "mc", q, { observers: replay ? obs : [obs[0]] }));
    const round = p.tREFIpb > 0 ? p.tREFIpb * p.bankGroups * p.banksPerGroup : p.tREFI;
    req.read(0);
    at(sim, idleRounds * round * p.tCKps, () => req.read(ctrl.mapping.encode(0, 0, 0, 1, 7, 0)));
    sim.run();
    return { refreshes: ctrl.stats.refreshes.value, checked: checker.commands, violations: checker.violations };
  };

  for (const preset of ["ddr4-2400", "hbm2"]) {
    it(`${preset}: skipped refresh rounds are reported, not replayed, and leave the checker clean`, () => {
      const skipped = gap(preset, 2000, false);
      const replayed = gap(preset, 2000, true);
      expect(skipped.violations).toEqual([]);
      expect(replayed.violations).toEqual([]);
      expect(skipped.refreshes).toBe(replayed.refreshes);
      expect(replayed.checked).toBeGreaterThan(2000);
      expect(skipped.checked).toBeLessThan(50);
      // And a gap of half an hour or more of simulated time costs no more.
      expect(gap(preset, 5e8, false).checked).toBeLessThan(50);
    });
  }
});

describe("per-bank refresh", () => {
  it("HBM2 refreshes its banks round robin, one every tREFIpb", () => {
    const p = paramsOf("hbm2");
    const { sim, req, log, checker } = channel(p);
    at(sim, 40 * p.tREFIpb * p.tCKps, () => req.read(0));
    sim.run();
    const refs = log.commands.filter((c) => c.cmd === "REFpb");
    expect(refs.length).toBe(40);
    expect(refs.map((c) => c.tick / p.tCKps)).toEqual(Array.from({ length: 40 }, (_, i) => (i + 1) * p.tREFIpb));
    expect(refs.map((c) => c.bankGroup * p.banksPerGroup + c.bank)).toEqual(Array.from({ length: 40 }, (_, i) => i % 16));
    expect(checker.violations).toEqual([]);
  });

  it("blocks only the bank being refreshed", () => {
    const p = paramsOf("hbm2", { pagePolicy: "open" });
    const { sim, req, ctrl, log } = channel(p);
    const t = p.tREFIpb * p.tCKps; // bank 0 of group 0 is refreshed at this cycle
    let other = -1;
    let same = -1;
    at(sim, t, () => {
      same = req.read(ctrl.mapping.encode(0, 0, 0, 0, 5, 0));
      other = req.read(ctrl.mapping.encode(0, 0, 1, 0, 5, 0));
    });
    sim.run();
    expect(log.commands[0]!.cmd).toBe("REFpb");
    const bl = burstCycles(p);
    expect(req.doneAt(other) - t).toBe((1 + p.tRCD + p.tCL + bl) * p.tCKps);
    expect(req.doneAt(same) - t).toBe((p.tRFCpb + p.tRCD + p.tCL + bl) * p.tCKps);
  });

  it("DDR5 refreshes one bank every tREFI / 32 under traffic without violations", () => {
    const p = paramsOf("ddr5-4800");
    const { sim, req, ctrl, checker } = channel(p);
    for (let i = 0; i < 4000; i++) req.read(i * 64);
    sim.run();
    expect(ctrl.stats.refreshes.value).toBe(Math.floor(sim.now / p.tCKps / p.tREFIpb));
    expect(checker.violations).toEqual([]);
  });
});
