import type { AgentSpec, WorkloadSpec } from "../config/workload-spec.ts";
import { ConfigError, type ConfigProblem } from "../config/errors.ts";
import type { EventHandler } from "../kernel/event-queue.ts";
import type { Machine } from "../machine/build-machine.ts";
import type { BoundWorkload } from "../machine/bind-workload.ts";
import { Wire } from "../net/wire.ts";
import type { AddressSpace, Region } from "../vm/address-space.ts";
import { PageTable, X86_64 } from "../vm/page-table.ts";
import type { DeviceParts } from "./build-device.ts";
import { arrayRoles, KERNEL_ARRAYS, type GpuKernel } from "./gpu/gpu-kernel.ts";
import type { GpuKernelResult } from "./gpu/gpu-agent.ts";
import { Iommu } from "./iommu/iommu.ts";
import { SeparateView, SharedView, SubsetView, type DeviceView } from "./iommu/device-view.ts";
import { GpuMmu } from "./uvm/gpu-mmu.ts";

/** What one GPU-kernel agent of the workload did. */
export interface AgentRun {
  index: number;
  device: string;
  kernel: string;
  memory: string;
  /** Launches finished. */
  launches: number;
  /** Start of the first copy or launch to the end of the last copy back, in ps (-1 if unfinished). */
  startPs: number;
  endPs: number;
  /** Time in kernels, and in explicit copies, in ps. */
  kernelPs: number;
  copyPs: number;
  /** Bytes the kernels' lanes asked for, over all launches. */
  programBytes: number;
  /** The last launch's result. */
  last: GpuKernelResult | null;
}

/** The devices' translation services, once bound to the workload's process. */
export interface BoundDevices {
  iommus: (Iommu | null)[];
  mmus: (GpuMmu | null)[];
  agents: AgentRun[];
}

const PHASE_COPY_IN = 1;
const PHASE_KERNEL = 2;
const PHASE_COPY_OUT = 3;
const EV_START = 10;

/**
 * Binds each device to the workload's process: the command processor gets the process's page
 * list (pinned buffers), the IOMMU walks the process's page tables (or the GPU MMU takes the
 * regions the kernels use, as device, managed or zero-copy memory), and each GPU-kernel agent is
 * scheduled: explicit copies in, the launches, copies out. Problems are reported together.
 */
export function bindDevices(m: Machine, bound: BoundWorkload, w: WorkloadSpec, file: string): BoundDevices {
  const problems: ConfigProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ file, path, message });
  const space = bound.space;
  const out: BoundDevices = { iommus: [], mmus: [], agents: [] };
  const agents = w.agents ?? [];
  const regionByName = new Map(space.regions.map((r) => [r.name, r] as const));
  // The host initialises a kernel's inputs first. Its outputs are touched first by the GPU (a
  // page fault through the IOMMU, or a page created on the device), unless they must exist in
  // host memory beforehand: pinned (zero-copy) memory, or the target of an explicit copy back.
  agents.forEach((a) => {
    const d = m.devices.find((x) => x.handle.name === a.device);
    const gpuMmu = d?.handle.spec.translation.mode === "gpu-mmu";
    const all = gpuMmu && (a.memory === "zero-copy" || a.memory === "explicit-copy");
    const inputs = arrayRoles(a.kernel).reads;
    a.arrays.forEach((name, slot) => {
      const r = regionByName.get(name);
      if (r === undefined || a.memory === "device" && gpuMmu) return;
      if (all || inputs.includes(slot)) space.populate(r, d?.handle.attachTo ?? 0);
    });
  });
  for (const d of m.devices) {
    const node = d.handle.attachTo;
    d.control.pin({ physical: (va) => physicalOf(space, va, node) }, m.spec.pageSize);
    const t = d.handle.spec.translation;
    if (t.mode === "iommu") {
      out.iommus.push(makeIommu(m, bound, d, w));
      out.mmus.push(null);
    } else {
      out.iommus.push(null);
      out.mmus.push(makeGpuMmu(m, bound, d));
    }
  }
  agents.forEach((a, i) => {
    const k = m.devices.findIndex((d) => d.handle.name === a.device);
    if (k < 0) {
      problem(`agents[${i}].device`, m.devices.length === 0 ? `no device named "${a.device}": the machine has no devices` : `no device named "${a.device}" (devices: ${m.devices.map((d) => d.handle.name).join(", ")})`);
      return;
    }
    const d = m.devices[k];
    if (d.gpu === null) {
      problem(`agents[${i}].device`, `device "${a.device}" has no GPU to run a kernel`);
      return;
    }
    const mmu = out.mmus[k];
    if (mmu === null && (a.memory === "explicit-copy" || a.memory === "on-demand")) {
      problem(`agents[${i}].memory`, `${a.memory} needs device memory and a GPU MMU; device "${a.device}" translates through the IOMMU and uses host memory (use zero-copy)`);
      return;
    }
    if (out.agents.some((x) => x.device === a.device)) {
      problem(`agents[${i}].device`, `device "${a.device}" already runs agents[${out.agents.findIndex((x) => x.device === a.device)}] (one kernel agent per GPU)`);
      return;
    }
    const arrays = a.arrays.map((name) => regionByName.get(name) as Region);
    const elements = a.elements ?? Math.floor(Math.min(...arrays.map((r) => r.sizeBytes)) / a.elementBytes);
    const tooBig = arrays.find((r) => elements * a.elementBytes > r.sizeBytes);
    if (tooBig !== undefined) {
      problem(`agents[${i}].elements`, `${elements} elements of ${a.elementBytes} bytes do not fit in region "${tooBig.name}" (${tooBig.sizeBytes} bytes)`);
      return;
    }
    if (mmu !== null) {
      try {
        for (const r of uniq(arrays)) registerArray(mmu, space, r, a.memory);
      } catch (e) {
        problem(`agents[${i}].memory`, (e as Error).message);
        return;
      }
    }
    const run: AgentRun = { index: i, device: a.device, kernel: a.kernel, memory: a.memory, launches: 0, startPs: -1, endPs: -1, kernelPs: 0, copyPs: 0, programBytes: 0, last: null };
    out.agents.push(run);
    const names = KERNEL_ARRAYS[a.kernel];
    const kernel: GpuKernel = { kind: a.kernel, elements, elementBytes: a.elementBytes, workgroupSize: Math.min(4, d.handle.spec.gpu?.wavefrontSlots ?? 4) * (d.handle.spec.gpu?.lanes ?? 64), arrays: Object.fromEntries(names.map((n, j) => [n, arrays[j].start])) };
    if (a.kernel === "gather") kernel.tableElements = Math.floor(arrays[1].sizeBytes / a.elementBytes);
    new AgentDriver(m, space, d, a, arrays, kernel, run, mmu).start(Math.round(a.startNs * 1000));
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Physical address of a DMA buffer byte: pinning a buffer faults its pages in (get_user_pages). */
function physicalOf(space: AddressSpace, va: number, node: number): number {
  const pa = space.peek(va);
  if (pa >= 0) return pa;
  if (space.regionOf(va) === null) throw new Error(`device: virtual address 0x${va.toString(16)} of a DMA is in no region of the process`);
  return space.translate(va, node, true);
}

/** Host frames of a region's pages (-1 where not populated). */
function hostFrames(space: AddressSpace, r: Region): Float64Array {
  const pb = space.pageBytes;
  const n = Math.ceil(r.sizeBytes / pb);
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = space.peek(r.start + i * pb);
  return f;
}

function registerArray(mmu: GpuMmu, space: AddressSpace, r: Region, memory: AgentSpec["memory"]): void {
  if (mmu.regionOf(r.start) !== null) return;
  switch (memory) {
    case "device":
    case "explicit-copy":
      mmu.registerDevice(r.name, r.start, r.sizeBytes);
      return;
    case "on-demand":
      mmu.registerManaged(r.name, r.start, r.sizeBytes, hostFrames(space, r));
      return;
    case "zero-copy":
      mmu.registerZeroCopy(r.name, r.start, r.sizeBytes, hostFrames(space, r));
      return;
  }
}

/** The IOMMU serving a device, walking the process's tables (or a table of its own). */
function makeIommu(m: Machine, bound: BoundWorkload, d: DeviceParts, w: WorkloadSpec): Iommu {
  const spec = m.spec.iommu;
  const t = d.handle.spec.translation;
  const node = d.handle.attachTo;
  const space = bound.space;
  let view: DeviceView;
  if (t.addressSpace === "separate") {
    view = new SeparateView(`${d.handle.name}.iopt`, X86_64, m.frames, node);
  } else {
    // The process's own tables when the cores keep them; else a table written now for every mapped page.
    const table = bound.paging?.table ?? processTable(m, space, node);
    view = t.addressSpace === "same" ? new SharedView(space, bound.paging ?? table, node) : new SubsetView(space, bound.paging ?? table, node);
  }
  const iommu = new Iommu(
    m.sim,
    m.stats,
    `${d.handle.name}.iommu`,
    view,
    {
      iotlbEntries: spec.iotlb.entries,
      iotlbAssoc: spec.iotlb.assoc,
      iotlbLatencyPs: spec.iotlb.latency,
      pwcEntries: Math.max(spec.pwc.l4, spec.pwc.l3, spec.pwc.l2),
      walkers: spec.walkers,
      faultHandlerPs: spec.faultCost,
      osFaultPs: m.coreClock.cyclesToTicks(m.spec.os.pageFaultCycles),
      invalidation: spec.invalidation,
      invalCmdPs: spec.invalidationCost,
      batchUnmaps: spec.batch,
      lineBytes: m.spec.lineSize,
    },
    m.pool,
  );
  new Wire(iommu.devicePort, d.rootComplex.iommuDevPort);
  new Wire(iommu.memPort, d.rootComplex.iommuMemPort);
  // The OS maps for the device the regions the workload marks for it (subset), or the driver
  // maps them into the device's own space (separate).
  for (const r of w.regions) {
    if (r.device !== true && t.addressSpace !== "same") continue;
    const region = space.regions.find((x) => x.name === r.name);
    if (region === undefined || t.addressSpace === "same") continue;
    if (t.addressSpace === "separate") {
      space.populate(region, node);
      for (let off = 0; off < region.sizeBytes; off += m.spec.pageSize) iommu.map(region.start + off, m.spec.pageSize, space.peek(region.start + off));
    } else iommu.map(region.start, region.sizeBytes);
  }
  return iommu;
}

/** A page table in simulated memory holding every page the process has mapped so far. */
function processTable(m: Machine, space: AddressSpace, node: number): PageTable {
  const table = new PageTable("process.iopt", X86_64, m.frames, "local", node);
  const pb = space.pageBytes;
  for (const r of space.regions) {
    for (let off = 0; off < r.sizeBytes; off += pb) if (space.peek(r.start + off) >= 0) table.map(r.start + off, Math.log2(pb), node);
  }
  return table;
}

/** The GPU MMU of a device with memory, its UVM driver copying through the device's DMA engine. */
function makeGpuMmu(m: Machine, bound: BoundWorkload, d: DeviceParts): GpuMmu {
  const t = d.handle.spec.translation;
  const mmu = new GpuMmu(
    m.sim,
    m.stats,
    `${d.handle.name}.mmu`,
    {
      deviceFrames: m.frames,
      deviceNode: d.handle.memoryNode,
      copier: d.dma,
      hostTable: bound.paging?.table ?? null,
      hostFrames: m.frames,
      hostNode: d.handle.attachTo,
      // The process's mapping follows a migrated page: a host core's access then crosses the link.
      moved: (va, pa, toDevice) => {
        const r = bound.space.regionOf(va);
        if (r === null) return;
        bound.space.rehome(r, Math.floor((va - r.start) / bound.space.pageBytes), pa, toDevice ? d.handle.memoryNode : m.homeMap.nodeOf(pa));
      },
    },
    { lineBytes: m.spec.lineSize, walkers: t.walkers },
    { batchPs: t.faultBatchCost, perFaultPs: t.faultPageCost, maxBatchFaults: t.faultBatchSize, prefetchBlockBytes: t.prefetchBlock ?? 0 },
    m.pool,
  );
  new Wire(mmu.devicePort, d.router.translationPort);
  new Wire(mmu.memPort, d.router.addAgentPort("mmu"));
  return mmu;
}

/**
 * Runs one agent: (explicit copies) the input arrays by DMA into device memory, then `repeat`
 * launches of the kernel one after another, then (explicit copies) the output arrays back.
 */
class AgentDriver implements EventHandler {
  readonly name: string;
  private readonly m: Machine;
  private readonly space: AddressSpace;
  private readonly d: DeviceParts;
  private readonly a: AgentSpec;
  private readonly arrays: Region[];
  private readonly kernel: GpuKernel;
  private readonly run: AgentRun;
  private readonly mmu: GpuMmu | null;
  private copiesLeft: number;
  private phaseStart: number;

  constructor(m: Machine, space: AddressSpace, d: DeviceParts, a: AgentSpec, arrays: Region[], kernel: GpuKernel, run: AgentRun, mmu: GpuMmu | null) {
    this.name = `${d.handle.name}.agent${run.index}`;
    this.m = m;
    this.space = space;
    this.d = d;
    this.a = a;
    this.arrays = arrays;
    this.kernel = kernel;
    this.run = run;
    this.mmu = mmu;
    this.copiesLeft = 0;
    this.phaseStart = 0;
  }

  start(atPs: number): void {
    this.m.sim.scheduleAt(this, atPs, EV_START, null);
  }

  handleEvent(kind: number, payload: unknown): void {
    const now = this.m.sim.now;
    switch (kind) {
      case EV_START:
        this.run.startPs = now;
        if (this.a.memory === "explicit-copy") this.copy(true);
        else this.launch();
        return;
      case PHASE_COPY_IN:
        if (--this.copiesLeft > 0) return;
        this.run.copyPs += now - this.phaseStart;
        this.launch();
        return;
      case PHASE_KERNEL: {
        const r = payload as GpuKernelResult;
        this.run.launches++;
        this.run.kernelPs += r.timePs;
        this.run.programBytes += r.programBytes;
        this.run.last = r;
        if (this.run.launches < this.a.repeat) this.launch();
        else if (this.a.memory === "explicit-copy") this.copy(false);
        else this.run.endPs = now;
        return;
      }
      case PHASE_COPY_OUT:
        if (--this.copiesLeft > 0) return;
        this.run.copyPs += now - this.phaseStart;
        this.run.endPs = now;
        return;
    }
  }

  private launch(): void {
    (this.d.gpu as NonNullable<DeviceParts["gpu"]>).launch(this.kernel, this, PHASE_KERNEL);
  }

  /** Copies the kernel's inputs in (or outputs out) page run by page run. */
  private copy(into: boolean): void {
    const mmu = this.mmu as GpuMmu;
    const space = this.space;
    const roles = arrayRoles(this.a.kernel);
    const which = into ? roles.reads : roles.writes;
    const pb = this.m.spec.pageSize;
    const elementsBytes = this.kernel.elements * (this.kernel.elementBytes ?? 4);
    this.phaseStart = this.m.sim.now;
    let n = 0;
    const ranges: [number, number, number][] = [];
    for (const j of which) {
      const r = this.arrays[j];
      const region = mmu.regionOf(r.start);
      if (region === null) continue;
      const bytes = j === 1 && this.a.kernel === "gather" ? r.sizeBytes : Math.min(r.sizeBytes, elementsBytes);
      for (let off = 0; off < bytes; off += pb) {
        const host = space.peek(r.start + off);
        const dev = region.devPa[Math.floor(off / region.pageBytes)] + (off % region.pageBytes);
        const len = Math.min(pb, bytes - off);
        const last = ranges[ranges.length - 1];
        const src = into ? host : dev;
        const dst = into ? dev : host;
        if (last !== undefined && last[0] + last[2] === src && last[1] + last[2] === dst) last[2] += len;
        else ranges.push([src, dst, len]);
      }
    }
    for (const [src, dst, len] of ranges) {
      this.d.dma.submit({ src, dst, bytes: len, snoop: true }, this, into ? PHASE_COPY_IN : PHASE_COPY_OUT, null);
      n++;
    }
    this.copiesLeft = n;
    if (n === 0) this.handleEvent(into ? PHASE_COPY_IN : PHASE_COPY_OUT, null);
  }
}
