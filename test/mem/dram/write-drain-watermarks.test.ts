import { describe, expect, it } from "vitest";
import { MsgKind } from "../../../src/mem/msg-kind.ts";
import { at, channel, paramsOf } from "./helpers.ts";

// Write queue 32, drain from 24 (high watermark) down to 8 (low watermark) while reads wait; a
// turn to writes does at least 4 of them.

function setup(minWritesPerSwitch = 4) {
  const p = paramsOf("ddr4-2400", { refresh: "none", writeQueue: 32, writeHighWatermark: 24, writeLowWatermark: 8, minWritesPerSwitch });
  const ch = channel(p);
  // Spread over banks and rows so no two requests share a row.
  const addr = (i: number) => ch.ctrl.mapping.encode(0, 0, i % 4, (i >> 2) % 4, 100 + i, 0);
  return { p, ...ch, addr };
}

describe("write draining between watermarks", () => {
  it("holds writes back while reads are waiting and the write queue is below the high watermark", () => {
    const { sim, req, addr, log, checker } = setup();
    for (let i = 0; i < 10; i++) req.write(addr(i));
    for (let i = 10; i < 20; i++) req.read(addr(i));
    sim.run();
    const cols = log.names().filter((c) => c === "RD" || c === "WR");
    expect(cols.slice(0, 10)).toEqual(Array(10).fill("RD"));
    expect(cols.slice(10)).toEqual(Array(10).fill("WR"));
    expect(checker.violations).toEqual([]);
  });

  it("acknowledges posted writes at once, before any WR command", () => {
    const { sim, req, addr, log } = setup();
    for (let i = 0; i < 10; i++) req.write(addr(i));
    sim.run();
    const acks = req.responses.filter((r) => r.kind === MsgKind.MemWriteAck);
    expect(acks.length).toBe(10);
    expect(acks.every((r) => r.tick === 0)).toBe(true);
    expect(log.commands.find((c) => c.cmd === "WR")!.tick).toBeGreaterThan(0);
  });

  it("drains from the high watermark down to the low watermark, then returns to reads", () => {
    const { sim, req, addr, log, ctrl } = setup();
    for (let i = 0; i < 24; i++) req.write(addr(i));
    for (let i = 24; i < 34; i++) req.read(addr(i));
    sim.run();
    const cols = log.names().filter((c) => c === "RD" || c === "WR");
    expect(cols.slice(0, 16)).toEqual(Array(16).fill("WR")); // 24 -> 8
    expect(cols.slice(16, 26)).toEqual(Array(10).fill("RD"));
    expect(cols.slice(26)).toEqual(Array(8).fill("WR")); // the rest once no read waits
    expect(ctrl.stats.writeDrains.value).toBe(1);
  });

  it("drains writes when no read is pending even below the low watermark", () => {
    const { sim, req, addr, log, ctrl } = setup();
    for (let i = 0; i < 3; i++) req.write(addr(i));
    sim.run();
    expect(log.names().filter((c) => c === "WR").length).toBe(3);
    expect(ctrl.stats.writeDrains.value).toBe(0);
    expect(ctrl.stats.bytesWritten.value).toBe(192);
  });

  it("a read arriving during an opportunistic drain preempts the remaining writes, once the turn has done its minimum", () => {
    const { p, sim, req, addr, log } = setup();
    for (let i = 0; i < 8; i++) req.write(addr(i));
    at(sim, 10 * p.tCKps, () => req.read(addr(40)));
    sim.run();
    const cols = log.names().filter((c) => c === "RD" || c === "WR");
    const rd = cols.indexOf("RD");
    expect(rd).toBe(4);
    expect(rd).toBeLessThan(cols.length - 1);
  });

  it("a turn to writes does its minimum before a read takes the bus back, so the row it opened is not wasted", () => {
    // One write, then a read to another row of the same bank arriving just after the write's ACT.
    const run = (minWritesPerSwitch: number) => {
      const { p, sim, req, log, ctrl } = setup(minWritesPerSwitch);
      req.write(ctrl.mapping.encode(0, 0, 0, 0, 100, 0));
      at(sim, 2 * p.tCKps, () => req.read(ctrl.mapping.encode(0, 0, 0, 0, 200, 0)));
      sim.run();
      return { cmds: log.commands.map((c) => `${c.cmd}${c.row}`), lastTick: log.commands[log.commands.length - 1].tick };
    };
    const turn = run(1);
    expect(turn.cmds.slice(0, 5)).toEqual(["ACT100", "WR100", "PRE100", "ACT200", "RD200"]);
    // Giving the bus back at once closes the write's row unwritten (after its tRAS): the row is
    // opened twice and both requests are done later.
    const yieldAtOnce = run(0);
    expect(yieldAtOnce.cmds.slice(0, 2)).toEqual(["ACT100", "PRE100"]);
    expect(yieldAtOnce.cmds.filter((c) => c === "ACT100").length).toBe(2);
    expect(yieldAtOnce.lastTick).toBeGreaterThan(turn.lastTick);
  });

  it("an opportunistic drain above the low watermark still gives way to the next read", () => {
    const { p, sim, req, addr, log, ctrl } = setup();
    // 16 writes: between the watermarks, so they go only because no read waits.
    for (let i = 0; i < 16; i++) req.write(addr(i));
    at(sim, 40 * p.tCKps, () => req.read(addr(40)));
    sim.run();
    const cols = log.commands.filter((c) => c.cmd === "RD" || c.cmd === "WR");
    const rd = cols.findIndex((c) => c.cmd === "RD");
    const rdAt = cols[rd].tick;
    const writesBefore = rd;
    // The turn's minimum (4) and the writes already under way go before it, not 16 - 8 of them.
    expect(writesBefore).toBeGreaterThanOrEqual(4);
    expect(writesBefore).toBeLessThan(8);
    expect(cols.filter((c) => c.cmd === "WR" && c.tick < 40 * p.tCKps).length).toBe(writesBefore);
    expect(rdAt).toBeGreaterThan(40 * p.tCKps);
    expect(ctrl.stats.writeDrains.value).toBe(0);
  });

  it("refuses writes when the write queue is full and takes them as it drains", () => {
    const p = paramsOf("ddr4-2400", { refresh: "none", writeQueue: 4, writeHighWatermark: 3, writeLowWatermark: 1 });
    const { sim, req, ctrl, checker } = channel(p);
    for (let i = 0; i < 12; i++) req.write(i * 8192);
    expect(req.backlog).toBe(8);
    sim.run();
    expect(req.responses.length).toBe(12);
    expect(ctrl.stats.bytesWritten.value).toBe(12 * 64);
    expect(checker.violations).toEqual([]);
  });
});
