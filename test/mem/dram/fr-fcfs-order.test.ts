import { describe, expect, it } from "vitest";
import { at, channel, paramsOf } from "./helpers.ts";

// FR-FCFS on one bank of a DDR4-2400 channel, refresh off so only the scheduler decides.

function setup(rowHitCap = 16) {
  const p = paramsOf("ddr4-2400", { refresh: "none", rowHitCap });
  const ch = channel(p);
  const line = (bg: number, bank: number, row: number, col: number) => ch.ctrl.mapping.encode(0, 0, bg, bank, row, col);
  return { p, ...ch, line };
}

describe("FR-FCFS scheduling", () => {
  it("serves a younger row hit before an older request that conflicts in the same bank", () => {
    const { p, sim, req, line, checker } = setup();
    req.read(line(0, 0, 1, 0)); // opens row 1
    let conflict = -1;
    let hit = -1;
    at(sim, 200 * p.tCKps, () => {
      conflict = req.read(line(0, 0, 2, 0));
      hit = req.read(line(0, 0, 1, 1));
    });
    sim.run();
    expect(req.doneAt(hit)).toBeLessThan(req.doneAt(conflict));
    expect(checker.violations).toEqual([]);
  });

  it("serves requests of equal standing oldest first", () => {
    const { sim, req, line, log } = setup();
    const a = req.read(line(0, 0, 1, 0));
    const b = req.read(line(1, 0, 1, 0));
    const c = req.read(line(2, 0, 1, 0));
    sim.run();
    expect(req.doneAt(a)).toBeLessThan(req.doneAt(b));
    expect(req.doneAt(b)).toBeLessThan(req.doneAt(c));
    expect(log.commands.filter((x) => x.cmd === "ACT").map((x) => x.bankGroup)).toEqual([0, 1, 2]);
  });

  it("issues a ready command for a younger request when the oldest must wait (first ready)", () => {
    const { p, sim, req, line, log } = setup();
    req.read(line(0, 0, 1, 0));
    at(sim, 100 * p.tCKps, () => {
      req.read(line(0, 0, 2, 0)); // conflict: needs PRE, ACT
      req.read(line(3, 3, 4, 0)); // another bank: its ACT can go while bank 0 precharges
    });
    sim.run();
    const order = log.commands.slice(2).map((x) => `${x.cmd}${x.bankGroup}`);
    expect(order).toEqual(["PRE0", "ACT3", "ACT0", "RD3", "RD0"]);
  });

  it("caps consecutive row hits so an older conflicting request is not starved", () => {
    const cap = 8;
    const { p, sim, req, line, checker } = setup(cap);
    req.read(line(0, 0, 1, 0)); // opens row 1: the first hit of the streak
    let conflict = -1;
    const hits: number[] = [];
    at(sim, 200 * p.tCKps, () => {
      conflict = req.read(line(0, 0, 2, 0));
      for (let i = 1; i <= 20; i++) hits.push(req.read(line(0, 0, 1, i)));
    });
    sim.run();
    const before = hits.filter((h) => req.doneAt(h) < req.doneAt(conflict)).length;
    // The opening read counted as the first of the `cap` consecutive hits.
    expect(before).toBe(cap - 1);
    expect(checker.violations).toEqual([]);
  });

  it("without a reachable cap the conflicting request waits for every hit", () => {
    const { p, sim, req, line } = setup(1000);
    req.read(line(0, 0, 1, 0));
    let conflict = -1;
    const hits: number[] = [];
    at(sim, 200 * p.tCKps, () => {
      conflict = req.read(line(0, 0, 2, 0));
      for (let i = 1; i <= 20; i++) hits.push(req.read(line(0, 0, 1, i)));
    });
    sim.run();
    expect(hits.every((h) => req.doneAt(h) < req.doneAt(conflict))).toBe(true);
  });

  it("refuses requests when the read queue is full and takes them when it has room", () => {
    const p = paramsOf("ddr4-2400", { refresh: "none", readQueue: 4 });
    const { sim, req, ctrl } = channel(p);
    for (let i = 0; i < 10; i++) req.read(i * 64 * 1024);
    expect(req.backlog).toBe(6);
    sim.run();
    expect(req.responses.length).toBe(10);
    expect(ctrl.stats.refused.value).toBeGreaterThan(0);
  });
});
