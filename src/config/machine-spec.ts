import { z } from "zod";
import { FullyAssociativeEntries, InFlight, MAX_TABLE_ENTRIES, MAX_TAG, MAX_WAYS, TableEntries, Ways } from "./table-sizes.ts";
import { DramSpec } from "../mem/dram/dram-spec.ts";
import { DeviceSpec, IommuSpec } from "./device-spec.ts";
import { Bandwidth, Duration, Frequency, NonNegativeSize as NonNegativeSizeField, Size } from "./units.ts";
import { fixedRouteProblems, type FixedRoutes } from "../net/fixed-routes.ts";
import { topologyOf } from "../net/topology-of.ts";

/** A cache level: size, ways and hit latency in core cycles. */
export const CacheSpec = z.strictObject({
  size: Size,
  assoc: Ways,
  latencyCycles: z.number().int().nonnegative(),
});
export type CacheSpec = z.infer<typeof CacheSpec>;

/** One TLB array: entries, ways (equal to entries: fully associative) and the page sizes it holds. */
export const TlbArraySpec = z
  .strictObject({
    entries: TableEntries,
    /** Ways per set (default: fully associative). */
    assoc: Ways.optional(),
    pageSizes: z.array(Size).min(1).default([4096]),
  })
  .superRefine((a, ctx) => {
    if (a.assoc === undefined && a.entries > MAX_WAYS && a.entries <= MAX_TABLE_ENTRIES) {
      ctx.addIssue({ code: "custom", path: ["entries"], message: `${a.entries} entries fully associative: at most ${MAX_WAYS} (give assoc for a larger array)` });
    }
  });
export type TlbArraySpec = z.infer<typeof TlbArraySpec>;

/** One TLB level: arrays looked up in parallel, and the lookup latency in core cycles. */
export const TlbLevelSpec = z.strictObject({
  latencyCycles: z.number().int().nonnegative().default(0),
  arrays: z.array(TlbArraySpec).min(1),
});
export type TlbLevelSpec = z.infer<typeof TlbLevelSpec>;

const TLB_DEFAULT = {
  enabled: false,
  l1: { latencyCycles: 0, arrays: [{ entries: 64, assoc: 4, pageSizes: [4096] }] },
  l2: { latencyCycles: 7, arrays: [{ entries: 512, assoc: 4, pageSizes: [4096] }] },
  pwc: { l4: 0, l3: 0, l2: 0 },
  nestedTlb: 0,
  walkers: 1,
  inFlight: 4,
  asidBits: 0,
};

/**
 * Address translation timing: an L1 DTLB, a unified L2 TLB, page-walk caches and the page
 * walkers. Off by default: then translation takes no time (the OS model still places pages).
 */
export const TlbSpec = z.strictObject({
  enabled: z.boolean().default(false),
  l1: TlbLevelSpec.default(TLB_DEFAULT.l1),
  l2: TlbLevelSpec.default(TLB_DEFAULT.l2),
  /** L1 instruction TLB, looked up by instruction fetch (threads with a `code` region); none: fetches use the L1 DTLB's shape. */
  itlb: TlbLevelSpec.optional(),
  /** Paging-structure (page-walk) caches: entries holding level-4, level-3 and level-2 entries (0: none). */
  pwc: z.strictObject({ l4: FullyAssociativeEntries.default(0), l3: FullyAssociativeEntries.default(0), l2: FullyAssociativeEntries.default(0) }).default(TLB_DEFAULT.pwc),
  /** Entries of the nested TLB (guest-physical to host-physical; 0: none), fully associative. */
  nestedTlb: FullyAssociativeEntries.default(0),
  /** Page walks a core runs at once. */
  walkers: InFlight.default(1),
  /** L2-TLB hits a core has in flight at once (besides the walks). */
  inFlight: InFlight.default(4),
  /** Width of the address-space tag (PCID / ASID / VPID) in bits; 0: a switch flushes the TLBs. */
  asidBits: z.number().int().min(0).max(16).default(0),
});
export type TlbSpec = z.infer<typeof TlbSpec>;

/** A core and its private caches. */
export const CoreSpec = z.strictObject({
  clock: Frequency,
  l1d: CacheSpec,
  l2: CacheSpec.extend({
    /**
     * Exclusive of the L1d, as on AMD's K8 and later: fills go to the L1d only, every L1d victim
     * (clean or dirty) moves into the L2, and an L2 hit moves the line up; a line is in one of the
     * two, so together they hold their sum. Default: inclusive (fills go to both).
     */
    exclusive: z.boolean().default(false),
  }),
  /** Outstanding line misses. */
  mshrs: z.number().int().positive().max(4096).default(8),
  /** Loads in flight behind the oldest incomplete one. */
  loadWindow: z.number().int().positive().max(4096).default(32),
  storeBuffer: z.number().int().positive().max(4096).default(16),
  /** Core to northbridge, each way: request queue and crossbar (the L1/L2 lookups are added). */
  requestLatency: Duration,
  /** Bandwidth of the core's path to its northbridge, in bytes per core cycle. */
  requestBytesPerCycle: z.number().positive().default(16),
  /** Address translation timing (off by default). */
  tlb: TlbSpec.default(TLB_DEFAULT),
  /**
   * Hardware next-line prefetch: lines fetched after each load that misses L2 (0: none). It never
   * crosses into a page without a TLB entry (Drepper §4), nor, with untimed translation,
   * into another page at all.
   */
  prefetchLines: z.number().int().min(0).max(16).default(0),
});
export type CoreSpec = z.infer<typeof CoreSpec>;

/** The latency-and-bandwidth memory controller of a node. */
export const SimpleMemorySpec = z.strictObject({
  kind: z.literal("simple"),
  size: Size,
  latency: Duration,
  /** Peak channel bandwidth ("6.4GB/s"). */
  bandwidth: Bandwidth,
  /** Fraction of the peak a stream sustains. */
  efficiency: z.number().gt(0).lte(1).default(1),
  queue: z.number().int().positive().default(32),
  /** Writes buffered while reads go first. */
  writeBuffer: z.number().int().positive().default(16),
  /** Once the write buffer is full, writes drain ahead of reads down to this many (default: a quarter of the buffer). */
  writeLowWatermark: z.number().int().nonnegative().optional(),
  /** Channel idle time between a write and a following read (DDR tWTR and bus turnaround). */
  writeToRead: Duration.default(0),
}).superRefine((m, ctx) => {
  if (m.writeLowWatermark !== undefined && m.writeLowWatermark >= m.writeBuffer) {
    ctx.addIssue({ code: "custom", path: ["writeLowWatermark"], message: `${m.writeLowWatermark} writes: the low watermark must be below the write buffer's ${m.writeBuffer}` });
  }
});
export type SimpleMemorySpec = z.infer<typeof SimpleMemorySpec>;

/** A bank-level DRAM / HBM / NVM memory: a preset and any timing or organisation overrides. */
export const DramMemorySpec = z.strictObject({
  kind: z.literal("dram"),
  size: Size,
  dram: DramSpec,
});
export type DramMemorySpec = z.infer<typeof DramMemorySpec>;

/** A node's memory: the latency-and-bandwidth controller, or a bank-level one. */
export const MemorySpec = z.discriminatedUnion("kind", [SimpleMemorySpec, DramMemorySpec]);
export type MemorySpec = z.infer<typeof MemorySpec>;

/** The per-node uncore: probe engine and request queue. */
export const NorthbridgeSpec = z.strictObject({
  probeLatency: Duration,
  requestQueue: z.number().int().positive().max(65536).default(64),
});

/** A shared last-level cache per socket. */
export const L3Spec = z.strictObject({
  size: Size,
  assoc: Ways,
  latencyCycles: z.number().int().nonnegative(),
});

/** What every socket has (all sockets alike). */
export const NodeSpec = z.strictObject({
  cores: z.number().int().positive().max(256),
  core: CoreSpec,
  l3: L3Spec.optional(),
  memory: MemorySpec,
  northbridge: NorthbridgeSpec,
});
export type NodeSpec = z.infer<typeof NodeSpec>;

/** A point-to-point link's physical parameters: bandwidth follows from width and clock. */
export const LinkSpec = z.strictObject({
  /** Lanes in bits per direction. */
  widthBits: z.number().int().positive(),
  clock: Frequency,
  /** Transfers per clock (2 for double data rate). */
  transfersPerClock: z.number().int().positive().default(2),
  /** Per hop: flight time plus the receiving node's crossbar. */
  latency: Duration,
  /** Packets a direction may hold before the sender must wait (flow-control buffers). */
  credits: z.number().int().positive().default(16),
  /** Whether a router forwards a packet as its header arrives (cut-through) or once whole. */
  switching: z.enum(["store-and-forward", "cut-through"]).default("cut-through"),
  /** Bytes a router needs before it can forward a packet (cut-through). */
  headerBytes: Size.default(8),
  /** Command packets up to this size may be inserted into a data packet in flight (0: never). */
  controlInsert: NonNegativeSizeField.default(8),
});
export type LinkSpec = z.infer<typeof LinkSpec>;

const NodeId = z.number().int().nonnegative();

/**
 * Routing tables set by the firmware (src/net/fixed-routes.ts): next nodes for requests and for
 * responses, and the tree each node's broadcasts travel. Without them routes are shortest paths
 * (lowest node id first) and a broadcast is a probe to each node.
 */
const RoutesSpec = z.strictObject({
  request: z.array(z.array(NodeId)).optional(),
  response: z.array(z.array(NodeId)).optional(),
  broadcast: z.array(z.array(z.tuple([NodeId, NodeId]))).optional(),
});

/** How sockets are joined. */
export const TopologySpec = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("square4"), ioHubs: z.array(z.number().int().nonnegative()).default([]), routes: RoutesSpec.nullish() }),
  z.strictObject({ kind: z.literal("hypercube"), dim: z.number().int().min(0).max(10), ioHubs: z.array(z.number().int().nonnegative()).default([]), routes: RoutesSpec.nullish() }),
  z.strictObject({ kind: z.literal("ring"), nodes: z.number().int().min(3), ioHubs: z.array(z.number().int().nonnegative()).default([]), routes: RoutesSpec.nullish() }),
  z.strictObject({ kind: z.literal("ladder"), nodes: z.number().int().min(4), ioHubs: z.array(z.number().int().nonnegative()).default([]), routes: RoutesSpec.nullish() }),
  z.strictObject({ kind: z.literal("twisted-ladder"), nodes: z.number().int().min(4), ioHubs: z.array(z.number().int().nonnegative()).default([]), routes: RoutesSpec.nullish() }),
  z.strictObject({ kind: z.literal("mesh"), rows: z.number().int().positive(), cols: z.number().int().positive(), ioHubs: z.array(z.number().int().nonnegative()).default([]), routes: RoutesSpec.nullish() }),
  z.strictObject({ kind: z.literal("crossbar"), nodes: z.number().int().min(2), switchLatency: Duration, ioHubs: z.array(z.number().int().nonnegative()).default([]), routes: RoutesSpec.nullish() }),
  z.strictObject({ kind: z.literal("edges"), nodes: z.number().int().min(1), edges: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])), ioHubs: z.array(z.number().int().nonnegative()).default([]), routes: RoutesSpec.nullish() }),
]);
export type TopologySpec = z.infer<typeof TopologySpec>;

/** Largest packet header or command a machine file may give (far above any real one). */
const MAX_PACKET_BYTES = 4096;

/** Bytes of each packet kind on the links. */
export const PacketSpec = z.strictObject({
  request: Size.default(8),
  probe: Size.default(8),
  probeResponse: Size.default(4),
  dataHeader: Size.default(4),
  done: Size.default(4),
});

/** A NUMA node with memory and no cores (HBM in flat mode, NVM exposed as a node). */
export const MemoryNodeSpec = z.strictObject({
  /** The socket whose home agent serves this memory. */
  attachTo: z.number().int().nonnegative(),
  memory: MemorySpec,
});
export type MemoryNodeSpec = z.infer<typeof MemoryNodeSpec>;

/** The OS's memory-tiering daemon (hot pages to the fast tier, cold ones to the slow tier). */
export const TieringSpec = z.strictObject({
  enabled: z.boolean().default(false),
  /** How often the daemon looks at the access samples. */
  epoch: Duration.default(100_000_000),
  /** Sampled accesses per epoch that make a page hot. */
  hotThreshold: z.number().int().positive().default(4),
  /** Pages promoted per epoch at most. */
  maxPagesPerEpoch: z.number().int().positive().default(64),
  /** Fast-tier memory nodes (default: the sockets' own memory). */
  fastNodes: z.array(z.number().int().nonnegative()).optional(),
  /** Slow-tier memory nodes (default: the memory-only nodes). */
  slowNodes: z.array(z.number().int().nonnegative()).optional(),
  /** Cost of the TLB shootdown after each move, charged to every core running the process. */
  shootdown: Duration.default(2_000_000),
  /** Count one access in this many (access sampling). */
  sampleEvery: z.number().int().positive().default(16),
  /** Epochs a page stays where it was just moved. */
  cooldownEpochs: z.number().int().nonnegative().default(8),
});

/** How the OS keeps page tables (used when the cores time address translation). */
export const PageTableSpec = z.strictObject({
  /**
   * x86-64 (4 levels of 512 entries), x86-64 with 5-level paging (LA57: 5 levels, 57-bit addresses),
   * or 32-bit x86 with 4 MiB pages (one 1024-entry directory).
   */
  layout: z.enum(["x86-64", "x86-64-5level", "x86-4M"]).default("x86-64"),
  /** Where a new table page goes: the faulting thread's node, round robin, or one node. */
  placement: z.union([z.enum(["local", "interleave"]), z.number().int().nonnegative()]).default("local"),
  /** Keep a copy of the process's tables on every node, so walks stay local (Mitosis). */
  replicate: z.boolean().default(false),
});

const TIERING_DEFAULT = { enabled: false, epoch: 100_000_000, hotThreshold: 4, maxPagesPerEpoch: 64, shootdown: 2_000_000, sampleEvery: 16, cooldownEpochs: 8 };
const OS_DEFAULT = { tiering: TIERING_DEFAULT, pageTables: { layout: "x86-64" as const, placement: "local" as const, replicate: false }, hugePages2M: 0, vmExitCycles: 1350, pageFaultCycles: 0, timeslice: 0, contextSwitchCycles: 0, tlbShootdown: 2_000_000, syscallEvery: 0, syscallCycles: 0, kernelPageTables: "shared" as const };

/** Operating-system settings. */
export const OsSpec = z.strictObject({
  tiering: TieringSpec.default(TIERING_DEFAULT),
  pageTables: PageTableSpec.default(OS_DEFAULT.pageTables),
  /** 2 MiB pages reserved per node at boot (the hugetlbfs pool). */
  hugePages2M: z.number().int().nonnegative().default(0),
  /** Cost of a VM exit and re-entry, in core cycles (KVM on AMD SVM: ~1,350, measured). */
  vmExitCycles: z.number().int().nonnegative().default(1350),
  /** Kernel time per demand-paging fault, in core cycles (charged when translation is timed). */
  pageFaultCycles: z.number().int().nonnegative().default(0),
  /** Scheduler time slice: a timed-translation thread is switched out and in after each (0: never). */
  timeslice: Duration.default(0),
  /** Cost of switching out and back in, in core cycles. */
  contextSwitchCycles: z.number().int().nonnegative().default(0),
  /** A TLB shootdown after munmap: each other core's interrupt, and the initiator's wait (as the tiering shootdown). */
  tlbShootdown: Duration.default(2_000_000),
  /** A timed-translation thread enters the kernel (a system call) this often (0: never). */
  syscallEvery: Duration.default(0),
  /** Kernel time per system call, in core cycles. */
  syscallCycles: z.number().int().nonnegative().default(0),
  /**
   * Whether the kernel shares the process's page-table tree (one tree, as classic Linux) or has
   * its own (as with kernel page-table isolation): then each entry and exit switches trees, which
   * flushes the TLBs unless they carry address-space tags.
   */
  kernelPageTables: z.enum(["shared", "separate"]).default("shared"),
});

/** A whole machine file. */
export const MachineSpec = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().default(""),
    lineSize: Size.default(64),
    pageSize: Size.default(4096),
    topology: TopologySpec,
    link: LinkSpec,
    node: NodeSpec,
    /** Memory-only NUMA nodes, numbered after the sockets. */
    memoryNodes: z.array(MemoryNodeSpec).default([]),
    /** Accelerators on device links; a device's memory is a NUMA node numbered after the memory-only nodes. */
    devices: z.array(DeviceSpec).default([]),
    /** The IOMMU on the CPU die that translates for devices in iommu mode. */
    iommu: IommuSpec.default(IommuSpec.parse({})),
    os: OsSpec.default(OS_DEFAULT),
    coherence: z.enum(["broadcast", "directory"]).default("broadcast"),
    directoryLatency: Duration.default(0),
    packets: PacketSpec.default({ request: 8, probe: 8, probeResponse: 4, dataHeader: 4, done: 4 }),
    /** Node distances as the firmware (ACPI SLIT) declares them; default 10 local, 20 remote. */
    distances: z.array(z.array(z.number().int().positive())).optional(),
  })
  .superRefine((m, ctx) => {
    const n = socketsOf(m.topology);
    if (m.distances !== undefined) {
      if (m.distances.length !== n) ctx.addIssue({ code: "custom", path: ["distances"], message: `expected ${n} rows (one per node), got ${m.distances.length}` });
      m.distances.forEach((row, i) => {
        if (row.length !== n) ctx.addIssue({ code: "custom", path: ["distances", i], message: `expected ${n} columns, got ${row.length}` });
      });
    }
    m.topology.ioHubs.forEach((h, i) => {
      if (h >= n) ctx.addIssue({ code: "custom", path: ["topology", "ioHubs", i], message: `node ${h} does not exist (the machine has nodes 0-${n - 1})` });
    });
    if (m.topology.kind === "edges") {
      m.topology.edges.forEach(([a, b], i) => {
        for (const [end, v] of [[0, a], [1, b]] as const) {
          if (v >= n) ctx.addIssue({ code: "custom", path: ["topology", "edges", i, end], message: `node ${v} does not exist (the machine has nodes 0-${n - 1})` });
        }
        if (a === b) ctx.addIssue({ code: "custom", path: ["topology", "edges", i], message: `a link cannot join node ${a} to itself` });
      });
      // Each pair linked once, and every node reachable (the routing tables need a route between any two).
      const first = new Map<number, number>();
      const root = Array.from({ length: Math.min(n, 64) }, (_, v) => v);
      const find = (v: number): number => (root[v] === v ? v : (root[v] = find(root[v]!)));
      m.topology.edges.forEach(([a, b], i) => {
        if (a >= n || b >= n || a === b || n > 64) return;
        const key = Math.min(a, b) * n + Math.max(a, b);
        const j = first.get(key);
        if (j !== undefined) ctx.addIssue({ code: "custom", path: ["topology", "edges", i], message: `nodes ${a} and ${b} are already linked by edges[${j}]` });
        else first.set(key, i);
        root[find(a)] = find(b);
      });
      const cut = n > 64 ? [] : root.map((_, v) => v).filter((v) => find(v) !== find(0));
      if (cut.length > 0) ctx.addIssue({ code: "custom", path: ["topology", "edges"], message: `node${cut.length > 1 ? "s" : ""} ${cut.join(", ")} ${cut.length > 1 ? "have" : "has"} no route to node 0 (the edges must join every node)` });
    }
    if (m.topology.routes != null) routesIssues(m.topology, n, ctx);
    if ((m.topology.kind === "ladder" || m.topology.kind === "twisted-ladder") && m.topology.nodes % 2 !== 0) {
      ctx.addIssue({ code: "custom", path: ["topology", "nodes"], message: `a ${m.topology.kind} has two rails: expected an even number of nodes, got ${m.topology.nodes}` });
    }
    if (m.node.l3 !== undefined && m.node.core.l2.exclusive) {
      ctx.addIssue({ code: "custom", path: ["node", "core", "l2", "exclusive"], message: "an exclusive L2 under a shared L3 is not modelled (the L3 finds its cores' lines through their L2s)" });
    }
    if (m.os.hugePages2M * 2 ** 21 > m.node.memory.size) {
      ctx.addIssue({ code: "custom", path: ["os", "hugePages2M"], message: `${m.os.hugePages2M} pages of 2 MiB are more than a node's ${m.node.memory.size} bytes of memory` });
    }
    if (m.node.core.tlb.enabled && m.pageSize !== 4096) {
      ctx.addIssue({ code: "custom", path: ["pageSize"], message: `timed translation (node.core.tlb.enabled) keeps page tables in 4096-byte frames: expected a 4KiB page, got ${m.pageSize}` });
    }
    // Every cache's tags are arrays in memory: at most 2^24 lines per cache and 2^26 in all.
    const caches: [{ size: number }, (string | number)[]][] = [[m.node.core.l1d, ["node", "core", "l1d", "size"]], [m.node.core.l2, ["node", "core", "l2", "size"]]];
    if (m.node.l3) caches.push([m.node.l3, ["node", "l3", "size"]]);
    // A GPU's caches too: an L1 per compute unit and a banked L2, in lines of the machine's size.
    let gpuLines = 0;
    m.devices.forEach((d, i) => {
      if (d.gpu === undefined) return;
      caches.push([d.gpu.l1, ["devices", i, "gpu", "l1", "size"]], [d.gpu.l2, ["devices", i, "gpu", "l2", "size"]]);
      gpuLines += (d.gpu.computeUnits * d.gpu.l1.size + d.gpu.l2.size) / m.lineSize;
    });
    let tooBig = false;
    for (const [c, path] of caches) {
      if (c.size / m.lineSize > 2 ** 24) {
        tooBig = true;
        ctx.addIssue({ code: "custom", path, message: `${c.size / m.lineSize} lines; at most ${2 ** 24} per cache are supported` });
      }
    }
    const lines = (n * (m.node.cores * (m.node.core.l1d.size + m.node.core.l2.size) + (m.node.l3?.size ?? 0))) / m.lineSize + gpuLines;
    if (!tooBig && m.node.cores <= 256 && n <= 30 && lines > 2 ** 26) ctx.addIssue({ code: "custom", path: ["node"], message: `the caches hold ${lines} lines in all; at most ${2 ** 26} are supported` });
    if (m.topology.kind === "hypercube" && m.topology.dim > 6) {
      ctx.addIssue({ code: "custom", path: ["topology", "dim"], message: "at most 64 nodes are supported" });
    }
    if (n > 30) ctx.addIssue({ code: "custom", path: ["topology"], message: `at most 30 nodes are supported, got ${n}` });
    if (!isPow2(m.lineSize)) ctx.addIssue({ code: "custom", path: ["lineSize"], message: `expected a power of two, got ${m.lineSize}` });
    // Packet headers and commands are a few bytes (HyperTransport's 4 or 8, a PCIe header 12 to 16).
    for (const [k, v] of Object.entries(m.packets)) {
      if (v > MAX_PACKET_BYTES) ctx.addIssue({ code: "custom", path: ["packets", k], message: `at most ${MAX_PACKET_BYTES} bytes, got ${v}` });
    }
    for (const k of ["headerBytes", "controlInsert"] as const) {
      if (m.link[k] > MAX_PACKET_BYTES) ctx.addIssue({ code: "custom", path: ["link", k], message: `at most ${MAX_PACKET_BYTES} bytes, got ${m.link[k]}` });
    }
    if (!isPow2(m.pageSize) || m.pageSize < m.lineSize) ctx.addIssue({ code: "custom", path: ["pageSize"], message: `expected a power of two no smaller than the line, got ${m.pageSize}` });
    // Physical addresses run node after node, then the line-interleaved range (at most as large).
    const memoryBytes = n * m.node.memory.size + m.memoryNodes.reduce((t, mn) => t + mn.memory.size, 0) + m.devices.reduce((t, d) => t + (d.memory?.size ?? 0), 0);
    const checkCache = (c: { size: number; assoc: number }, path: (string | number)[]) => {
      const lines = c.size / m.lineSize;
      if (!Number.isInteger(lines) || lines % c.assoc !== 0) {
        ctx.addIssue({ code: "custom", path, message: `${c.size} bytes do not divide into ${c.assoc}-way sets of ${m.lineSize}-byte lines` });
        return;
      }
      // A tag is the line address over the number of sets, kept in 31 bits.
      const sets = lines / c.assoc;
      const maxLines = (2 * memoryBytes) / m.lineSize;
      if (maxLines / sets > MAX_TAG) {
        ctx.addIssue({ code: "custom", path, message: `${sets} set${sets > 1 ? "s" : ""} cannot tag ${(memoryBytes / 2 ** 30).toFixed(0)} GiB of memory: a cache holds tags of 31 bits, so it needs at least ${Math.ceil(maxLines / MAX_TAG)} sets (more size or fewer ways), or the machine less memory` });
      }
    };
    // Cache geometry is only meaningful with a valid line size (avoids knock-on problems).
    if (isPow2(m.lineSize)) {
      checkCache(m.node.core.l1d, ["node", "core", "l1d"]);
      checkCache(m.node.core.l2, ["node", "core", "l2"]);
      if (m.node.l3) checkCache(m.node.l3, ["node", "l3"]);
    }
    const tlb = m.node.core.tlb;
    for (const level of ["l1", "l2"] as const) {
      tlb[level].arrays.forEach((a, i) => {
        const path = ["node", "core", "tlb", level, "arrays", i];
        if (a.assoc !== undefined && a.entries % a.assoc !== 0) ctx.addIssue({ code: "custom", path: [...path, "assoc"], message: `${a.entries} entries do not divide into ${a.assoc}-way sets` });
        a.pageSizes.forEach((b, k) => {
          if (!isPow2(b) || b < m.pageSize) ctx.addIssue({ code: "custom", path: [...path, "pageSizes", k], message: `expected a power of two no smaller than the ${m.pageSize}-byte page, got ${b}` });
        });
      });
    }
    m.memoryNodes.forEach((mn, i) => {
      if (mn.attachTo >= n) ctx.addIssue({ code: "custom", path: ["memoryNodes", i, "attachTo"], message: `socket ${mn.attachTo} does not exist (the machine has sockets 0-${n - 1})` });
      if (mn.memory.size % m.pageSize !== 0) ctx.addIssue({ code: "custom", path: ["memoryNodes", i, "memory", "size"], message: `expected a whole number of ${m.pageSize}-byte pages` });
    });
    if (m.devices.length > 0 && m.pageSize !== 4096) ctx.addIssue({ code: "custom", path: ["pageSize"], message: `devices translate with x86-64 page tables, which need 4096-byte pages, got ${m.pageSize}` });
    if (m.devices.some((d) => d.translation.mode === "iommu") && m.os.pageTables.layout === "x86-4M") ctx.addIssue({ code: "custom", path: ["os", "pageTables", "layout"], message: "the IOMMU walks x86-64 page tables; x86-4M has none for it" });
    if (m.devices.length > 0 && m.lineSize < 32) ctx.addIssue({ code: "custom", path: ["lineSize"], message: `devices need lines of at least 32 bytes (a 4 KiB device read is split into lines), got ${m.lineSize}` });
    const deviceNames = new Set<string>();
    m.devices.forEach((d, i) => {
      if (d.attachTo >= n) ctx.addIssue({ code: "custom", path: ["devices", i, "attachTo"], message: `socket ${d.attachTo} does not exist (the machine has sockets 0-${n - 1})` });
      if (deviceNames.has(d.name)) ctx.addIssue({ code: "custom", path: ["devices", i, "name"], message: `device "${d.name}" is declared twice` });
      deviceNames.add(d.name);
      if (d.memory !== undefined && d.memory.size % m.pageSize !== 0) ctx.addIssue({ code: "custom", path: ["devices", i, "memory", "size"], message: `expected a whole number of ${m.pageSize}-byte pages` });
      if (d.translation.mode === "gpu-mmu" && d.memory === undefined) ctx.addIssue({ code: "custom", path: ["devices", i, "translation", "mode"], message: "gpu-mmu migrates pages into device memory: the device needs memory" });
    });
    if (m.node.memory.size % m.pageSize !== 0) ctx.addIssue({ code: "custom", path: ["node", "memory", "size"], message: `expected a whole number of ${m.pageSize}-byte pages` });
  });
export type MachineSpec = z.infer<typeof MachineSpec>;

/** Checks `topology.routes` against the links of the topology (a shape that builds at all). */
function routesIssues(t: TopologySpec, n: number, ctx: z.RefinementCtx): void {
  if (t.kind === "crossbar") {
    ctx.addIssue({ code: "custom", path: ["topology", "routes"], message: "a crossbar's switch routes every packet: routing tables are for sockets linked to each other" });
    return;
  }
  if (n > 30 || (t.kind === "ladder" || t.kind === "twisted-ladder") && n % 2 !== 0) return;
  let linked: (a: number, b: number) => boolean;
  try {
    const topo = topologyOf(t);
    const pairs = new Set(topo.edges.filter((e) => e.a < n && e.b < n).map((e) => Math.min(e.a, e.b) * n + Math.max(e.a, e.b)));
    linked = (a, b) => pairs.has(Math.min(a, b) * n + Math.max(a, b));
  } catch {
    return; // the topology itself is at fault, and reported so
  }
  for (const p of fixedRouteProblems(n, linked, t.routes as FixedRoutes)) ctx.addIssue({ code: "custom", path: ["topology", "routes", ...p.path], message: p.message });
}

/** Number of sockets a topology spec describes. */
export function socketsOf(t: TopologySpec): number {
  switch (t.kind) {
    case "square4":
      return 4;
    case "hypercube":
      return 2 ** t.dim;
    case "mesh":
      return t.rows * t.cols;
    default:
      return t.nodes;
  }
}

function isPow2(v: number): boolean {
  return v > 0 && Number.isInteger(Math.log2(v));
}
