import { describe, expect, it } from "vitest";
import { Simulator } from "../../../src/kernel/simulator.ts";
import { DirectConnection } from "../../../src/mem/dram/direct-connection.ts";
import { DramSystem } from "../../../src/mem/dram/dram-system.ts";
import type { DramParams } from "../../../src/mem/dram/dram-params.ts";
import { ProtocolChecker } from "../../../src/mem/dram/protocol-checker.ts";
import { RequestPlayer } from "../../../src/mem/dram/request-player.ts";
import { randomTrace, sequentialTrace, type RequestTrace } from "../../../src/mem/dram/request-trace.ts";
import { runTrace } from "../../../src/mem/dram/trace-frontend.ts";
import { DRAM_PRESETS } from "../../../src/mem/presets/dram-presets.ts";
import { StatsRegistry } from "../../../src/stats/registry.ts";
import { paramsOf } from "./helpers.ts";

// Mixed traffic through every preset, checked command by command by the independent checker.
// Arrivals come in bursts with idle gaps, so refreshes are both issued live and replayed after idle.

const presets = Object.keys(DRAM_PRESETS);
const SEEDS = [1, 2, 3];
const N = 2500;

function bursty(t: RequestTrace, perBurst: number, gapCycles: number): RequestTrace {
  for (let i = 0; i < t.length; i++) t.cycles[i] = Math.floor(i / perBurst) * gapCycles;
  return t;
}

function expectClean(p: DramParams, t: RequestTrace): void {
  const r = runTrace(p, t, { check: true });
  expect(r.violations).toEqual([]);
  expect(r.reads + r.writes).toBe(t.length);
}

describe("the protocol checker finds no violation in what the controller issues", () => {
  for (const name of presets) {
    for (const seed of SEEDS) {
      it(`${name}, random mixed reads and writes, seed ${seed}`, () => {
        const p = paramsOf(name);
        expectClean(p, bursty(randomTrace(N, { seed, writeFraction: 0.35, rangeBytes: 1 << 24 }), 40, 4 * p.tREFIpb + 2500));
      });
    }
    it(`${name}, sequential mixed reads and writes`, () => {
      const p = paramsOf(name);
      expectClean(p, bursty(sequentialTrace(N, { seed: 4, writeFraction: 0.3 }), 200, 5000));
    });
  }

  it.each(["ddr4-2400", "ddr3-1600", "hbm2"])("%s with two ranks (rank switching, staggered refresh)", (name) => {
    const p = paramsOf(name, { ranks: 2 });
    expectClean(p, bursty(randomTrace(N, { seed: 5, writeFraction: 0.5, rangeBytes: 1 << 22 }), 30, 3000));
  });

  it.each(["closed", "adaptive"] as const)("ddr4-2400 with the %s page policy", (pagePolicy) => {
    const p = paramsOf("ddr4-2400", { pagePolicy, idleCloseCycles: 20 });
    expectClean(p, bursty(randomTrace(N, { seed: 6, writeFraction: 0.3, rangeBytes: 1 << 20 }), 25, 700));
  });

  it("ddr4-2400 with the XOR-hashed mapping and 128-byte requests", () => {
    const p = paramsOf("ddr4-2400", { mapping: "row-bank-rank-column-channel-xor", lineBytes: 128 });
    expectClean(p, randomTrace(N, { seed: 7, writeFraction: 0.3, rangeBytes: 1 << 22, lineBytes: 128 }));
  });

  it("an HBM2 stack with all eight channels busy", () => {
    const p = paramsOf("hbm2");
    const sim = new Simulator();
    const checker = new ProtocolChecker(p);
    const sys = new DramSystem(sim, new StatsRegistry(), "hbm", p, { checker });
    const player = new RequestPlayer(sim, "cpu", randomTrace(8000, { seed: 8, writeFraction: 0.3, rangeBytes: 1 << 26 }), p.tCKps, 64);
    new DirectConnection(player.port, sys.port);
    player.start();
    sim.run();
    expect(player.done).toBe(true);
    expect(checker.violations).toEqual([]);
    expect(checker.commands).toBeGreaterThan(8000);
  });
});
