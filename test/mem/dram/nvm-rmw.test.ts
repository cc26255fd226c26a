import { describe, expect, it } from "vitest";
import { burstCycles } from "../../../src/mem/dram/dram-params.ts";
import { randomTrace, sequentialTrace } from "../../../src/mem/dram/request-trace.ts";
import { runTrace } from "../../../src/mem/dram/trace-frontend.ts";
import { MsgKind } from "../../../src/mem/msg-kind.ts";
import { at, channel, paramsOf } from "./helpers.ts";

// The Optane-like preset: 256-byte media lines (rows), media partitions (banks), ADR write queue.

describe("nvm-optane: 256-byte media lines and the persistent write queue", () => {
  it("a 64-byte write reads its 256-byte media line, merges, and writes it back (read-modify-write)", () => {
    const p = paramsOf("nvm-optane");
    const { sim, req, ctrl, log, checker } = channel(p);
    req.write(0x1000);
    sim.run();
    expect(log.names()).toEqual(["ACT", "WR", "PRE"]);
    const [act, wr, pre] = log.commands;
    expect(wr!.tick - act!.tick).toBe(p.tRCD * p.tCKps); // the media read
    expect(pre!.tick - wr!.tick).toBeGreaterThanOrEqual((p.tCWL + burstCycles(p) + p.tWR) * p.tCKps); // the media write
    expect(ctrl.stats.rowWritebacks.value).toBe(1);
    expect(checker.violations).toEqual([]);
  });

  it("acknowledges the write when it enters the write queue, long before the media write ends", () => {
    const p = paramsOf("nvm-optane");
    const { sim, req, log } = channel(p);
    const t = 4 * p.tCKps;
    at(sim, t, () => req.write(0x2000));
    sim.run();
    const ack = req.responses[0]!;
    expect(ack.kind).toBe(MsgKind.MemWriteAck);
    expect(ack.tick).toBe(t);
    expect(log.commands.at(-1)!.tick).toBeGreaterThan(t + 1000 * p.tCKps);
  });

  it("four 64-byte writes to one 256-byte line combine into one media read and one media write", () => {
    const p = paramsOf("nvm-optane");
    const { sim, req, ctrl, log } = channel(p);
    for (let i = 0; i < 4; i++) req.write(0x4000 + 64 * i);
    sim.run();
    expect(log.names()).toEqual(["ACT", "WR", "WR", "WR", "WR", "PRE"]);
    expect(ctrl.stats.rowWritebacks.value).toBe(1);
  });

  it("the other 64-byte parts of a line just read come from the buffer (row hits)", () => {
    const p = paramsOf("nvm-optane");
    const { sim, req, ctrl } = channel(p);
    for (let i = 0; i < 4; i++) req.read(0x8000 + 64 * i);
    sim.run();
    expect(ctrl.stats.activations.value).toBe(1);
    expect(ctrl.stats.rowHits.value).toBe(3);
  });

  it("an idle random read costs the media read: tRCD + CL + burst, about 250 ns", () => {
    const p = paramsOf("nvm-optane");
    const { sim, req } = channel(p);
    const id = req.read(0x10000);
    sim.run();
    const ns = req.doneAt(id) / 1000;
    expect(ns).toBe(((p.tRCD + p.tCL + burstCycles(p)) * p.tCKps) / 1000);
    expect(ns).toBeGreaterThan(200);
    expect(ns).toBeLessThan(320);
  });

  it("sequential write bandwidth is several times below sequential read bandwidth", () => {
    const p = paramsOf("nvm-optane");
    const rdRun = runTrace(p, sequentialTrace(8000), { check: true });
    const wrRun = runTrace(p, sequentialTrace(8000, { writeFraction: 1 }), { check: true });
    expect([...rdRun.violations, ...wrRun.violations]).toEqual([]);
    const rd = rdRun.bandwidthGBs;
    const wr = wrRun.bandwidthGBs;
    expect(rd).toBeGreaterThan(6);
    expect(rd).toBeLessThan(7.5);
    expect(wr).toBeGreaterThan(1.8);
    expect(wr).toBeLessThan(2.8);
    expect(rd / wr).toBeGreaterThan(2.5);
  });

  it("random 64-byte writes are amplified: far below sequential writes", () => {
    const p = paramsOf("nvm-optane");
    const seq = runTrace(p, sequentialTrace(4000, { writeFraction: 1 }), { check: true }).bandwidthGBs;
    const rnd = runTrace(p, randomTrace(4000, { writeFraction: 1, seed: 3 }), { check: true }).bandwidthGBs;
    expect(rnd).toBeLessThan(seq / 2.5);
  });
});
