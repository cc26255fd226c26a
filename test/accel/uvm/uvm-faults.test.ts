import { describe, expect, it } from "vitest";
import type { PageCopier } from "../../../src/accel/protocol.ts";
import { GpuMmu, type GpuMmuParams } from "../../../src/accel/uvm/gpu-mmu.ts";
import type { UvmDriverParams } from "../../../src/accel/uvm/uvm-driver.ts";
import { Message } from "../../../src/kernel/message.ts";
import { Port, type PortOwner } from "../../../src/kernel/port.ts";
import { Simulator } from "../../../src/kernel/simulator.ts";
import { buildDram } from "../../../src/mem/dram/dram-spec.ts";
import { MsgKind, XLAT_BLOCKED } from "../../../src/mem/msg-kind.ts";
import { Wire } from "../../../src/net/wire.ts";
import { StatsRegistry } from "../../../src/stats/registry.ts";
import { FrameAllocator } from "../../../src/vm/frame-allocator.ts";

const KiB = 1024;
const MiB = 1 << 20;
const DEVICE_BASE = 2 ** 36;
const HOST_BASE = 0x4000_0000;
const VA = 0x7f00_0000_0000;

/** A DMA engine stand-in: one copy at a time at `bytesPerNs`. */
class Copier implements PageCopier {
  readonly name = "copier";
  copies = 0;
  bytes = 0;
  private freeAt = 0;
  constructor(private readonly sim: Simulator, private readonly bytesPerNs: number) {}
  copy(_src: number, _dst: number, bytes: number, done: { handleEvent(kind: number, payload: unknown): void }, kind: number, payload: unknown): void {
    this.copies++;
    this.bytes += bytes;
    this.freeAt = Math.max(this.sim.now, this.freeAt) + Math.round((bytes * 1000) / this.bytesPerNs);
    this.sim.scheduleAt({ name: "copy", handleEvent: () => done.handleEvent(kind, payload) }, this.freeAt, 0, null);
  }
}

/** The GPU's TLBs, reduced to what the MMU sees: requests (all at once, or one after another), answers and XlatInval. */
class Gpu implements PortOwner {
  readonly name = "gpu";
  readonly port: Port;
  readonly answers: { va: number; pa: number; shift: number; ps: number }[] = [];
  invals = 0;
  private seq: number[] = [];
  private at = 0;
  constructor(private readonly sim: Simulator) {
    this.port = new Port(this, "gpu.port");
  }
  translate(va: number): void {
    const m = new Message();
    m.kind = MsgKind.XlatReq;
    m.addr = va;
    m.txnId = va;
    m.issuedAt = this.sim.now;
    if (!this.port.send(m)) throw new Error("refused");
  }
  /** Touches `vas` one after another, each once the previous one is translated (a streaming kernel). */
  stream(vas: number[]): void {
    this.seq = vas;
    this.at = 0;
    this.translate(vas[0]);
  }
  recv(_p: Port, m: Message): boolean {
    if (m.kind === MsgKind.XlatInval) {
      this.invals++;
      m.kind = MsgKind.XlatInvalDone;
      this.port.send(m);
      return true;
    }
    this.answers.push({ va: m.txnId, pa: m.addr, shift: m.aux, ps: this.sim.now - m.issuedAt });
    if (++this.at < this.seq.length) this.translate(this.seq[this.at]);
    return true;
  }
  wake(): void {}
}

function rig(params: Partial<GpuMmuParams> = {}, driver: Partial<UvmDriverParams> = {}) {
  const sim = new Simulator();
  const stats = new StatsRegistry();
  const deviceFrames = new FrameAllocator([DEVICE_BASE], [64 * MiB], 4096);
  // PCIe Gen4 x16: 31.5 GB/s (PCI Express Base Specification 4.0).
  const copier = new Copier(sim, 31.5);
  const mmu = new GpuMmu(sim, stats, "gpu.mmu", { deviceFrames, deviceNode: 0, copier }, params, driver);
  const hbm = buildDram(sim, stats, "gpu.hbm", { preset: "hbm2" }, { check: true });
  new Wire(mmu.memPort, hbm.port);
  const gpu = new Gpu(sim);
  new Wire(gpu.port, mmu.devicePort);
  return { sim, stats, mmu, gpu, copier, v: (p: string) => stats.value(p) };
}

const pages = (n: number, from = 0) => Array.from({ length: n }, (_, i) => VA + (from + i) * 4096);

describe("GPU MMU and UVM driver", () => {
  it("N far faults arriving together are serviced as one batch and the pages migrate to device memory", () => {
    const r = rig({}, { faultInterruptPs: 2_000_000, batchPs: 45_000_000, perFaultPs: 1_000_000 });
    r.mmu.registerManaged("a", VA, 1 * MiB, HOST_BASE);
    for (const va of pages(32)) r.gpu.translate(va + 8);
    r.sim.run();
    expect(r.v("gpu.mmu.uvm.faults")).toBe(32);
    expect(r.v("gpu.mmu.uvm.batches")).toBe(1);
    expect(r.v("gpu.mmu.uvm.pagesMigratedIn")).toBe(32);
    expect(r.v("gpu.mmu.uvm.bytesMigratedIn")).toBe(32 * 4096);
    expect(r.copier.copies).toBe(32);
    expect(r.gpu.answers.length).toBe(32);
    for (const a of r.gpu.answers) {
      expect(a.pa).toBeGreaterThanOrEqual(DEVICE_BASE);
      expect(a.ps).toBeGreaterThanOrEqual(2_000_000 + 45_000_000 + 32 * 1_000_000);
    }
    const batch = r.stats.get("gpu.mmu.uvm.batchServicePs")!.dump() as { mean: number };
    console.log(`UVM: 32 simultaneous far faults -> 1 batch of ${(batch.mean / 1000).toFixed(0)} ns (45 us + 32 x 1 us + copies; 2 us interrupt before it)`);
    // A second touch is a plain GPU walk: no fault.
    r.gpu.translate(VA + 64);
    r.sim.run();
    expect(r.v("gpu.mmu.uvm.faults")).toBe(32);
  });

  it("a GPU walk reads the GPU page table in device memory (4 references without page-walk caches)", () => {
    const r = rig({ pwcEntries: 0 });
    r.mmu.registerZeroCopy("z", VA, 64 * KiB, HOST_BASE);
    r.gpu.translate(VA + 3 * 4096);
    r.sim.run();
    expect(r.v("gpu.mmu.walkRefs")).toBe(4);
    expect(r.v("gpu.hbm.reads")).toBe(4);
    console.log(`GPU MMU walk (4 levels in HBM2): ${(r.gpu.answers[0].ps / 1000).toFixed(1)} ns`);
  });

  it("prefetching the faulted page's 64 KiB block cuts the faults of a streaming kernel", () => {
    const run = (prefetchBlockBytes: number) => {
      const r = rig({}, { prefetchBlockBytes });
      r.mmu.registerManaged("a", VA, 1 * MiB, HOST_BASE);
      r.gpu.stream(pages(256));
      r.sim.run();
      expect(r.gpu.answers.length).toBe(256);
      expect(r.v("gpu.mmu.uvm.pagesMigratedIn")).toBe(256);
      return { faults: r.v("gpu.mmu.uvm.faults"), prefetched: r.v("gpu.mmu.uvm.prefetchedPages"), ns: r.sim.now / 1000 };
    };
    const off = run(0);
    const on = run(64 * KiB);
    console.log(`UVM streaming 1 MiB: ${off.faults} faults, ${off.ns.toFixed(0)} ns without prefetch; ${on.faults} faults (${on.prefetched} pages prefetched), ${on.ns.toFixed(0)} ns with 64 KiB prefetch`);
    expect(off.faults).toBe(256);
    expect(on.faults).toBe(16);
    expect(on.prefetched).toBe(240);
    expect(on.ns).toBeLessThan(off.ns / 4);
  });

  it("a footprint larger than device memory evicts, and a second pass faults again", () => {
    const r = rig({ capacityPages: 64 }, { prefetchBlockBytes: 64 * KiB });
    r.mmu.registerManaged("a", VA, 512 * KiB, HOST_BASE); // 128 pages
    r.gpu.stream(pages(128));
    r.sim.run();
    const pass1 = r.v("gpu.mmu.uvm.faults");
    expect(r.v("gpu.mmu.uvm.evictions")).toBe(64);
    expect(r.v("gpu.mmu.uvm.pagesMigratedOut")).toBe(64);
    expect(r.mmu.driver.resident).toBe(64);
    // Each evicted page's translations were dropped in the GPU's TLBs.
    expect(r.gpu.invals).toBe(64);
    r.gpu.stream(pages(128));
    r.sim.run();
    const pass2 = r.v("gpu.mmu.uvm.faults") - pass1;
    console.log(`UVM 512 KiB over 256 KiB of device memory: pass 1 ${pass1} faults, pass 2 ${pass2} faults, ${r.v("gpu.mmu.uvm.evictions")} evictions, ${r.v("gpu.mmu.uvm.bytesMigrated")} bytes migrated`);
    expect(pass2).toBeGreaterThan(0);
    expect(r.v("gpu.mmu.uvm.evictions")).toBeGreaterThan(64);
    expect(r.mmu.driver.resident).toBeLessThanOrEqual(64);
    // Device memory never holds more than its capacity (plus the GPU's own table pages).
    expect(r.mmu.deviceFrames.used[0] - r.mmu.table.tablesPerLevel.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(64);
  });

  it("zero-copy memory translates to its host frames and never migrates", () => {
    const r = rig();
    r.mmu.registerZeroCopy("z", VA, 256 * KiB, HOST_BASE);
    r.gpu.stream(pages(64));
    r.sim.run();
    expect(r.gpu.answers.map((a) => a.pa)).toEqual(pages(64).map((_, i) => HOST_BASE + i * 4096));
    expect(r.v("gpu.mmu.uvm.faults")).toBe(0);
    expect(r.v("gpu.mmu.uvm.pagesMigratedIn")).toBe(0);
    expect(r.copier.copies).toBe(0);
  });

  it("an address in no registered region is blocked without a walk", () => {
    const r = rig();
    r.mmu.registerManaged("a", VA, 64 * KiB, HOST_BASE);
    r.gpu.translate(VA + 1 * MiB);
    r.sim.run();
    expect(r.gpu.answers[0].shift).toBe(XLAT_BLOCKED);
    expect(r.v("gpu.mmu.blocked")).toBe(1);
    expect(r.v("gpu.mmu.walks")).toBe(0);
  });

  it("same seed and inputs give identical statistics", () => {
    const once = () => {
      const r = rig({ capacityPages: 40 }, { prefetchBlockBytes: 64 * KiB, perFaultPs: 500_000 });
      r.mmu.registerManaged("a", VA, 512 * KiB, HOST_BASE);
      for (const va of pages(16, 100)) r.gpu.translate(va);
      r.gpu.stream(pages(128));
      r.sim.run();
      return JSON.stringify(r.stats.dump());
    };
    expect(once()).toBe(once());
  });
});
