import { describe, expect, it } from "vitest";
import { dmaCopyPs } from "../../../src/repro/hetero-repro.ts";
import { KiB, MiB, machine, oneKernel, oneThread, runChecked, stat } from "./helpers.ts";

const GPU_NODE = "machines/gpu-node.yaml";
const buf = (size: number) => [{ name: "buf", size, policy: { kind: "bind" as const, nodes: [0] }, kind: "anon" }];

describe("DMA copies over PCIe gen4 x16 (coherent and non-coherent DMA, as Bhattacharjee & Lustig describe them)", () => {
  it("copies below the link's theoretical 31.5 GB/s, by TLP, completion and DLLP overheads, and faster for larger copies", () => {
    const m = machine(GPU_NODE);
    const gbs = (bytes: number, dir: "h2d" | "d2h") => bytes / (dmaCopyPs(m, bytes, dir) / 1000);
    const h2dSmall = gbs(16 * KiB, "h2d");
    const h2d = gbs(4 * MiB, "h2d");
    const d2h = gbs(4 * MiB, "d2h");
    expect(h2dSmall).toBeLessThan(h2d);
    // Reads come back in 64-byte completions (84 bytes on the wire); writes go as 256-byte TLPs.
    expect(h2d).toBeGreaterThan(0.7 * 31.5);
    expect(h2d).toBeLessThan((64 / 84) * 31.5);
    expect(d2h).toBeGreaterThan(h2d);
    expect(d2h).toBeLessThan((256 / 280) * 31.5 + 0.5);
  });

  it("reads faster when the root complex returns 128-byte completions, and slower on gen3", () => {
    const gbs = (...sets: string[]) => (4 * MiB) / (dmaCopyPs(machine(GPU_NODE, ...sets), 4 * MiB, "h2d") / 1000);
    const base = gbs();
    expect(gbs("devices.0.link.readCompletion=128B")).toBeGreaterThan(base * 1.08);
    expect(gbs("devices.0.link.gen=3")).toBeLessThan(base * 0.55);
  });

  it("snoops the caches for coherent DMA; non-coherent DMA probes nothing but makes the driver flush every line", () => {
    const run = (coherent: boolean) => runChecked(machine(GPU_NODE), oneThread({ generator: "dma-driver", device: "gpu0", region: "buf", direction: "h2d", coherent, prepare: true, iterations: 1, pollGapCycles: 200 }, buf(256 * KiB))).r;
    const coh = run(true);
    const non = run(false);
    const lines = (256 * KiB) / 64;
    expect(stat(coh, "node0.core0.flushes")).toBe(0);
    // The buffer was just written: the DMA's reads find the dirty lines in the core's caches.
    expect(stat(coh, "node0.nb.probe.dirty")).toBeGreaterThan(lines * 0.9);
    expect(stat(non, "node0.core0.flushes")).toBe(lines);
    expect(stat(non, "node0.core0.flushedDirty")).toBe(lines);
    // Its reads go to memory without probes; the coherent copy's reads probed every line.
    expect(stat(non, "node0.nb.home.noSnoop")).toBe(lines);
    expect(stat(coh, "node0.nb.home.noSnoop")).toBe(0);
    expect(stat(coh, "gpu0.dma.bytes")).toBe(256 * KiB);
    expect(stat(non, "gpu0.dma.bytes")).toBe(256 * KiB);
    // The flushes cost the driver time.
    expect(non.threads[0].timeNs).toBeGreaterThan(coh.threads[0].timeNs);
  });
});

describe("GPU kernels on the PCIe GPU", () => {
  it("streams device memory at most of HBM's peak, and less with fewer wavefronts to hide latency", () => {
    const gbs = (...sets: string[]) => {
      const { r } = runChecked(machine(GPU_NODE, ...sets), oneKernel("stream-read", [8 * MiB], "device"));
      return { gbs: r.agents[0].programGBs, peak: stat(r, "gpu0.mem.peakGBs") };
    };
    const full = gbs();
    expect(full.gbs).toBeGreaterThan(0.5 * full.peak);
    expect(full.gbs).toBeLessThan(full.peak);
    expect(gbs("devices.0.gpu.wavefrontSlots=2").gbs).toBeLessThan(full.gbs * 0.5);
  });

  it("keeps a kernel's write-backs spread over every HBM channel: vector add runs near stream speed", () => {
    // The L2 banks' refused write-backs are offered in turn, so no channel gets a burst while others idle.
    const { r } = runChecked(machine(GPU_NODE), oneKernel("vector-add", [4 * MiB, 4 * MiB, 4 * MiB], "device"));
    expect(r.agents[0].memGBs).toBeGreaterThan(0.5 * stat(r, "gpu0.mem.peakGBs"));
  });

  it("reads host memory across the link for zero-copy, at no more than the link's rate", () => {
    const { r } = runChecked(machine(GPU_NODE), oneKernel("stream-read", [4 * MiB], "zero-copy"));
    expect(r.agents[0].programGBs).toBeLessThan(31.5);
    expect(r.agents[0].programGBs).toBeGreaterThan(10);
    expect(stat(r, "gpu0.rc.deviceReadBytes")).toBeGreaterThanOrEqual(4 * MiB);
    expect(stat(r, "gpu0.mmu.uvm.faults")).toBe(0);
  });

  it("migrates unified memory on the GPU's far faults, in batches, and prefetch cuts the faults", () => {
    const run = (...sets: string[]) => runChecked(machine(GPU_NODE, ...sets), oneKernel("stream-read", [2 * MiB], "on-demand")).r;
    const pre = run();
    const none = run("devices.0.translation.prefetchBlock=4KiB");
    expect(stat(pre, "gpu0.mmu.uvm.pagesMigratedIn")).toBe(512);
    expect(stat(pre, "gpu0.mmu.uvm.batches")).toBeLessThan(stat(pre, "gpu0.mmu.uvm.faults"));
    expect(stat(none, "gpu0.mmu.uvm.faults")).toBeGreaterThanOrEqual(stat(pre, "gpu0.mmu.uvm.faults"));
    // Far faults cost host time per batch: on-demand is far slower than data already on the device.
    const dev = runChecked(machine(GPU_NODE), oneKernel("stream-read", [2 * MiB], "device")).r;
    expect(pre.agents[0].timeNs).toBeGreaterThan(10 * dev.agents[0].timeNs);
  });

  it("evicts when the footprint is larger than device memory", () => {
    const { r } = runChecked(machine(GPU_NODE, "devices.0.memory.size=4MiB"), oneKernel("stream-read", [6 * MiB], "on-demand"));
    expect(stat(r, "gpu0.mmu.uvm.evictions")).toBeGreaterThan(0);
    expect(stat(r, "gpu0.mmu.uvm.pagesMigratedIn")).toBeGreaterThanOrEqual((6 * MiB) / 4096);
  });

  it("copies in, runs, and copies out with explicit copies; the copies dominate a short kernel", () => {
    const { r } = runChecked(machine(GPU_NODE), oneKernel("vector-add", [1 * MiB, 1 * MiB, 1 * MiB], "explicit-copy"));
    const a = r.agents[0];
    expect(stat(r, "gpu0.dma.bytes")).toBe(3 * MiB);
    expect(a.copyNs).toBeGreaterThan(a.kernelNs);
    expect(a.timeNs).toBeCloseTo(a.copyNs + a.kernelNs, -1);
  });

  it("gives the same statistics for the same inputs and seed", () => {
    const w = oneKernel("gather", [256 * KiB, 4 * MiB, 256 * KiB], "device");
    const a = runChecked(machine(GPU_NODE), w).r.stats;
    const b = runChecked(machine(GPU_NODE), w).r.stats;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe("unified memory seen from the host", () => {
  it("sends a host core's reads of pages that migrated to the GPU across the link, to device memory", () => {
    const w = oneKernel("saxpy", [256 * KiB, 256 * KiB], "on-demand");
    // After the kernel, a host thread reads y (migrated to the device) and a host-only buffer.
    w.regions.push({ name: "host", size: 256 * KiB, policy: { kind: "bind", nodes: [0] }, kind: "anon" });
    w.threads = [
      { core: 0, generator: "stream-read", region: "r1", elementBytes: 64, passes: 1, gapCycles: 0, startNs: 20_000_000 },
      { core: 1, generator: "stream-read", region: "host", elementBytes: 64, passes: 1, gapCycles: 0, startNs: 20_000_000 },
    ];
    const { r } = runChecked(machine(GPU_NODE), w);
    expect(r.agents[0].timeNs).toBeLessThan(20_000_000);
    const migrated = r.threads[0];
    const local = r.threads[1];
    expect(stat(r, "gpu0.mmu.uvm.pagesMigratedIn")).toBe(128);
    expect(migrated.meanMissLatencyNs).toBeGreaterThan(local.meanMissLatencyNs + 400);
    // numa_maps shows the migrated pages on the device's node (node 2).
    expect(r.numaMaps.find((e) => e.region === "r1")?.perNode[2]).toBe(64);
  });
});
