import { describe, expect, it } from "vitest";
import { burstBytes, burstCycles, type DramParams } from "../../../src/mem/dram/dram-params.ts";
import { MsgKind } from "../../../src/mem/msg-kind.ts";
import { DRAM_PRESETS } from "../../../src/mem/presets/dram-presets.ts";
import { at, channel, paramsOf } from "./helpers.ts";

// Idle latencies are exact sums of timing parameters: a request accepted on a clock edge may have
// its first command issued on that edge, and its response leaves on the edge its last data beat
// ends (no fixed front-end cycles). A 64-byte line wider than one burst (GDDR6, HBM3: 32-byte
// bursts) adds one column-to-column gap per extra burst, max(tCCD_L, burst), both bursts being in
// the same bank group. Refresh is off here to isolate the sums (refresh.test.ts covers it) and the
// page policy open so the row stays open between the requests.

const presets = Object.keys(DRAM_PRESETS);

function setup(name: string) {
  const p = paramsOf(name, { refresh: "none", pagePolicy: "open" });
  const ch = channel(p);
  const bursts = Math.ceil(64 / burstBytes(p));
  const extra = (bursts - 1) * Math.max(p.tCCD_L, burstCycles(p));
  const casToData = extra + p.tCL + burstCycles(p);
  return { p, ...ch, casToData };
}

function addr(p: DramParams, ctrl: { mapping: { encode: (...a: number[]) => number } }, row: number, column: number): number {
  return ctrl.mapping.encode(0, 0, p.bankGroups - 1, p.banksPerGroup - 1, row, column);
}

describe("idle read latency is the exact sum of the timing parameters", () => {
  it.each(presets)("%s: a read to a closed bank takes tRCD + CL + burst", (name) => {
    const { p, sim, ctrl, req, checker, casToData } = setup(name);
    const id = req.read(addr(p, ctrl, 7, 1));
    sim.run();
    expect(req.doneAt(id)).toBe((p.tRCD + casToData) * p.tCKps);
    expect(checker.violations).toEqual([]);
  });

  it.each(presets)("%s: a row hit takes CL + burst", (name) => {
    const { p, sim, ctrl, req, checker, casToData } = setup(name);
    req.read(addr(p, ctrl, 7, 1));
    const t = 1000 * p.tCKps;
    let id = -1;
    at(sim, t, () => (id = req.read(addr(p, ctrl, 7, 2))));
    sim.run();
    expect(req.doneAt(id) - t).toBe(casToData * p.tCKps);
    expect(checker.violations).toEqual([]);
  });

  it.each(presets)("%s: a row conflict takes tRP + tRCD + CL + burst", (name) => {
    const { p, sim, ctrl, req, checker, casToData } = setup(name);
    req.read(addr(p, ctrl, 7, 1));
    const t = 1000 * p.tCKps;
    let id = -1;
    at(sim, t, () => (id = req.read(addr(p, ctrl, 9, 1))));
    sim.run();
    expect(req.doneAt(id) - t).toBe((p.tRP + p.tRCD + casToData) * p.tCKps);
    expect(ctrl.stats.rowConflicts.value).toBe(1);
    expect(checker.violations).toEqual([]);
  });
});

describe("front-end timing", () => {
  it("a request arriving between clock edges waits for the next edge", () => {
    const { p, sim, ctrl, req, casToData } = setup("ddr4-2400");
    let id = -1;
    at(sim, 1, () => (id = req.read(addr(p, ctrl, 3, 0))));
    sim.run();
    expect(req.doneAt(id)).toBe(p.tCKps + (p.tRCD + casToData) * p.tCKps);
  });

  it("a posted write is acknowledged on the edge it is accepted", () => {
    const { p, sim, ctrl, req } = setup("ddr4-2400");
    let id = -1;
    const t = 10 * p.tCKps;
    at(sim, t, () => (id = req.write(addr(p, ctrl, 3, 0))));
    sim.run();
    const r = req.responses.find((x) => x.txnId === id)!;
    expect(r.kind).toBe(MsgKind.MemWriteAck);
    expect(r.tick).toBe(t);
  });

  it("a 128-byte read is two bursts from the same row", () => {
    const { p, sim, ctrl, req, log } = setup("ddr4-2400");
    const id = req.read(addr(p, ctrl, 3, 0), 128);
    sim.run();
    expect(log.names()).toEqual(["ACT", "RD", "RD"]);
    expect(req.doneAt(id)).toBe((p.tRCD + p.tCCD_L + p.tCL + burstCycles(p)) * p.tCKps);
  });
});
