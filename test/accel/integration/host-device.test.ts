import { describe, expect, it } from "vitest";
import { buildMachine } from "../../../src/machine/build-machine.ts";
import { prepareRun } from "../../../src/machine/run-simulation.ts";
import { OpKind } from "../../../src/cpu/mem-op.ts";
import { KiB, MiB, machine, oneThread, runChecked, stat } from "./helpers.ts";

const GPU_NODE = "machines/gpu-node.yaml";

describe("a GPU on PCIe: the device in the host's physical map", () => {
  it("puts device memory in a NUMA node of its own, served across the link, and registers far above memory", () => {
    const m = buildMachine(machine(GPU_NODE));
    const d = m.devices[0];
    expect(d.handle.memoryNode).toBe(2);
    expect(m.memoryNodeCount).toBe(3);
    expect(m.frames.capacity[2] * m.spec.pageSize).toBe(40 * 1024 * MiB);
    expect(d.handle.mmioBase).toBeGreaterThanOrEqual(m.homeMap.interleaveBase + 3 * 44 * 1024 * MiB);
    // The OS falls back to device memory last.
    expect(m.osHops[0][2]).toBeGreaterThan(m.osHops[0][1]);
  });

  it("makes a host core's read of device memory cross the link: slower than local DRAM, bytes on the link", () => {
    const chase = (node: number) =>
      runChecked(machine(GPU_NODE), oneThread({ generator: "pointer-chase", region: "r", stride: 64, accesses: 300, order: "random" }, [{ name: "r", size: 4 * MiB, policy: { kind: "bind", nodes: [node] }, kind: "anon" }])).r;
    const local = chase(0);
    const device = chase(2);
    expect(device.threads[0].meanMissLatencyNs).toBeGreaterThan(local.threads[0].meanMissLatencyNs + 2 * 250);
    expect(stat(device, "gpu0.link.rev.bytes")).toBeGreaterThan(300 * 64);
    expect(stat(local, "gpu0.link.rev.bytes")).toBe(0);
  });
});

describe("MMIO (uncacheable, strictly ordered, slow, as Bhattacharjee & Lustig describe it)", () => {
  const regions = [{ name: "r", size: 64 * KiB, policy: { kind: "local" as const }, kind: "anon" }];

  it("makes a register read a round trip over the link, many times a DRAM read, and polls until the device is done", () => {
    const { r } = runChecked(machine(GPU_NODE), oneThread({ generator: "mmio-poll", device: "gpu0", iterations: 10, deviceWorkNs: 3000, pollGapCycles: 100 }, regions));
    const readNs = stat(r, "node0.core0.mmio.readLatencyPs") / 1000;
    // Two link crossings (250 ns each) plus the register's 400 ns.
    expect(readNs).toBeGreaterThan(900);
    expect(readNs).toBeLessThan(1100);
    expect(stat(r, "gpu0.cp.jobs")).toBe(10);
    // Each job takes 3 us of device work: the loop polls more than once per job, and takes longer than the work.
    expect(stat(r, "node0.core0.mmio.reads")).toBeGreaterThan(20);
    expect(r.threads[0].timeNs).toBeGreaterThan(10 * 3000);
  });

  it("moves the MMIO read latency with the link's latency and the register's", () => {
    const read = (...sets: string[]) => stat(runChecked(machine(GPU_NODE, ...sets), oneThread({ generator: "mmio-poll", device: "gpu0", iterations: 3, deviceWorkNs: 0 }, regions)).r, "node0.core0.mmio.readLatencyPs") / 1000;
    const base = read();
    expect(read("devices.0.link.latency=500ns") - base).toBeCloseTo(500, -1);
    expect(read("devices.0.mmio.readLatency=100ns") - base).toBeCloseTo(-300, -1);
  });

  it("posts register writes: a doorbell costs the core far less than a read", () => {
    const { r } = runChecked(machine(GPU_NODE), oneThread({ generator: "mmio-poll", device: "gpu0", iterations: 20, deviceWorkNs: 0 }, regions));
    // 20 doorbells and at least 20 status reads: the time is the reads' (each ~0.94 us), not the writes'.
    const reads = stat(r, "node0.core0.mmio.reads");
    expect(stat(r, "node0.core0.mmio.writes")).toBe(20);
    expect(r.threads[0].timeNs).toBeLessThan(reads * 1000 + 20 * 200);
  });
});

describe("host-device ping-pong", () => {
  it("bounces through a doorbell and a coherent DMA write that invalidates the host's copy of the mailbox", () => {
    const { r } = runChecked(machine(GPU_NODE), oneThread({ generator: "ping-pong", device: "gpu0", region: "mb", iterations: 20 }, [{ name: "mb", size: 4 * KiB, policy: { kind: "bind", nodes: [0] }, kind: "anon" }]));
    const rtt = r.threads[0].timeNs / 20;
    // Doorbell across the link, the DMA write back across it, then the host's miss.
    expect(rtt).toBeGreaterThan(2 * 250);
    expect(rtt).toBeLessThan(3000);
    // Each answer invalidated the spinning core's copy: one miss per round trip (plus the first touch).
    expect(stat(r, "node0.core0.l2.misses")).toBeGreaterThanOrEqual(20);
    expect(stat(r, "node0.core0.l2.misses")).toBeLessThanOrEqual(22);
    expect(stat(r, "gpu0.rc.deviceWrites")).toBeGreaterThanOrEqual(20);
  });
});

describe("MMIO ordering", () => {
  it("holds every later access behind an MMIO read, as behind a fence", () => {
    // A chase of 50 loads to local DRAM, after one MMIO read: it cannot start before the read is back.
    const w = oneThread({ generator: "pointer-chase", region: "r", stride: 64, accesses: 50, order: "random" }, [{ name: "r", size: 1 * MiB, policy: { kind: "bind", nodes: [0] }, kind: "anon" }]);
    const plain = runChecked(machine(GPU_NODE), w).r.threads[0].timeNs;
    const m = machine(GPU_NODE);
    const ctx = prepareRun(m, w, 1, "w", { check: true });
    const core = ctx.machine.cores[0];
    const program = ctx.bound.threads[0].program;
    const mmioBase = ctx.machine.devices[0].handle.mmioBase;
    let first = true;
    // The same chase with an MMIO status read in front of it.
    core.runThread(
      {
        name: "mmio-then-chase",
        next(op) {
          if (first) {
            first = false;
            op.kind = OpKind.MmioLoad;
            op.vaddr = mmioBase + 0x40;
            op.gapCycles = 0;
            op.dependsOn = 0;
            op.bytes = 0;
            return true;
          }
          return program.next(op);
        },
      },
      ctx.bound.space,
    );
    ctx.machine.sim.run();
    const fenced = core.finishedAt / 1000;
    const readNs = (ctx.machine.stats.dump()["node0.core0.mmio.readLatencyPs"].value as { mean: number }).mean / 1000;
    expect(readNs).toBeGreaterThan(900);
    expect(fenced).toBeGreaterThanOrEqual(plain + readNs - 1);
  });
});
