import { z } from "zod";
import { FullyAssociativeEntries, InFlight, TableEntries, Ways } from "./table-sizes.ts";
import { Bandwidth, Duration, Frequency, Size } from "./units.ts";
import { DramSpec } from "../mem/dram/dram-spec.ts";

/** Device memory: a bank-level HBM / GDDR / DRAM preset and its size. */
export const DeviceMemorySpec = z.strictObject({ kind: z.literal("dram").default("dram"), size: Size, dram: DramSpec });

/** A PCIe device link: generation, lanes and the transaction-layer limits that set its efficiency. */
export const PcieLinkSpec = z.strictObject({
  kind: z.literal("pcie"),
  /** PCIe generation 1-5 (2.5, 5, 8, 16, 32 GT/s per lane). */
  gen: z.number().int().min(1).max(5),
  lanes: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8), z.literal(16), z.literal(32)]).default(16),
  /** One-way latency: PHY, data-link layer and the root port. */
  latency: Duration.default(200_000),
  /** Largest TLP payload (MPS). */
  maxPayload: Size.default(256),
  /** Largest read request (MRRS). */
  maxReadRequest: Size.default(512),
  /** Completions for reads come back in pieces of this size (read-completion boundary). */
  readCompletion: Size.default(64),
  /** Outstanding non-posted requests (tags). */
  tags: z.number().int().positive().max(4096).default(256),
});

/** A cache-coherent socket-style link (HyperTransport, xGMI): width x clock x transfers per clock. */
export const CoherentLinkSpec = z.strictObject({
  kind: z.literal("coherent"),
  widthBits: z.number().int().positive(),
  clock: Frequency,
  transfersPerClock: z.number().int().positive().default(2),
  latency: Duration,
  /** Header bytes of each packet. */
  headerBytes: Size.default(8),
});

/** The on-die path of an APU's GPU to the memory controllers' fabric. */
export const OnDieLinkSpec = z.strictObject({
  kind: z.literal("on-die"),
  bandwidth: Bandwidth,
  latency: Duration,
});

/** How a device is joined to its host socket. */
export const DeviceLinkSpec = z.discriminatedUnion("kind", [PcieLinkSpec, CoherentLinkSpec, OnDieLinkSpec]);
export type DeviceLinkSpec = z.infer<typeof DeviceLinkSpec>;

/** A GPU cache level. */
const GpuCacheSpec = z.strictObject({
  size: Size,
  assoc: Ways,
  latencyCycles: z.number().int().nonnegative(),
  mshrs: z.number().int().positive().max(65536),
});

/** The GPU's compute units, caches and TLBs. */
export const GpuSpec = z.strictObject({
  clock: Frequency,
  computeUnits: z.number().int().positive().max(1024),
  /** Lanes of a wavefront (64 on AMD, 32 on NVIDIA). */
  lanes: z.number().int().positive().max(128).default(64),
  /** Wavefronts resident per compute unit (occupancy). */
  wavefrontSlots: z.number().int().positive().max(256).default(8),
  /** GPU cycles of ALU work between a wavefront's vector memory instructions. */
  computeCycles: z.number().int().nonnegative().default(4),
  l1: GpuCacheSpec,
  l2: GpuCacheSpec.extend({ banks: z.number().int().positive().max(256).default(16) }),
  l1Tlb: z.strictObject({ entries: FullyAssociativeEntries.min(1), latencyCycles: z.number().int().nonnegative().default(1) }),
  l2Tlb: z.strictObject({ entries: TableEntries, assoc: Ways, latencyCycles: z.number().int().nonnegative().default(20), outstanding: InFlight.default(64) }),
});
export type GpuSpec = z.infer<typeof GpuSpec>;

/** Device registers in the physical address map. */
export const MmioSpec = z.strictObject({
  size: Size.default(16 * 2 ** 20),
  /** Device-internal time to answer a register read. */
  readLatency: Duration.default(300_000),
  /** Device-internal time to apply a register write. */
  writeLatency: Duration.default(50_000),
});

/** How the device translates the virtual addresses its kernels use. */
export const DeviceTranslationSpec = z.strictObject({
  /**
   * iommu: the host process's page tables, walked by the IOMMU on the CPU die (AMD HSA);
   * gpu-mmu: the device's own page table, faults serviced by a host driver that migrates pages (NVIDIA UVM).
   */
  mode: z.enum(["iommu", "gpu-mmu"]).default("iommu"),
  /** The device's address space: the process's own, only the regions mapped for the device, or a separate one. */
  addressSpace: z.enum(["same", "subset", "separate"]).default("subset"),
  /** UVM: host cost of servicing one batch of far faults (interrupt, fault-buffer read, scheduling). */
  faultBatchCost: Duration.default(20_000_000),
  /** UVM: host cost per faulted page (page-table updates, DMA mapping) besides the copy. */
  faultPageCost: Duration.default(2_000_000),
  /** UVM: faults serviced together at most. */
  faultBatchSize: z.number().int().positive().default(256),
  /** UVM: migrate the whole aligned block around a faulted page (0: the page alone). */
  prefetchBlock: Size.optional(),
  /** GPU MMU: page walks in flight at once. */
  walkers: InFlight.default(8),
});

/** An accelerator on a device link, with optional memory of its own. */
export const DeviceSpec = z.strictObject({
  name: z.string().min(1),
  /** The socket whose root complex (I/O port) the device hangs off. */
  attachTo: z.number().int().nonnegative().default(0),
  link: DeviceLinkSpec,
  /** Device memory (HBM, GDDR) behind bank-level controllers; none: the device uses host memory. */
  memory: DeviceMemorySpec.optional(),
  mmio: MmioSpec.default({ size: 16 * 2 ** 20, readLatency: 300_000, writeLatency: 50_000 }),
  gpu: GpuSpec.optional(),
  dma: z.strictObject({ outstanding: z.number().int().positive().max(4096).default(256) }).default({ outstanding: 256 }),
  translation: DeviceTranslationSpec.default({ mode: "iommu", addressSpace: "subset", faultBatchCost: 20_000_000, faultPageCost: 2_000_000, faultBatchSize: 256, walkers: 8 }),
});
export type DeviceSpec = z.infer<typeof DeviceSpec>;

/** The IOMMU on the CPU die (one per machine): IOTLB, page-walk caches, faults and invalidation. */
export const IommuSpec = z.strictObject({
  iotlb: z.strictObject({ entries: TableEntries.default(256), assoc: Ways.default(8), latency: Duration.default(10_000) }).default({ entries: 256, assoc: 8, latency: 10_000 }),
  /** Page-walk cache entries for the level-4, level-3 and level-2 tables. */
  pwc: z.strictObject({ l4: FullyAssociativeEntries.default(4), l3: FullyAssociativeEntries.default(16), l2: FullyAssociativeEntries.default(64) }).default({ l4: 4, l3: 16, l2: 64 }),
  walkers: InFlight.default(8),
  /** Host cost of a device page fault: the page-request interrupt and the handler, besides the OS's fault. */
  faultCost: Duration.default(10_000_000),
  /** Invalidation after an unmap: at once, waited for (strict) or gathered and flushed together (batched). */
  invalidation: z.enum(["strict", "batched"]).default("strict"),
  /** Batched: unmaps gathered before a flush. */
  batch: z.number().int().positive().default(32),
  /** Cost of one invalidation command through the IOMMU's command queue. */
  invalidationCost: Duration.default(1_000_000),
});
export type IommuSpec = z.infer<typeof IommuSpec>;
