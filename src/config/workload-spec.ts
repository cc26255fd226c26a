import { z } from "zod";
import { Size } from "./units.ts";
import { KERNEL_ARRAYS } from "../accel/gpu/gpu-kernel.ts";

const NodeList = z.array(z.number().int().nonnegative()).min(1);

/** Placement policy of a region, as written in a workload file. */
export const PolicySpec = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("local") }),
  z.strictObject({ kind: z.literal("interleave"), nodes: NodeList.optional() }),
  z.strictObject({ kind: z.literal("interleave-line") }),
  z.strictObject({ kind: z.literal("bind"), nodes: NodeList }),
  z.strictObject({ kind: z.literal("preferred"), node: z.number().int().nonnegative() }),
]);
export type PolicySpec = z.infer<typeof PolicySpec>;

/** A memory region of the process. */
export const RegionSpec = z.strictObject({
  name: z.string().min(1),
  size: Size,
  policy: z.union([z.enum(["local", "interleave", "interleave-line"]).transform((k) => ({ kind: k }) as PolicySpec), PolicySpec]).default({ kind: "local" }),
  kind: z.union([z.enum(["anon", "heap", "stack"]), z.string().regex(/^file=.+/, 'expected anon, heap, stack or "file=<path>"')]).default("anon"),
  /** Place every page when the region is mapped (MAP_POPULATE), from the first thread using it. */
  populate: z.boolean().optional(),
  /** Page size: 4KiB, 2MiB or 1GiB (huge pages need contiguous frames or the boot-time pool). */
  pageSize: Size.optional(),
  /** Mapped for the devices too (through the IOMMU or the GPU's page table); others are refused to them. */
  device: z.boolean().optional(),
});
export type RegionSpec = z.infer<typeof RegionSpec>;

/** Where a thread runs: a global core index, or a node and a core on it. */
export const PinSpec = z.union([z.number().int().nonnegative(), z.strictObject({ node: z.number().int().nonnegative(), core: z.number().int().nonnegative() })]);

const common = {
  /** Core the thread is pinned to. */
  core: PinSpec,
  /** Core cycles of other work per element / access. */
  gapCycles: z.number().int().nonnegative().default(0),
  /** Tick at which the thread starts, in ns. */
  startNs: z.number().nonnegative().default(0),
  /**
   * The thread's code (with timed translation): instruction bytes fetched per memory access, in
   * order through the region, with a jump to a random place every `jumpEvery` accesses (0: never).
   * Each new code page goes through the L1 ITLB.
   */
  code: z
    .strictObject({
      region: z.string(),
      bytesPerAccess: z.number().int().positive().max(4096).default(16),
      jumpEvery: z.number().int().nonnegative().default(0),
    })
    .optional(),
};

/** One thread and the generator it runs. */
export const ThreadSpec = z.discriminatedUnion("generator", [
  z.strictObject({
    ...common,
    generator: z.literal("pointer-chase"),
    region: z.string(),
    workingSet: Size.optional(),
    stride: Size.default(64),
    accesses: z.number().int().positive(),
    order: z.enum(["random", "sequential"]).default("random"),
  }),
  z.strictObject({
    ...common,
    generator: z.enum(["stream-read", "stream-write"]),
    region: z.string(),
    workingSet: Size.optional(),
    elementBytes: z.number().int().positive().default(8),
    passes: z.number().int().positive().default(1),
    /** Each access waits for the one this many before it (0: independent). */
    dependsOn: z.number().int().nonnegative().optional(),
    /** munmap the working set after each pass (its pages fault in again on the next). */
    unmapEachPass: z.boolean().optional(),
  }),
  z.strictObject({
    ...common,
    generator: z.literal("stream-copy"),
    src: z.string(),
    dst: z.string(),
    workingSet: Size.optional(),
    elementBytes: z.number().int().positive().default(8),
    passes: z.number().int().positive().default(1),
  }),
  z.strictObject({
    ...common,
    generator: z.literal("triad"),
    a: z.string(),
    b: z.string(),
    c: z.string(),
    /** This thread's share: chunk index and number of chunks (default: the whole array). */
    chunk: z.number().int().nonnegative().default(0),
    chunks: z.number().int().positive().default(1),
    elementBytes: z.number().int().positive().default(8),
    passes: z.number().int().positive().default(1),
  }),
  z.strictObject({
    ...common,
    generator: z.literal("gups"),
    region: z.string(),
    updates: z.number().int().positive(),
    /** Zipf exponent over the table's pages (0: uniform). */
    zipfTheta: z.number().nonnegative().optional(),
    /** Write the whole table once, in order, before the updates. */
    init: z.boolean().optional(),
  }),
  z.strictObject({
    ...common,
    generator: z.literal("dma-driver"),
    /** The device (by name) whose DMA engine copies. */
    device: z.string(),
    /** The host buffer. */
    region: z.string(),
    /** Bytes per copy (default: the whole region). */
    bytes: Size.optional(),
    /** h2d: the device reads the buffer into its memory; d2h: it writes the buffer from its memory. */
    direction: z.enum(["h2d", "d2h"]).default("h2d"),
    /** Coherent DMA snoops the caches; non-coherent DMA makes the driver flush (h2d) or invalidate (d2h) the buffer's lines. */
    coherent: z.boolean().default(true),
    /** The thread writes the buffer before each h2d copy (so caches hold dirty lines). */
    prepare: z.boolean().default(true),
    iterations: z.number().int().positive().default(1),
    /** Core cycles between polls of the device's status register. */
    pollGapCycles: z.number().int().nonnegative().default(200),
  }),
  z.strictObject({
    ...common,
    generator: z.literal("mmio-poll"),
    device: z.string(),
    /** Doorbells rung; after each, the status register is polled until the device's work is done. */
    iterations: z.number().int().positive().default(100),
    /** Device time per doorbell before it sets its status. */
    deviceWorkNs: z.number().nonnegative().default(1000),
    pollGapCycles: z.number().int().nonnegative().default(200),
  }),
  z.strictObject({
    ...common,
    generator: z.literal("ping-pong"),
    device: z.string(),
    /** The host mailbox the device writes its answer into (a line of it). */
    region: z.string(),
    iterations: z.number().int().positive().default(100),
  }),
]);
export type ThreadSpec = z.infer<typeof ThreadSpec>;

/** Work a device does on its own: a GPU kernel over host regions. */
export const AgentSpec = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("gpu-kernel"),
    device: z.string(),
    kernel: z.enum(["vector-add", "saxpy", "gather", "stream-read", "stream-copy"]),
    /** Elements per array (default: the smallest array's region, at elementBytes each). */
    elements: z.number().int().positive().optional(),
    elementBytes: z.number().int().positive().default(4),
    /** Regions of the kernel's arrays, in order: vector-add a, b, c; saxpy x, y; gather idx, table, out; stream-read a; stream-copy src, dst. */
    arrays: z.array(z.string()).min(1),
    /**
     * How the arrays reach the GPU: device (already in device memory), explicit-copy (DMA to
     * device memory first, results back after), on-demand (unified memory: pages migrate on
     * the GPU's faults), zero-copy (the GPU reads host memory across the link).
     */
    memory: z.enum(["device", "explicit-copy", "on-demand", "zero-copy"]).default("device"),
    /** Times the kernel is launched, one after another. */
    repeat: z.number().int().positive().default(1),
    startNs: z.number().nonnegative().default(0),
  }),
]);
export type AgentSpec = z.infer<typeof AgentSpec>;

/** Run the workload in a virtual machine: how guest addresses reach host memory. */
export const GuestSpec = z.strictObject({
  /** nested: hardware walks guest and host tables (EPT/NPT); shadow: the VMM keeps a merged table. */
  paging: z.enum(["nested", "shadow"]),
  /** Page size the host maps guest memory with. */
  hostPageSize: Size.default(4096),
  /** Tag TLB entries with a VM identifier, so entering and leaving the VMM needs no flush. */
  vpid: z.boolean().default(true),
  /**
   * kvm: the Linux host is the VMM and backs guest memory on demand (an EPT violation per first
   * touch); xen: a separate hypervisor gives the domain its memory when it is built (fact 12).
   */
  hypervisor: z.enum(["kvm", "xen"]).optional(),
});
export type GuestSpec = z.infer<typeof GuestSpec>;

/** A whole workload file. */
export const WorkloadSpec = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().default(""),
    regions: z.array(RegionSpec).min(1),
    threads: z.array(ThreadSpec).default([]),
    /** Device work (GPU kernels). */
    agents: z.array(AgentSpec).optional(),
    /** Run in a guest (default: natively). */
    guest: GuestSpec.optional(),
    /** Address-space layout randomisation: regions at random, widely spread bases. */
    aslr: z.boolean().optional(),
  })
  .superRefine((w, ctx) => {
    const names = new Map<string, number>();
    w.regions.forEach((r, i) => {
      if (r.pageSize !== undefined && ![4096, 2 ** 21, 2 ** 22, 2 ** 30].includes(r.pageSize)) ctx.addIssue({ code: "custom", path: ["regions", i, "pageSize"], message: `expected 4KiB, 2MiB, 4MiB or 1GiB, got ${r.pageSize} bytes` });
      if (names.has(r.name)) ctx.addIssue({ code: "custom", path: ["regions", i, "name"], message: `region "${r.name}" is declared twice` });
      names.set(r.name, i);
    });
    w.threads.forEach((t, i) => {
      if (t.code !== undefined && !names.has(t.code.region)) ctx.addIssue({ code: "custom", path: ["threads", i, "code", "region"], message: `no region named "${t.code.region}" (regions: ${[...names.keys()].join(", ")})` });
      for (const key of ["region", "src", "dst", "a", "b", "c"] as const) {
        const v = (t as Record<string, unknown>)[key];
        if (typeof v === "string" && !names.has(v)) {
          ctx.addIssue({ code: "custom", path: ["threads", i, key], message: `no region named "${v}" (regions: ${[...names.keys()].join(", ")})` });
        }
      }
      if (t.generator === "triad" && t.chunk >= t.chunks) ctx.addIssue({ code: "custom", path: ["threads", i, "chunk"], message: `chunk ${t.chunk} is not below chunks (${t.chunks})` });
    });
    (w.agents ?? []).forEach((a, i) => {
      a.arrays.forEach((r, k) => {
        if (!names.has(r)) ctx.addIssue({ code: "custom", path: ["agents", i, "arrays", k], message: `no region named "${r}" (regions: ${[...names.keys()].join(", ")})` });
      });
      const need = KERNEL_ARRAYS[a.kernel].length;
      if (a.arrays.length !== need) ctx.addIssue({ code: "custom", path: ["agents", i, "arrays"], message: `${a.kernel} takes ${need} arrays, got ${a.arrays.length}` });
    });
    if (w.threads.length === 0 && (w.agents ?? []).length === 0) ctx.addIssue({ code: "custom", path: ["threads"], message: "expected at least one thread or agent" });
  });
export type WorkloadSpec = z.infer<typeof WorkloadSpec>;
