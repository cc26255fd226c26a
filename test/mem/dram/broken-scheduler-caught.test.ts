import { describe, expect, it } from "vitest";
import type { Simulator } from "../../../src/kernel/simulator.ts";
import { DramCmd, type CommandObserver } from "../../../src/mem/dram/dram-command.ts";
import { DramController } from "../../../src/mem/dram/dram-controller.ts";
import type { DramParams } from "../../../src/mem/dram/dram-params.ts";
import { ProtocolChecker } from "../../../src/mem/dram/protocol-checker.ts";
import { randomTrace } from "../../../src/mem/dram/request-trace.ts";
import { TimingState } from "../../../src/mem/dram/timing-state.ts";
import type { StatsRegistry } from "../../../src/stats/registry.ts";
import { channel, paramsOf } from "./helpers.ts";

/** A scheduler that lets a column command follow its ACT after one cycle, ignoring tRCD. */
class NoTrcdTiming extends TimingState {
  protected override actToColumnCycles(): number {
    return 1;
  }
}

/** A scheduler that forgets the four-activate window. */
class NoFawTiming extends TimingState {
  protected override fawReadyCycle(): number {
    return 0;
  }
}

/** A controller whose scheduler uses a broken timing book. */
function brokenController(timing: (p: DramParams) => TimingState) {
  return (sim: Simulator, stats: StatsRegistry, p: DramParams, observers: CommandObserver[]) =>
    new (class extends DramController {
      constructor() {
        super(sim, stats, "broken", p, { observers });
        this.timing = timing(p);
      }
    })();
}

function constraintsHit(checker: ProtocolChecker): Set<string> {
  return new Set(checker.violations.map((v) => v.constraint));
}

function play(ch: ReturnType<typeof channel>, n: number, seed: number): void {
  const t = randomTrace(n, { seed, writeFraction: 0.3, rangeBytes: 1 << 26 });
  for (let i = 0; i < n; i++) (t.writes[i] ? ch.req.write(t.addrs[i]!) : ch.req.read(t.addrs[i]!));
  ch.sim.run();
}

describe("a deliberately broken scheduler is caught by the protocol checker", () => {
  it("ignoring tRCD is reported as tRCD violations", () => {
    const ch = channel(paramsOf("ddr4-2400"), brokenController((p) => new NoTrcdTiming(p)));
    play(ch, 500, 1);
    expect(constraintsHit(ch.checker)).toContain("tRCD");
    const v = ch.checker.violations.find((x) => x.constraint === "tRCD")!;
    expect(v.cmd === "RD" || v.cmd === "WR").toBe(true);
    expect(v.requiredCycles).toBe(16);
    expect(v.actualCycles).toBe(1);
    expect(v.tick - v.sinceTick).toBe(833);
  });

  it("ignoring tFAW is reported as tFAW violations", () => {
    const ch = channel(paramsOf("ddr4-2400"), brokenController((p) => new NoFawTiming(p)));
    play(ch, 500, 2);
    const hit = constraintsHit(ch.checker);
    expect(hit).toContain("tFAW");
    expect(ch.checker.violations.every((v) => v.constraint === "tFAW" && v.cmd === "ACT")).toBe(true);
  });

  it("a scheduler that believes a shorter tWTR than the device's is caught on tWTR", () => {
    const real = paramsOf("ddr4-2400");
    const ch = channel(real, (sim, stats, p, observers) => new DramController(sim, stats, "mc", { ...p, tWTR_S: 0, tWTR_L: 0 }, { observers }));
    play(ch, 800, 3);
    const hit = constraintsHit(ch.checker);
    expect(hit.has("tWTR_S") || hit.has("tWTR_L")).toBe(true);
  });

  it("the same traffic through the real scheduler is clean", () => {
    const ch = channel(paramsOf("ddr4-2400"));
    play(ch, 500, 1);
    expect(ch.checker.violations).toEqual([]);
  });
});

describe("the checker's rules, fed by hand", () => {
  const p = paramsOf("ddr4-2400");
  const t = p.tCKps;
  function feed(cmds: Array<[number, number, number, number, number]>): string[] {
    const c = new ProtocolChecker(p);
    for (const [cmd, bg, bank, row, cycle] of cmds) c.onCommand(0, cmd, 0, bg, bank, row, cycle * t);
    return c.violations.map((v) => v.constraint);
  }

  it("a RD to a closed bank is a state violation", () => {
    expect(feed([[DramCmd.RD, 0, 0, 5, 10]])).toEqual(["RD to a closed bank"]);
  });

  it("a RD to a row other than the open one is a state violation", () => {
    expect(feed([[DramCmd.ACT, 0, 0, 5, 0], [DramCmd.RD, 0, 0, 6, 20]])).toEqual(["RD to row 6 while row 5 is open"]);
  });

  it("two ACTs in one bank group closer than tRRD_L break tRRD_L only", () => {
    expect(feed([[DramCmd.ACT, 1, 0, 5, 0], [DramCmd.ACT, 1, 1, 5, 5]])).toEqual(["tRRD_L"]);
  });

  it("a PRE before tRAS breaks tRAS", () => {
    expect(feed([[DramCmd.ACT, 0, 0, 5, 0], [DramCmd.PRE, 0, 0, 5, 30]])).toEqual(["tRAS"]);
  });

  it("overlapping read bursts in different bank groups are a data-bus overlap", () => {
    expect(
      feed([
        [DramCmd.ACT, 0, 0, 5, 0],
        [DramCmd.ACT, 1, 0, 5, 4],
        [DramCmd.RD, 0, 0, 5, 20],
        [DramCmd.RD, 1, 0, 5, 22],
      ]),
    ).toEqual(["tCCD_S", "data bus overlap"]);
  });

  it("two commands in one cycle are reported", () => {
    expect(feed([[DramCmd.ACT, 0, 0, 5, 0], [DramCmd.ACT, 1, 0, 5, 0]])).toContain("one command per cycle");
  });

  it("a REF with a bank open is reported", () => {
    const c = new ProtocolChecker(p);
    c.onCommand(0, DramCmd.ACT, 0, 0, 0, 5, 0);
    c.onCommand(0, DramCmd.REF, 0, -1, -1, -1, 100 * t);
    expect(c.violations.map((v) => v.constraint)).toContain("REF while bank 0 of group 0 is open");
  });

  it("a refresh more than nine tREFI after the previous one is reported", () => {
    const c = new ProtocolChecker(p);
    c.onCommand(0, DramCmd.REF, 0, -1, -1, -1, 10 * p.tREFI * t);
    expect(c.violations.map((v) => v.constraint)).toEqual(["tREFI (more than 8 refreshes postponed)"]);
  });
});
