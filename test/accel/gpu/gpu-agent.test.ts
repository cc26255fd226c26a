import { describe, expect, it } from "vitest";
import { GpuAgent, type GpuKernelResult } from "../../../src/accel/gpu/gpu-agent.ts";
import type { GpuKernel } from "../../../src/accel/gpu/gpu-kernel.ts";
import type { GpuParamsInput } from "../../../src/accel/gpu/gpu-params.ts";
import type { EventHandler } from "../../../src/kernel/event-queue.ts";
import { MessagePool, MessageQueue, type Message } from "../../../src/kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../../../src/kernel/port.ts";
import { Simulator } from "../../../src/kernel/simulator.ts";
import { buildDram } from "../../../src/mem/dram/dram-spec.ts";
import type { DramSystem } from "../../../src/mem/dram/dram-system.ts";
import { MsgKind, XLAT_BLOCKED } from "../../../src/mem/msg-kind.ts";
import { Wire } from "../../../src/net/wire.ts";
import { StatsRegistry } from "../../../src/stats/registry.ts";

// ---- fixtures ---------------------------------------------------------------------------------

/**
 * A translation service for tests: answers each XlatReq after a fixed delay with physical =
 * virtual + offset and a fixed page shift, or XLAT_BLOCKED inside a blocked range; counts the
 * requests and the invalidations answered.
 */
class XlatFixture implements PortOwner, EventHandler {
  readonly name = "xlat-fixture";
  readonly port: Port;
  requests = 0;
  invalDone = 0;
  blockedLo = 0;
  blockedHi = 0;
  private readonly backlog = new MessageQueue();
  private readonly sim: Simulator;
  private readonly delayPs: number;
  private readonly offset: number;
  private readonly shift: number;

  constructor(sim: Simulator, delayPs: number, offset: number, shift = 12) {
    this.sim = sim;
    this.delayPs = delayPs;
    this.offset = offset;
    this.shift = shift;
    this.port = new Port(this, "xlat-fixture.port");
  }

  recv(_port: Port, msg: Message): boolean {
    if (msg.kind === MsgKind.XlatReq) {
      this.requests++;
      this.sim.schedule(this, this.delayPs, 0, msg);
    } else if (msg.kind === MsgKind.XlatInvalDone) this.invalDone++;
    else throw new Error(`fixture: unexpected kind ${msg.kind}`);
    return true;
  }

  wake(_port: Port): void {
    drainBacklog(this.port, this.backlog);
  }

  handleEvent(_kind: number, payload: unknown): void {
    const m = payload as Message;
    const va = m.addr;
    const bytes = 2 ** this.shift;
    m.kind = MsgKind.XlatResp;
    if (va >= this.blockedLo && va < this.blockedHi) {
      m.aux = XLAT_BLOCKED;
    } else {
      m.addr = Math.floor(va / bytes) * bytes + this.offset;
      m.aux = this.shift;
    }
    sendOrQueue(this.port, this.backlog, m);
  }

  /** Sends an XlatInval for [addr, addr + bytes) to the device. */
  invalidate(pool: MessagePool, addr: number, bytes: number): void {
    const m = pool.get();
    m.kind = MsgKind.XlatInval;
    m.addr = addr;
    m.aux = bytes;
    sendOrQueue(this.port, this.backlog, m);
  }
}

/** Records the result `done` is called with. */
class DoneSink implements EventHandler {
  readonly name = "done-sink";
  result: GpuKernelResult | null = null;
  calls = 0;
  kind = -1;
  handleEvent(kind: number, payload: unknown): void {
    this.calls++;
    this.kind = kind;
    this.result = payload as GpuKernelResult;
  }
}

/** A GPU wired to one HBM2 stack and a translation fixture. */
interface Rig {
  sim: Simulator;
  stats: StatsRegistry;
  pool: MessagePool;
  gpu: GpuAgent;
  hbm: DramSystem;
  xlat: XlatFixture;
}

/** Physical = virtual + this offset in the fixture (so a test can tell the two apart). */
const PHYS_OFFSET = 1024 * 1024 * 1024;

/** Builds a rig: GPU (params), HBM2 stack of 8 channels (checked), translation after `xlatDelayPs`. */
function makeRig(params: GpuParamsInput, xlatDelayPs = 500_000, shift = 12): Rig {
  const sim = new Simulator();
  const stats = new StatsRegistry();
  const pool = new MessagePool();
  const gpu = new GpuAgent(sim, stats, pool, "gpu", params);
  const hbm = buildDram(sim, stats, "gpu.hbm", { preset: "hbm2", channels: 8 }, { check: true });
  new Wire(gpu.memPort, hbm.port);
  const xlat = new XlatFixture(sim, xlatDelayPs, PHYS_OFFSET, shift);
  new Wire(gpu.xlatPort, xlat.port);
  return { sim, stats, pool, gpu, hbm, xlat };
}

/** Launches a kernel and runs the simulation until it is done; returns the result. */
function runKernel(rig: Rig, kernel: GpuKernel): GpuKernelResult {
  const sink = new DoneSink();
  rig.gpu.launch(kernel, sink, 7);
  rig.sim.run();
  if (sink.calls !== 1 || sink.result === null) throw new Error(`done called ${sink.calls} times`);
  if (sink.kind !== 7) throw new Error("done called with the wrong kind");
  return sink.result;
}

/** MiB. */
const MiB = 1024 * 1024;

const A = 0x1000_0000;
const B = 0x2000_0000;
const C = 0x3000_0000;
/** A small GPU for most tests: 8 CUs, 8 slots, 1 MiB L2 (bigger than the footprints that must stay). */
const SMALL: GpuParamsInput = { computeUnits: 8, waveSlotsPerCu: 8, l2: { sizeBytes: 4 * MiB } };

function vectorAdd(elements: number): GpuKernel {
  return { kind: "vector-add", elements, workgroupSize: 256, arrays: { a: A, b: B, c: C } };
}

function gather(elements: number, tableElements: number, seed: number | string = 1): GpuKernel {
  return { kind: "gather", elements, workgroupSize: 256, tableElements, seed, arrays: { idx: A, table: B, c: C } };
}

function hist(rig: Rig, path: string): Record<string, number> {
  return rig.stats.dump()[path].value as Record<string, number>;
}

// ---- tests ------------------------------------------------------------------------------------

describe("GpuAgent on one HBM2 stack", () => {
  it("streams near the memory's peak, and bandwidth grows with wavefront slots until it saturates", () => {
    const slots = [1, 2, 4, 8, 16, 32];
    const gbs: number[] = [];
    for (const s of slots) {
      const rig = makeRig({ computeUnits: 16, waveSlotsPerCu: s }, 100_000);
      const r = runKernel(rig, { kind: "stream-read", elements: (2 * MiB) / 4, workgroupSize: 64, arrays: { a: A } });
      gbs.push(r.memGBs);
      expect(r.memBytesRead).toBe(2 * MiB);
      expect(rig.hbm.checker?.violations.length).toBe(0);
      const evPerLine = rig.sim.eventsDispatched / r.lines;
      console.log(
        `stream-read 2 MiB, 16 CUs x ${String(s).padStart(2)} slots: ${r.memGBs.toFixed(1).padStart(6)} GB/s of 256 ` +
          `(avg ${rig.stats.value("gpu.avgOutstandingMemReads").toFixed(0)} reads in flight, ${evPerLine.toFixed(2)} events per line incl. DRAM)`,
      );
    }
    const peak = Math.max(...gbs);
    expect(peak).toBeGreaterThan(0.75 * 256);
    expect(peak).toBeLessThanOrEqual(256);
    // Latency-bound region: doubling the wavefronts nearly doubles the bandwidth.
    for (let i = 1; i <= 3; i++) expect(gbs[i]).toBeGreaterThan(1.7 * gbs[i - 1]);
    // Saturated: the last doubling gains little.
    expect(gbs[5]).toBeLessThan(1.2 * gbs[4]);
  });

  it("coalesces a contiguous instruction into 4 lines of 64 B and a gather into far more", () => {
    const rig = makeRig(SMALL, 100_000);
    const n = 64 * 1024;
    const r = runKernel(rig, vectorAdd(n));
    const h = hist(rig, "gpu.linesPerInstruction");
    console.log(`vector-add: ${r.instructions} instructions, ${h.mean} lines per instruction (max ${h.max})`);
    expect(r.instructions).toBe((3 * n) / 64);
    expect(h.mean).toBe(4);
    expect(h.max).toBe(4);

    const g = makeRig(SMALL, 100_000);
    const rg = runKernel(g, gather(n, 1024 * 1024));
    const hg = hist(g, "gpu.linesPerInstruction");
    // idx load and c store are 4 lines each; the gather itself touches almost one line per lane.
    const gatherLines = (rg.lines - (2 * 4 * n) / 64) / (n / 64);
    console.log(`gather: ${hg.mean.toFixed(2)} lines per instruction over all, ${gatherLines.toFixed(2)} per gather instruction (max ${hg.max})`);
    expect(gatherLines).toBeGreaterThan(60);
    expect(hg.max).toBeGreaterThan(60);
    expect(hg.max).toBeLessThanOrEqual(64);
  });

  it("coalesces wider elements into proportionally more lines", () => {
    for (const [eb, perInstr] of [[8, 8], [256, 256]]) {
      const n = 16 * 1024;
      const rig = makeRig(SMALL, 100_000);
      const r = runKernel(rig, { kind: "stream-read", elements: n, elementBytes: eb, workgroupSize: 64, arrays: { a: A } });
      expect(hist(rig, "gpu.linesPerInstruction").mean).toBe(perInstr);
      expect(r.memBytesRead).toBe(n * eb);
    }
  });

  it("runs a gather far slower per byte than a contiguous kernel", () => {
    const n = 128 * 1024;
    const va = runKernel(makeRig(SMALL, 100_000), vectorAdd(n));
    const ga = runKernel(makeRig(SMALL, 100_000), gather(n, 1024 * 1024));
    console.log(`program bytes per second: vector-add ${va.programGBs.toFixed(1)} GB/s, gather ${ga.programGBs.toFixed(1)} GB/s (memory ${ga.memGBs.toFixed(1)} GB/s)`);
    expect(ga.programGBs).toBeLessThan(0.5 * va.programGBs);
    // The gather moves whole lines for 4-byte lanes: memory bytes far exceed the program's.
    expect(ga.memBytesRead).toBeGreaterThan(4 * ga.programBytes / 3);
  });

  it("misses the L2 TLB less when it is larger", () => {
    const n = 64 * 1024;
    const misses: number[] = [];
    for (const entries of [64, 2048]) {
      const rig = makeRig({ ...SMALL, l2Tlb: { entries, assoc: 16 } }, 100_000);
      const r = runKernel(rig, gather(n, 1024 * 1024));
      const m = rig.stats.value("gpu.tlb.l2.misses");
      misses.push(m);
      console.log(`gather over 4 MiB (1024 pages), L2 TLB ${entries} entries: ${m} L2 TLB misses, ${r.xlatRequests} translation requests, ${r.timePs / 1e6} us`);
      expect(rig.stats.value("gpu.tlb.l1.misses")).toBeGreaterThan(0);
    }
    expect(misses[1]).toBeLessThan(0.5 * misses[0]);
  });

  it("drops and counts accesses whose translation is blocked, sending nothing to memory for them", () => {
    const n = 32 * 1024;
    const rig = makeRig(SMALL, 100_000);
    rig.xlat.blockedLo = A;
    rig.xlat.blockedHi = A + n * 4;
    const r = runKernel(rig, { kind: "stream-read", elements: n, workgroupSize: 256, arrays: { a: A } });
    expect(r.blockedAccesses).toBe(n);
    expect(rig.stats.value("gpu.hbm.reads")).toBe(0);
    expect(rig.stats.value("gpu.hbm.writes")).toBe(0);
    expect(r.xlatRequests).toBeGreaterThan(0);

    // Only b blocked in a vector-add: a is read, b never is, c is written.
    const v = makeRig(SMALL, 100_000);
    v.xlat.blockedLo = B;
    v.xlat.blockedHi = B + n * 4;
    const rv = runKernel(v, vectorAdd(n));
    expect(rv.blockedAccesses).toBe(n);
    expect(rv.memBytesRead).toBe(n * 4);
    expect(v.stats.value("gpu.hbm.reads")).toBe((n * 4) / 64);
    expect(rv.memBytesWritten).toBe(n * 4);
  });

  it("allocates whole-line stores in the L2 without reading memory; partial lines are fetched", () => {
    const n = 64 * 1024;
    const rig = makeRig(SMALL, 100_000);
    const r = runKernel(rig, { kind: "stream-copy", elements: n, workgroupSize: 256, arrays: { a: A, b: B } });
    expect(r.memBytesRead).toBe(n * 4); // the source only
    expect(rig.stats.value("gpu.l2.fullLineAllocs")).toBe((n * 4) / 64);
    expect(r.memBytesWritten).toBe(n * 4);

    // Destination 4 bytes off the line grid: every instruction has partial first and last lines.
    const m = makeRig(SMALL, 100_000);
    const rm = runKernel(m, { kind: "stream-copy", elements: n, workgroupSize: 256, arrays: { a: A, b: B + 4 } });
    expect(rm.memBytesRead).toBeGreaterThan(n * 4);
  });

  it("writes the kernel's dirty lines back to memory by the time done is called", () => {
    const n = 64 * 1024;
    const rig = makeRig(SMALL, 100_000);
    const r = runKernel(rig, vectorAdd(n));
    const cLines = (n * 4) / 64;
    expect(r.memBytesRead).toBe(2 * n * 4);
    expect(r.memBytesWritten).toBe(n * 4);
    expect(rig.stats.value("gpu.hbm.writes")).toBe(cLines);
    expect(rig.stats.value("gpu.l2.writebacks")).toBe(cLines);
    expect(rig.gpu.l2DirtyLines()).toBe(0);
    expect(rig.gpu.busy).toBe(false);
    // The L2 holds c at its physical address (virtual + the fixture's offset).
    const line = (C + PHYS_OFFSET) / 64;
    expect(rig.gpu.l2[line % 16].lookup(line)).toBeGreaterThanOrEqual(0);
    expect(rig.gpu.l2[(C / 64) % 16].lookup(C / 64)).toBe(-1);

    // saxpy reads x and y and writes y back.
    const s = makeRig(SMALL, 100_000);
    const rs = runKernel(s, { kind: "saxpy", elements: n, workgroupSize: 256, arrays: { x: A, y: B } });
    expect(rs.memBytesRead).toBe(2 * n * 4);
    expect(rs.memBytesWritten).toBe(n * 4);
    expect(s.gpu.l2DirtyLines()).toBe(0);
  });

  it("gives identical statistics for the same seed and different ones for another seed", () => {
    const run = (seed: number): string => {
      const rig = makeRig(SMALL, 100_000);
      runKernel(rig, gather(16 * 1024, 256 * 1024, seed));
      return JSON.stringify(rig.stats.dump());
    };
    const a = run(7);
    expect(run(7)).toBe(a);
    expect(run(8)).not.toBe(a);
  });

  it("drops translations on XlatInval, answers XlatInvalDone, and translates again afterwards", () => {
    const n = 16 * 1024;
    const rig = makeRig(SMALL, 100_000);
    const k: GpuKernel = { kind: "stream-read", elements: n, workgroupSize: 256, arrays: { a: A } };
    const first = runKernel(rig, k);
    expect(first.xlatRequests).toBe((n * 4) / 4096);
    const again = runKernel(rig, k);
    expect(again.xlatRequests).toBe(0); // the L2 TLB holds every page
    const before = rig.gpu.l2Tlb.validEntries();
    rig.xlat.invalidate(rig.pool, A, 8192);
    rig.sim.run();
    expect(rig.xlat.invalDone).toBe(1);
    expect(rig.gpu.l2Tlb.validEntries()).toBe(before - 2);
    const third = runKernel(rig, k);
    expect(third.xlatRequests).toBe(2);
  });

  it("uses the page size the translation gives", () => {
    const n = 64 * 1024;
    const rig = makeRig(SMALL, 100_000, 21);
    const r = runKernel(rig, { kind: "stream-read", elements: n, workgroupSize: 256, arrays: { a: A } });
    // The first responses arrive after other 4 KiB frames have missed; after that, misses merge by 2 MiB.
    expect(r.xlatRequests).toBeLessThan(8);
    expect(rig.gpu.l2Tlb.validEntries()).toBe(1);
    expect(r.memBytesRead).toBe(n * 4);
    const again = runKernel(rig, { kind: "stream-read", elements: n, workgroupSize: 256, arrays: { a: A + 512 * 1024 } });
    expect(again.xlatRequests).toBe(0);
  });

  it("handles a partial last wavefront: only active lanes access memory, a partial last store line is fetched", () => {
    const n = 1000; // 15 full wavefronts and one of 40 lanes; 4000 B per array = 62.5 lines
    const rig = makeRig(SMALL, 100_000);
    const r = runKernel(rig, vectorAdd(n));
    expect(r.lines).toBe(3 * 63);
    // a and b: 63 lines each; c: its last line is written in part, so it is read first.
    expect(r.memBytesRead).toBe((2 * 63 + 1) * 64);
    expect(r.memBytesWritten).toBe(63 * 64);
  });

  it("runs an NVIDIA-like shape: 32-lane warps and 128-byte lines, one line per instruction", () => {
    const n = 64 * 1024;
    const rig = makeRig({ ...SMALL, wavefrontLanes: 32, lineBytes: 128 }, 100_000);
    const r = runKernel(rig, { kind: "vector-add", elements: n, workgroupSize: 128, arrays: { a: A, b: B, c: C } });
    const h = hist(rig, "gpu.linesPerInstruction");
    expect(h.mean).toBe(1);
    expect(r.instructions).toBe((3 * n) / 32);
    expect(r.memBytesRead).toBe(2 * n * 4);
    expect(r.memBytesWritten).toBe(n * 4);
    expect(rig.stats.value("gpu.hbm.reads")).toBe((2 * n * 4) / 128);
    expect(rig.hbm.checker?.violations.length).toBe(0);
  });

  it("merges loads of one line in the L1 miss registers and hits lines already in the L1", () => {
    const n = 64 * 1024;
    const rig = makeRig(SMALL, 100_000);
    // a and b are the same array: the second load of each line hits or merges.
    const r = runKernel(rig, { kind: "vector-add", elements: n, workgroupSize: 256, arrays: { a: A, b: A, c: C } });
    const lines = (n * 4) / 64;
    expect(r.memBytesRead).toBe(n * 4);
    expect(rig.stats.value("gpu.l1.hits") + rig.stats.value("gpu.l1.mshrMerges")).toBe(lines);
    expect(rig.stats.value("gpu.l1.mshrMerges")).toBeGreaterThan(0);
  });

  it("invalidates the L1s at kernel start (acquire) while the L2 keeps its lines", () => {
    const n = 4096; // 16 KiB, 64 one-wavefront workgroups: all resident at once, on the same CUs both times
    const rig = makeRig(SMALL, 100_000);
    const k: GpuKernel = { kind: "vector-add", elements: n, workgroupSize: 64, arrays: { a: A, b: A, c: C } };
    runKernel(rig, k);
    const l1Hits = rig.stats.value("gpu.l1.hits");
    const l2Hits = rig.stats.value("gpu.l2.hits");
    const second = runKernel(rig, k);
    expect(second.memBytesRead).toBe(0); // every line is still in the L2
    // a's lines miss the L1 again (b's loads merge with them) and hit the L2, as do c's stores.
    const lines = (n * 4) / 64;
    expect(rig.stats.value("gpu.l2.hits") - l2Hits).toBe(2 * lines);
    expect(rig.stats.value("gpu.l1.hits") - l1Hits).toBeLessThan(lines / 2);
  });

  it("finishes with exact traffic when every miss register is scarce (the stall paths)", () => {
    const n = 32 * 1024;
    const tight: GpuParamsInput = { ...SMALL, l1: { mshrs: 2 }, l2: { sizeBytes: 4 * MiB, mshrsPerBank: 1 }, l2Tlb: { outstandingMisses: 2 } };
    const rig = makeRig(tight, 100_000);
    const r = runKernel(rig, vectorAdd(n));
    expect(r.memBytesRead).toBe(2 * n * 4);
    expect(r.memBytesWritten).toBe(n * 4);
    expect(r.xlatRequests).toBe((3 * n * 4) / 4096);
    const g = makeRig(tight, 100_000);
    const rg = runKernel(g, gather(n, 64 * 1024));
    expect(rg.blockedAccesses).toBe(0);
    expect(rg.memBytesWritten).toBe(n * 4);
    expect(g.gpu.linesInFlight).toBe(0);
  });

  it("refuses a second launch while a kernel runs and rejects a malformed kernel", () => {
    const rig = makeRig(SMALL, 100_000);
    const sink = new DoneSink();
    rig.gpu.launch(vectorAdd(1024), sink, 1);
    expect(() => rig.gpu.launch(vectorAdd(1024), sink, 1)).toThrow(/still running/);
    rig.sim.run();
    expect(sink.calls).toBe(1);
    expect(() => rig.gpu.launch({ kind: "vector-add", elements: 1024, workgroupSize: 100, arrays: { a: A, b: B, c: C } }, sink, 1)).toThrow(/multiple/);
    expect(() => rig.gpu.launch({ kind: "vector-add", elements: 1024, workgroupSize: 64, arrays: { a: A, b: B } }, sink, 1)).toThrow(/"c"/);
  });
});
