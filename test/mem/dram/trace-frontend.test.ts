import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dramCommand, runDram, type DramArgs } from "../../../src/cli/commands/dram.ts";
import { burstCycles } from "../../../src/mem/dram/dram-params.ts";
import { parseTrace, runTrace, TraceFormatError } from "../../../src/mem/dram/trace-frontend.ts";
import { paramsOf } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hopsim-dram-"));
function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

function run(a: Partial<DramArgs> & { trace: string }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runDram({ preset: "ddr4-2400", set: [], json: false, check: false, ...a }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe("DRAMsim3 trace parsing", () => {
  it("reads hex addresses, READ/WRITE and issue cycles, skipping blank and comment lines", () => {
    const t = parseTrace("# a comment\n0x1f40 READ 120\n\n0xABC0 WRITE 130\n", "t.trace");
    expect(t.length).toBe(2);
    expect([...t.addrs]).toEqual([0x1f40, 0xabc0]);
    expect([...t.writes]).toEqual([0, 1]);
    expect([...t.cycles]).toEqual([120, 130]);
  });

  it("names the file and line of the first malformed line", () => {
    expect(() => parseTrace("0x0 READ 0\n0x40 FETCH 3\n", "t.trace")).toThrow(TraceFormatError);
    expect(() => parseTrace("0x0 READ 0\n0x40 FETCH 3\n", "t.trace")).toThrow('t.trace:2: expected "<hex address> READ|WRITE <cycle>", got "0x40 FETCH 3"');
  });
});

describe("playing a trace against one channel", () => {
  it("reports an isolated read's latency in cycles and ns", () => {
    const p = paramsOf("ddr4-2400");
    const r = runTrace(p, parseTrace("0x0 READ 10\n", "t"), { check: true });
    const cycles = p.tRCD + p.tCL + burstCycles(p);
    expect(r.avgReadLatencyCycles).toBe(cycles);
    expect(r.avgReadLatencyNs).toBeCloseTo((cycles * p.tCKps) / 1000, 9);
    expect(r.reads).toBe(1);
    expect(r.writes).toBe(0);
  });

  it("holds requests the controller cannot accept yet and plays them in order", () => {
    const p = paramsOf("ddr4-2400", { readQueue: 2 });
    const lines = Array.from({ length: 50 }, (_, i) => `0x${(i * 64).toString(16)} READ 0`).join("\n");
    const r = runTrace(p, parseTrace(lines, "t"), { check: true });
    expect(r.reads).toBe(50);
    expect(r.violations).toEqual([]);
    expect(r.rowHitRate).toBeGreaterThan(0.5);
  });

  it("measures bandwidth over the time to finish the trace", () => {
    const p = paramsOf("ddr4-2400");
    const lines = Array.from({ length: 2000 }, (_, i) => `0x${(i * 64).toString(16)} READ 0`).join("\n");
    const r = runTrace(p, parseTrace(lines, "t"), { check: true });
    expect(r.violations).toEqual([]);
    expect(r.bandwidthGBs).toBeCloseTo((2000 * 64) / r.finishNs, 9);
    expect(r.bandwidthGBs).toBeGreaterThan(15);
  });
});

describe("hopsim dram", () => {
  const trace = file("ok.trace", "0x0 READ 0\n0x40 READ 0\n0x1f40 WRITE 120\n0x100000 READ 200\n");

  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  it("--json prints exactly the seven figures", () => {
    const r = run({ trace, json: true });
    expect(r.code).toBe(0);
    expect(r.out.length).toBe(1);
    const j = JSON.parse(r.out[0]!) as Record<string, number>;
    expect(Object.keys(j)).toEqual(["avgReadLatencyCycles", "avgReadLatencyNs", "p99ReadLatencyNs", "bandwidthGBs", "rowHitRate", "reads", "writes"]);
    expect(j.reads).toBe(3);
    expect(j.writes).toBe(1);
  });

  it("prints a table by default", () => {
    const r = run({ trace, check: true });
    expect(r.code).toBe(0);
    expect(r.out.join("\n")).toMatch(/avg read latency\s+[\d.]+ cycles/);
    expect(r.out.join("\n")).toMatch(/protocol check\s+clean/);
  });

  it("--set overrides preset fields", () => {
    const one = file("one.trace", "0x0 READ 0\n");
    const base = JSON.parse(run({ trace: one, json: true }).out[0]!) as Record<string, number>;
    const slow = JSON.parse(run({ trace: one, json: true, set: ["tCL=20", "pagePolicy=closed"] }).out[0]!) as Record<string, number>;
    expect(slow.avgReadLatencyCycles - base.avgReadLatencyCycles).toBe(4);
  });

  it("a malformed trace line is one line FILE:LINE and exit code 2", () => {
    const bad = file("bad.trace", "0x0 READ 0\n0x40 READ\n");
    const r = run({ trace: bad });
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`${bad}:2: expected "<hex address> READ|WRITE <cycle>", got "0x40 READ"`]);
  });

  it("a trace with no requests is one line and exit code 2, not a table of zeros", () => {
    const empty = file("empty.trace", "# nothing\n\n");
    const r = run({ trace: empty });
    expect(r).toEqual({ code: 2, out: [], err: [`${empty}: the trace has no requests`] });
  });

  it("warns once about requests whose cycle goes backwards, and plays them in file order", () => {
    const back = file("back.trace", "0x40 READ 100\n0x80 READ 50\n0xc0 READ 60\n0x100 READ 10\n");
    const r = run({ trace: back, json: true });
    expect(r.code).toBe(0);
    expect(r.err).toEqual([`${back}: warning: 2 requests have cycles earlier than the request before; requests are issued in file order`]);
    expect(JSON.parse(r.out[0]!).reads).toBe(4);
    const ordered = file("ordered.trace", "0x40 READ 100\n0x80 READ 100\n");
    expect(run({ trace: ordered }).err).toEqual([]);
  });

  it("--set channels is refused: the front end plays one channel", () => {
    const r = run({ trace, set: ["channels=2"] });
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['--set "channels=2": the trace front end plays one channel, so "channels" cannot be set']);
  });

  it("an unknown --set field is one clear line and exit code 2", () => {
    const r = run({ trace, set: ["tFAWW=3"] });
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['--set "tFAWW=3": unknown DRAM field "tFAWW" (did you mean "tFAW"?)']);
  });

  it("an unknown preset lists the known ones, exit code 2", () => {
    const r = run({ trace, preset: "ddr9" });
    expect(r.code).toBe(2);
    expect(r.err.length).toBe(1);
    expect(r.err[0]).toContain('unknown DRAM preset "ddr9"; known presets: ddr-400, ddr3-1600, ddr4-2400');
  });

  it("the yargs handler sets process.exitCode to 2 without throwing", () => {
    const bad = file("bad2.trace", "zzz\n");
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    void dramCommand.handler({ preset: "ddr4-2400", trace: bad, set: [], json: false, check: false, _: [], $0: "hopsim" });
    expect(process.exitCode).toBe(2);
    expect(write).toHaveBeenCalledWith(`${bad}:1: expected "<hex address> READ|WRITE <cycle>", got "zzz"\n`);
  });
});
