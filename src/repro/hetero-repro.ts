import type { MachineSpec } from "../config/machine-spec.ts";
import type { AgentSpec, RegionSpec, ThreadSpec, WorkloadSpec } from "../config/workload-spec.ts";
import { buildMachine } from "../machine/build-machine.ts";
import { idleLatencyMatrix } from "../machine/idle-latency.ts";
import { runSimulation, type RunResult } from "../machine/run-simulation.ts";
import { DmaDriverLoop } from "../accel/iommu/dma-driver-loop.ts";
import { Iommu } from "../accel/iommu/iommu.ts";
import { SeparateView } from "../accel/iommu/device-view.ts";
import { Wire } from "../net/wire.ts";
import { X86_64 } from "../vm/page-table.ts";

/** One row of the heterogeneous-machine reproduction. */
export interface HeteroRow {
  id: string;
  description: string;
  simulated: number;
  unit: string;
  /** For bandwidths: the theoretical rate the row is a fraction of. */
  theoretical?: number;
  /** simulated / theoretical. */
  fraction?: number;
  /** Further figures of the row (faults, migrated pages, ...). */
  detail?: Record<string, number>;
}

/** Copy bandwidth at one transfer size. */
export interface CopyPoint {
  bytes: number;
  h2dGBs: number;
  d2hGBs: number;
  /** Fractions of the link's theoretical rate per direction. */
  h2dFraction: number;
  d2hFraction: number;
}

/** Everything `hopsim repro hetero` prints. */
export interface HeteroRepro {
  machine: string;
  apu: string;
  linkTheoreticalGBs: number;
  copies: CopyPoint[];
  rows: HeteroRow[];
}

/** Sizes of the reproduction's experiments. */
export interface HeteroOptions {
  /** Copy sizes of the bandwidth curve; the largest gives DMA_H2D_GBS / DMA_D2H_GBS. */
  copySizes: number[];
  /** Bytes the streaming kernel reads from device memory. */
  streamBytes: number;
  /** Device memory for the memory-mode rows, and the footprints below and above it. */
  deviceMemBytes: number;
  belowBytes: number;
  aboveBytes: number;
  /** Buffer of the coherent vs non-coherent DMA rows. */
  dmaDriverBytes: number;
  progress?: (line: string) => void;
}

/** The options `hopsim repro hetero` uses. */
export const HETERO_DEFAULTS: HeteroOptions = {
  copySizes: [4096, 65536, 1 << 20, 16 << 20, 256 << 20],
  streamBytes: 64 << 20,
  deviceMemBytes: 64 << 20,
  belowBytes: 16 << 20,
  aboveBytes: 96 << 20,
  dmaDriverBytes: 1 << 20,
};

/** Time of one DMA copy between pinned host memory on the device's socket and device memory, in ps. */
export function dmaCopyPs(m: MachineSpec, bytes: number, direction: "h2d" | "d2h", snoop = true): number {
  const machine = buildMachine(m);
  const d = machine.devices[0];
  if (d === undefined || d.handle.memBytes === 0) throw new Error(`${m.name}: the first device needs memory of its own for a copy`);
  const host = machine.homeMap.bases[d.handle.attachTo] + (1 << 20);
  const dev = d.handle.memBase;
  let end = -1;
  d.dma.submit(direction === "h2d" ? { src: host, dst: dev, bytes, snoop } : { src: dev, dst: host, bytes, snoop }, { name: "copy-end", handleEvent: () => (end = machine.sim.now) }, 0, null);
  machine.sim.run();
  if (end < 0) throw new Error(`${m.name}: the copy did not finish`);
  return end;
}

function withDeviceMemory(m: MachineSpec, bytes: number): MachineSpec {
  const devices = m.devices.map((d, i) => (i === 0 && d.memory !== undefined ? { ...d, memory: { ...d.memory, size: bytes } } : d));
  return { ...m, devices };
}

function kernelRun(m: MachineSpec, kernel: AgentSpec["kernel"], arrayBytes: number[], memory: AgentSpec["memory"], extra: Partial<WorkloadSpec> = {}): RunResult {
  const names = arrayBytes.map((_, i) => `r${i}`);
  const regions: RegionSpec[] = arrayBytes.map((size, i) => ({ name: names[i], size, policy: { kind: "bind", nodes: [m.devices[0].attachTo] }, kind: "anon", device: true }));
  const w: WorkloadSpec = {
    name: `gpu-${kernel}-${memory}`,
    description: "",
    regions,
    threads: [],
    agents: [{ kind: "gpu-kernel", device: m.devices[0].name, kernel, arrays: names, memory, elementBytes: 4, repeat: 1, startNs: 0 }],
    ...extra,
  };
  return runSimulation(m, w, 1);
}

function threadRun(m: MachineSpec, thread: ThreadSpec, regions: RegionSpec[]): RunResult {
  return runSimulation(m, { name: thread.generator, description: "", regions, threads: [thread] }, 1);
}

const stat = (r: RunResult, key: string): number => {
  const s = r.stats[key];
  if (s === undefined) return 0;
  const v = s.value as number | { mean: number };
  return typeof v === "number" ? v : v.mean;
};

/**
 * Runs the heterogeneous-machine experiments on `m` (a host with a GPU that has its own memory,
 * in gpu-mmu mode) and `apu` (a GPU sharing host memory through the IOMMU).
 */
export function reproduceHetero(m: MachineSpec, apu: MachineSpec, o: HeteroOptions = HETERO_DEFAULTS): HeteroRepro {
  const say = o.progress ?? (() => {});
  const dev = m.devices[0];
  if (dev === undefined || dev.memory === undefined || dev.gpu === undefined) throw new Error(`${m.name}: repro hetero needs a machine whose first device is a GPU with memory of its own`);
  const probe = buildMachine(m);
  const theoretical = probe.devices[0].link.theoreticalBytesPerNs;
  const rows: HeteroRow[] = [];
  const bw = (id: string, description: string, gbs: number, peak: number): HeteroRow => ({ id, description, simulated: gbs, unit: "GB/s", theoretical: peak, fraction: gbs / peak });

  // Copy bandwidth against transfer size.
  const copies: CopyPoint[] = [];
  for (const bytes of o.copySizes) {
    say(`copy ${bytes} bytes`);
    const h = bytes / (dmaCopyPs(m, bytes, "h2d") / 1000);
    const d = bytes / (dmaCopyPs(m, bytes, "d2h") / 1000);
    copies.push({ bytes, h2dGBs: h, d2hGBs: d, h2dFraction: h / theoretical, d2hFraction: d / theoretical });
  }
  const big = copies[copies.length - 1];
  rows.push(bw("DMA_H2D_GBS", `host-to-device DMA copy of ${big.bytes / 2 ** 20} MiB`, big.h2dGBs, theoretical));
  rows.push(bw("DMA_D2H_GBS", `device-to-host DMA copy of ${big.bytes / 2 ** 20} MiB`, big.d2hGBs, theoretical));

  // Device-memory bandwidth of a streaming kernel.
  say("GPU stream");
  const stream = kernelRun(m, "stream-read", [o.streamBytes], "device");
  const hbmPeak = stat(stream, `${dev.name}.mem.peakGBs`);
  rows.push(bw("GPU_STREAM_GBS", `GPU stream-read of ${o.streamBytes / 2 ** 20} MiB from device memory`, stream.agents[0].programGBs, hbmPeak));

  // The same kernel with explicit copies, on-demand paging and zero-copy, below and above device memory.
  const small = withDeviceMemory(m, o.deviceMemBytes);
  for (const [label, bytes] of [["BELOW", o.belowBytes], ["ABOVE", o.aboveBytes]] as const) {
    for (const memory of ["explicit-copy", "on-demand", "zero-copy"] as const) {
      const id = `MEM_${memory === "explicit-copy" ? "COPY" : memory === "on-demand" ? "ONDEMAND" : "ZEROCOPY"}_${label}`;
      const what = `stream-read of ${bytes / 2 ** 20} MiB, device memory ${o.deviceMemBytes / 2 ** 20} MiB, ${memory}`;
      if (memory === "explicit-copy" && bytes > o.deviceMemBytes) {
        rows.push({ id, description: `${what}: does not fit (the copy needs the whole array on the device)`, simulated: Number.NaN, unit: "us" });
        continue;
      }
      say(id);
      const r = kernelRun(small, "stream-read", [bytes], memory);
      const a = r.agents[0];
      rows.push({
        id,
        description: what,
        simulated: a.timeNs / 1000,
        unit: "us",
        detail: {
          kernelUs: a.kernelNs / 1000,
          copyUs: a.copyNs / 1000,
          faults: stat(r, `${dev.name}.mmu.uvm.faults`),
          batches: stat(r, `${dev.name}.mmu.uvm.batches`),
          pagesMigratedIn: stat(r, `${dev.name}.mmu.uvm.pagesMigratedIn`),
          evictions: stat(r, `${dev.name}.mmu.uvm.evictions`),
          hostToDeviceLinkGBs: stat(r, `${dev.name}.link.fwd.bandwidthGBs`),
        },
      });
    }
  }

  // IOTLB-miss cost: a GPU gather over host memory on the APU, translated by the IOMMU.
  say("IOTLB miss");
  const g = kernelRun(apu, "gather", [1 << 20, 16 << 20, 1 << 20], "zero-copy");
  const apuDev = apu.devices[0].name;
  rows.push({
    id: "IOTLB_MISS_NS",
    description: `${apu.name}: IOMMU translation of an IOTLB miss (walk of the host's 4-level tables), GPU gather over 16 MiB`,
    simulated: stat(g, `${apuDev}.iommu.missLatencyMeanPs`) / 1000,
    unit: "ns",
    detail: { iotlbMisses: stat(g, `${apuDev}.iommu.iotlb.misses`), walkRefs: stat(g, `${apuDev}.iommu.walkRefs`), refsPerWalk: stat(g, `${apuDev}.iommu.refsPerWalk`) },
  });

  // Strict vs batched invalidation: a device mapping, DMAing and unmapping one buffer after another.
  for (const mode of ["strict", "batched"] as const) {
    say(`invalidation ${mode}`);
    rows.push({ id: `IOMMU_${mode.toUpperCase()}_GBS`, description: `${m.name} IOMMU: a 100 Gb/s NIC-like device mapping, DMAing 1500 B and unmapping each buffer, ${mode} invalidation`, simulated: mapUnmapGBs(apu, mode), unit: "GB/s" });
  }

  // An MMIO read's latency against a DRAM read's.
  say("MMIO");
  const mmio = threadRun(m, { core: 0, generator: "mmio-poll", device: dev.name, iterations: 50, deviceWorkNs: 1000, pollGapCycles: 200, gapCycles: 0, startNs: 0 }, [{ name: "r", size: 4096, policy: { kind: "local" }, kind: "anon" }]);
  rows.push({ id: "MMIO_READ_NS", description: "uncacheable read of a device register from core 0 (round trip over the link)", simulated: stat(mmio, "node0.core0.mmio.readLatencyPs") / 1000, unit: "ns" });
  rows.push({ id: "DRAM_READ_NS", description: "load from core 0 that misses every cache, to local DRAM (idle pointer chase)", simulated: idleLatencyMatrix(m, 1)[0][0], unit: "ns" });
  rows.push({ id: "MMIO_POLL_US", description: "doorbell + status polling per 1 us device job", simulated: mmio.threads[0].timeNs / 1000 / 50, unit: "us" });

  // Host-device ping-pong.
  say("ping-pong");
  const pp = threadRun(m, { core: 0, generator: "ping-pong", device: dev.name, region: "mailbox", iterations: 100, gapCycles: 0, startNs: 0 }, [{ name: "mailbox", size: 4096, policy: { kind: "bind", nodes: [dev.attachTo] }, kind: "anon" }]);
  rows.push({ id: "PINGPONG_RTT_NS", description: "host doorbell -> device DMA write to a host mailbox -> host sees it", simulated: pp.threads[0].timeNs / 100, unit: "ns" });

  // Coherent vs non-coherent DMA, with the driver's work.
  for (const coherent of [true, false]) {
    for (const direction of ["h2d", "d2h"] as const) {
      say(`dma ${direction} ${coherent ? "coherent" : "non-coherent"}`);
      const r = threadRun(m, { core: 0, generator: "dma-driver", device: dev.name, region: "buf", direction, coherent, prepare: true, iterations: 1, pollGapCycles: 200, gapCycles: 0, startNs: 0 }, [{ name: "buf", size: o.dmaDriverBytes, policy: { kind: "bind", nodes: [dev.attachTo] }, kind: "anon" }]);
      rows.push({
        id: `DMA_${coherent ? "COHERENT" : "NONCOHERENT"}_${direction.toUpperCase()}_US`,
        description: `${o.dmaDriverBytes / 2 ** 20} MiB ${direction} copy with the driver's work (${direction === "h2d" ? "write the buffer" : "read it after"}${coherent ? "" : ", flush every line"})`,
        simulated: r.threads[0].timeNs / 1000,
        unit: "us",
        detail: { flushes: stat(r, "node0.core0.flushes"), flushedDirty: stat(r, "node0.core0.flushedDirty"), probesSent: stat(r, `node${dev.attachTo}.nb.home.probesSent`) },
      });
    }
  }
  return { machine: m.name, apu: apu.name, linkTheoreticalGBs: theoretical, copies, rows };
}

/** Throughput of the IOMMU's map / DMA / unmap driver loop on `m`'s IOMMU settings, in GB/s. */
function mapUnmapGBs(m: MachineSpec, mode: "strict" | "batched"): number {
  const machine = buildMachine(m);
  const i = m.iommu;
  // The Linux DMA API: the driver maps each buffer at an IOVA of the device's own I/O page table.
  const iommu = new Iommu(machine.sim, machine.stats, "iommu", new SeparateView("iommu.iopt", X86_64, machine.frames, 0), {
    iotlbEntries: i.iotlb.entries,
    iotlbAssoc: i.iotlb.assoc,
    iotlbLatencyPs: i.iotlb.latency,
    walkers: i.walkers,
    invalidation: mode,
    invalCmdPs: i.invalidationCost,
    batchUnmaps: i.batch,
  });
  const buffers = 2000;
  // A receive ring of 64 buffers, reused in turn.
  const pas = Array.from({ length: 64 }, () => machine.frames.alloc(0));
  const loop = new DmaDriverLoop(machine.sim, machine.stats, "nic", iommu, { buffers, bufferBytes: 1500, bufferPas: pas });
  new Wire(loop.port, iommu.devicePort);
  // The IOMMU's walks read the host's tables through the first device's root complex.
  new Wire(iommu.memPort, machine.devices[0].rootComplex.iommuMemPort);
  loop.start();
  machine.sim.run();
  return loop.bytesPerNs;
}
