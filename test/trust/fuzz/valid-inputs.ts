/**
 * Generators of valid machine and workload files: the bundled K8 Opteron machine with every field
 * varied within its valid range, written in varied unit spellings, and small workloads (a few
 * hundred accesses) that fit the generated machine, so each case runs in a few milliseconds.
 */
import fc from "fast-check";
import { parseSize } from "../../../src/config/units.ts";
import { DRAM_PRESETS } from "../../../src/mem/presets/dram-presets.ts";

const DRAM_PRESET_NAMES = Object.keys(DRAM_PRESETS);

/** A plain machine or workload document, as a file would hold it. */
export type Doc = Record<string, unknown>;

/** A valid machine and a workload that fits it. */
export interface ValidCase {
  machine: Doc;
  workload: Doc;
  seed: number;
  /** Sockets of the machine. */
  nodes: number;
  /** Memory-only nodes (each with memoryBytes too). */
  memoryNodes: number;
  /** Memory of each socket in bytes. */
  memoryBytes: number;
  /** Memory of the devices together, in bytes (each device's is a NUMA node as well). */
  deviceMemoryBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

// ---------------------------------------------------------------------------------------------
// Unit spellings: the same quantity written the ways a person might.

/** A size in bytes, as a number or a unit string that denotes exactly that many bytes. */
export function sizeText(bytes: number): fc.Arbitrary<number | string> {
  const forms: (number | string)[] = [bytes, `${bytes}B`, `${bytes} B`];
  if (bytes % KiB === 0) forms.push(`${bytes / KiB}KiB`);
  if (bytes % MiB === 0) forms.push(`${bytes / MiB}MiB`);
  if (bytes % 1000 === 0) forms.push(`${bytes / 1000}KB`);
  // A fraction of a MiB that is still a whole number of bytes ("0.0029296875MiB" is 3 KiB).
  if (bytes % KiB === 0 && (bytes / KiB) % 2 === 1 && bytes >= 2 * KiB) forms.push(`${bytes / MiB}MiB`);
  return fc.constantFrom(...forms);
}

/** A duration in whole ps, as a number of ps or a unit string. */
export function durationText(ps: number): fc.Arbitrary<number | string> {
  const forms: (number | string)[] = [ps, `${ps}ps`];
  if (ps % 1000 === 0) forms.push(`${ps / 1000}ns`, `${ps / 1000} ns`);
  if (ps % 100 === 0) forms.push(`${ps / 1000}ns`, `${ps / 1e6}us`);
  return fc.constantFrom(...forms);
}

/** A frequency in MHz (whole), as GHz or MHz text or a plain number of GHz. */
function frequencyText(mhz: number): fc.Arbitrary<number | string> {
  return fc.constantFrom(mhz / 1000, `${mhz}MHz`, `${mhz / 1000}GHz`, `${mhz * 1000}kHz`);
}

/** A bandwidth in MB/s (whole), as GB/s or MB/s text or a plain number of GB/s. */
function bandwidthText(mbs: number): fc.Arbitrary<number | string> {
  return fc.constantFrom(mbs / 1000, `${mbs}MB/s`, `${mbs / 1000}GB/s`);
}

const ps = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).chain(durationText);
const bytes = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).chain(sizeText);

// ---------------------------------------------------------------------------------------------
// Machines.

/** A topology spec and the number of sockets it has. */
interface TopologyCase {
  spec: Doc;
  nodes: number;
}

/** A random connected simple graph on n nodes: a random spanning tree plus a few extra edges. */
function connectedEdges(n: number): fc.Arbitrary<[number, number][]> {
  if (n === 1) return fc.constant([]);
  const parents = fc.tuple(...Array.from({ length: n - 1 }, (_, i) => fc.integer({ min: 0, max: i })));
  const extra = fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n });
  return fc.tuple(parents, extra, fc.array(fc.boolean(), { minLength: 2 * n, maxLength: 2 * n })).map(([ps, more, flips]) => {
    const seen = new Set<string>();
    const out: [number, number][] = [];
    const add = (a: number, b: number) => {
      if (a === b) return;
      const key = `${Math.min(a, b)}-${Math.max(a, b)}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(flips[out.length % flips.length] ? [b, a] : [a, b]);
    };
    ps.forEach((p, i) => add(p, i + 1));
    for (const [a, b] of more) add(a, b);
    return out;
  });
}

const topologyArb: fc.Arbitrary<TopologyCase> = fc.oneof(
  fc.constant({ spec: { kind: "square4" }, nodes: 4 }),
  fc.integer({ min: 0, max: 3 }).map((dim) => ({ spec: { kind: "hypercube", dim }, nodes: 2 ** dim })),
  fc.integer({ min: 3, max: 6 }).map((n) => ({ spec: { kind: "ring", nodes: n }, nodes: n })),
  fc.constantFrom(4, 6, 8).map((n) => ({ spec: { kind: "ladder", nodes: n }, nodes: n })),
  fc.constantFrom(4, 6, 8).map((n) => ({ spec: { kind: "twisted-ladder", nodes: n }, nodes: n })),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })).map(([rows, cols]) => ({ spec: { kind: "mesh", rows, cols }, nodes: rows * cols })),
  fc.tuple(fc.integer({ min: 2, max: 5 }), ps(0, 40_000)).map(([n, sw]) => ({ spec: { kind: "crossbar", nodes: n, switchLatency: sw }, nodes: n })),
  fc.integer({ min: 1, max: 6 }).chain((n) => connectedEdges(n).map((edges) => ({ spec: { kind: "edges", nodes: n, edges }, nodes: n }))),
);

/** A cache of `sets` x `assoc` lines of `line` bytes. */
function cacheArb(line: number, maxSetsLog2: number, maxAssoc: number): fc.Arbitrary<Doc> {
  return fc
    .record({ setsLog2: fc.integer({ min: 0, max: maxSetsLog2 }), assoc: fc.integer({ min: 1, max: maxAssoc }), latencyCycles: fc.integer({ min: 0, max: 20 }) })
    .chain(({ setsLog2, assoc, latencyCycles }) => sizeText(2 ** setsLog2 * assoc * line).map((size) => ({ size, assoc, latencyCycles })));
}

/** Puts `value` at `key` unless it is undefined (fields left to their defaults). */
function put(doc: Doc, key: string, value: unknown): void {
  if (value !== undefined) doc[key] = value;
}

/** Address-translation timing: TLB arrays holding `page` (and sometimes 2 MiB) pages, walkers, page-walk caches. */
function tlbArb(page: number): fc.Arbitrary<Doc> {
  const array = fc.record({ entriesLog2: fc.integer({ min: 2, max: 7 }), assocLog2: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }), huge: fc.boolean() }).chain(({ entriesLog2, assocLog2, huge }) =>
    fc.constantFrom(...(page === 4096 ? [[4096], ["4KiB"], [4096, "2MiB"]] : [[page]])).map((pageSizes) => {
      const a: Doc = { entries: 2 ** entriesLog2, pageSizes: huge && page === 4096 ? ["2MiB"] : pageSizes };
      if (assocLog2 !== undefined) a.assoc = 2 ** Math.min(assocLog2, entriesLog2);
      return a;
    }),
  );
  const level = fc.record({ latencyCycles: fc.integer({ min: 0, max: 10 }), arrays: fc.array(array, { minLength: 1, maxLength: 2 }) }).map((l) => {
    // Every level must hold base pages.
    (l.arrays[0] as Doc).pageSizes = [page];
    return l;
  });
  return fc.record(
    {
      enabled: fc.boolean(),
      l1: level,
      l2: level,
      pwc: fc.record({ l4: fc.integer({ min: 0, max: 4 }), l3: fc.integer({ min: 0, max: 4 }), l2: fc.integer({ min: 0, max: 32 }) }),
      walkers: fc.integer({ min: 1, max: 2 }),
      inFlight: fc.integer({ min: 1, max: 8 }),
      asidBits: fc.integer({ min: 0, max: 16 }),
    },
    { requiredKeys: ["enabled", "l1", "l2"] },
  );
}

/** Operating-system settings: page-table layout and placement, fault and switch costs, a huge-page pool of at most a quarter of each node's memory. */
const osArb = (memoryBytes: number): fc.Arbitrary<Doc> => fc.record(
  {
    pageTables: fc.record({ layout: fc.constantFrom("x86-64", "x86-4M"), placement: fc.constantFrom("local", "interleave", 0), replicate: fc.boolean() }, { requiredKeys: [] }),
    hugePages2M: fc.integer({ min: 0, max: Math.floor(memoryBytes / (8 * MiB)) }),
    pageFaultCycles: fc.integer({ min: 0, max: 2000 }),
    timeslice: fc.constantFrom(0, "0ns", "20us", "1us"),
    contextSwitchCycles: fc.integer({ min: 0, max: 2000 }),
  },
  { requiredKeys: [] },
);

/** A valid machine document and its shape (sockets, cores per socket, memory per node). */
export interface MachineCase {
  doc: Doc;
  nodes: number;
  /** Memory-only nodes (numbered after the sockets). */
  memoryNodes: number;
  coresPerNode: number;
  memoryBytes: number;
  deviceMemoryBytes: number;
}

/** Valid machine files around the bundled K8 Opteron: every field varied within its range, optional ones sometimes left out. */
export const machineArb: fc.Arbitrary<MachineCase> = fc
  .record({
    line: fc.constantFrom(32, 64, 128),
    pageLog2: fc.constantFrom(12, 12, 12, 13, 16),
    topo: topologyArb,
    cores: fc.integer({ min: 1, max: 3 }),
    memPages: fc.integer({ min: 256, max: 4096 }),
  })
  .chain(({ line, pageLog2, topo, cores, memPages }) => {
    const page = 2 ** pageLog2;
    const memoryBytes = memPages * page;
    const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
    const ioHubs = fc.uniqueArray(fc.nat(topo.nodes - 1), { maxLength: Math.min(2, topo.nodes) });
    const distances = fc.array(fc.array(fc.integer({ min: 10, max: 40 }), { minLength: topo.nodes, maxLength: topo.nodes }), { minLength: topo.nodes, maxLength: topo.nodes });
    return fc
      .record({
        name: fc.string({ minLength: 1, maxLength: 12 }),
        description: opt(fc.string({ maxLength: 20 })),
        lineSize: fc.oneof(sizeText(line), line === 64 ? fc.constant(undefined) : sizeText(line)),
        pageSize: fc.oneof(sizeText(page), page === 4096 ? fc.constant(undefined) : sizeText(page)),
        ioHubs: opt(ioHubs),
        tlb: page === 4096 ? opt(tlbArb(page)) : tlbArb(page),
        memoryNodes: opt(fc.array(fc.record({ attachTo: fc.nat(topo.nodes - 1), size: sizeText(memPages * page), latency: ps(1_000, 200_000), bandwidth: fc.integer({ min: 500, max: 50_000 }).chain(bandwidthText) }), { minLength: 1, maxLength: 2 })),
        os: opt(osArb(memoryBytes)),
        link: fc.record({
          widthBits: fc.constantFrom(8, 16, 32),
          clock: fc.integer({ min: 200, max: 3200 }).chain(frequencyText),
          transfersPerClock: opt(fc.integer({ min: 1, max: 2 })),
          latency: ps(0, 100_000),
          credits: opt(fc.integer({ min: 1, max: 32 })),
          switching: opt(fc.constantFrom("store-and-forward", "cut-through")),
          headerBytes: opt(bytes(1, 16)),
          controlInsert: opt(bytes(0, 16)),
        }),
        coherence: opt(fc.constantFrom("broadcast", "directory")),
        directoryLatency: opt(ps(0, 50_000)),
        packets: opt(fc.record({ request: opt(bytes(1, 16)), probe: opt(bytes(1, 16)), probeResponse: opt(bytes(1, 16)), dataHeader: opt(bytes(1, 16)), done: opt(bytes(1, 16)) })),
        distances: opt(distances),
        core: fc.record({
          clock: fc.integer({ min: 500, max: 4000 }).chain(frequencyText),
          l1d: cacheArb(line, 7, 4),
          l2: cacheArb(line, 9, 8),
          mshrs: opt(fc.integer({ min: 1, max: 16 })),
          loadWindow: opt(fc.integer({ min: 1, max: 32 })),
          storeBuffer: opt(fc.integer({ min: 1, max: 16 })),
          requestLatency: ps(0, 20_000),
          requestBytesPerCycle: opt(fc.oneof(fc.integer({ min: 1, max: 32 }), fc.constantFrom(0.5, 2.5))),
        }),
        l3: opt(cacheArb(line, 10, 16)),
        memory: fc.oneof(
          { weight: 3, arbitrary: fc.record({
            kind: fc.constant("simple"),
            size: sizeText(memoryBytes),
            latency: ps(1_000, 100_000),
            bandwidth: fc.integer({ min: 500, max: 50_000 }).chain(bandwidthText),
            efficiency: opt(fc.constantFrom(0.25, 0.5, 0.7, 1)),
            queue: opt(fc.integer({ min: 1, max: 64 })),
            writeBuffer: opt(fc.integer({ min: 1, max: 32 })),
            writeToRead: opt(ps(0, 20_000)),
          }) },
          { weight: 1, arbitrary: fc.record({
            kind: fc.constant("dram"),
            size: sizeText(memoryBytes),
            dram: fc.record({
              preset: fc.constantFrom(...DRAM_PRESET_NAMES),
              channels: opt(fc.constantFrom(1, 2, 4)),
              pagePolicy: opt(fc.constantFrom("open", "closed", "adaptive")),
            }),
          }) },
        ),
        northbridge: fc.record({ probeLatency: ps(0, 50_000), requestQueue: opt(fc.integer({ min: 1, max: 64 })) }),
        devices: opt(fc.array(deviceArb(topo.nodes, page), { minLength: 1, maxLength: 2 })),
      })
      .map((g) => {
        const topology: Doc = { ...topo.spec };
        put(topology, "ioHubs", g.ioHubs);
        const link: Doc = {};
        for (const [k, v] of Object.entries(g.link)) put(link, k, v);
        const core: Doc = {};
        for (const [k, v] of Object.entries(g.core)) put(core, k, v);
        put(core, "tlb", g.tlb);
        const memory: Doc = {};
        for (const [k, v] of Object.entries(g.memory)) put(memory, k, v);
        if (typeof memory.dram === "object" && memory.dram !== null) {
          const dram: Doc = {};
          for (const [k, v] of Object.entries(memory.dram)) put(dram, k, v);
          memory.dram = dram;
        }
        const northbridge: Doc = {};
        for (const [k, v] of Object.entries(g.northbridge)) put(northbridge, k, v);
        const node: Doc = { cores, core };
        put(node, "l3", g.l3);
        node.memory = memory;
        node.northbridge = northbridge;
        const doc: Doc = { name: g.name };
        put(doc, "description", g.description);
        put(doc, "lineSize", g.lineSize);
        put(doc, "pageSize", g.pageSize);
        doc.topology = topology;
        doc.link = link;
        doc.node = node;
        put(doc, "coherence", g.coherence);
        put(doc, "directoryLatency", g.directoryLatency);
        if (g.packets) {
          const packets: Doc = {};
          for (const [k, v] of Object.entries(g.packets)) put(packets, k, v);
          doc.packets = packets;
        }
        put(doc, "distances", g.distances);
        if (g.memoryNodes) doc.memoryNodes = g.memoryNodes.map((n) => ({ attachTo: n.attachTo, memory: { kind: "simple", size: n.size, latency: n.latency, bandwidth: n.bandwidth } }));
        put(doc, "os", g.os);
        // Devices translate with x86-64 tables: 4 KiB pages only.
        if (g.devices && page === 4096 && (g.os?.pageTables as Doc | undefined)?.layout !== "x86-4M") doc.devices = g.devices.map((d, i) => ({ name: `dev${i}`, ...d }));
        // Timed translation needs 4 KiB base pages and x86-64 tables (see BAD_COMBINATIONS in mutations.ts).
        if (g.tlb !== undefined && (page !== 4096 || (g.os?.pageTables as Doc | undefined)?.layout === "x86-4M")) g.tlb.enabled = false;
        const deviceMemoryBytes = ((doc.devices as Doc[] | undefined) ?? []).reduce((sum, d) => sum + ((d.memory as Doc | undefined) === undefined ? 0 : parseSize((d.memory as Doc).size)), 0);
        return { doc, nodes: topo.nodes, memoryNodes: g.memoryNodes?.length ?? 0, coresPerNode: cores, memoryBytes, deviceMemoryBytes };
      });
  });

/** A small accelerator: a PCIe, coherent or on-die link, maybe memory of its own, maybe a GPU. */
function deviceArb(nodes: number, page: number): fc.Arbitrary<Doc> {
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
  return fc
    .record({
      attachTo: opt(fc.nat(nodes - 1)),
      link: fc.oneof(
        fc.record({ kind: fc.constant("pcie"), gen: fc.integer({ min: 1, max: 5 }), lanes: opt(fc.constantFrom(1, 4, 8, 16)), latency: opt(ps(0, 500_000)), tags: opt(fc.integer({ min: 1, max: 256 })) }),
        fc.record({ kind: fc.constant("coherent"), widthBits: fc.constantFrom(8, 16, 32), clock: fc.integer({ min: 200, max: 3200 }).chain(frequencyText), latency: ps(0, 100_000) }),
        fc.record({ kind: fc.constant("on-die"), bandwidth: fc.integer({ min: 1_000, max: 100_000 }).chain(bandwidthText), latency: ps(0, 50_000) }),
      ),
      memory: opt(fc.record({ size: fc.integer({ min: 64, max: 1024 }).chain((pages) => sizeText(pages * page)), dram: fc.record({ preset: fc.constantFrom("hbm2", "gddr6", "ddr4-2400"), channels: opt(fc.constantFrom(1, 2, 4)) }) })),
      gpu: opt(
        fc.record({
          clock: fc.integer({ min: 500, max: 2000 }).chain(frequencyText),
          computeUnits: fc.integer({ min: 1, max: 4 }),
          lanes: opt(fc.constantFrom(32, 64)),
          wavefrontSlots: opt(fc.integer({ min: 1, max: 8 })),
          l1: fc.constant({ size: "4KiB", assoc: 4, latencyCycles: 10, mshrs: 16 }),
          l2: fc.constant({ size: "64KiB", assoc: 8, latencyCycles: 40, mshrs: 16, banks: 2 }),
          l1Tlb: fc.constant({ entries: 16 }),
          l2Tlb: fc.constant({ entries: 64, assoc: 4 }),
        }),
      ),
      translation: opt(fc.record({ mode: fc.constantFrom("iommu", "gpu-mmu"), addressSpace: opt(fc.constantFrom("same", "subset", "separate")) })),
    })
    .map((d) => {
      const out: Doc = {};
      for (const [k, v] of Object.entries(d)) put(out, k, v);
      // A GPU MMU migrates pages into device memory: without memory the device uses the IOMMU.
      if (d.translation?.mode === "gpu-mmu" && d.memory === undefined) out.translation = { ...d.translation, mode: "iommu" };
      return out;
    });
}

// ---------------------------------------------------------------------------------------------
// Workloads.

const REGION_NAMES = ["a", "b", "heap", "tbl"];

function policyArb(nodes: number): fc.Arbitrary<unknown> {
  const nodeList = fc.uniqueArray(fc.nat(nodes - 1), { minLength: 1, maxLength: nodes });
  return fc.oneof(
    fc.constant(undefined),
    fc.constantFrom("local", "interleave", "interleave-line"),
    fc.constant({ kind: "local" }),
    fc.option(nodeList, { nil: undefined }).map((ns) => (ns === undefined ? { kind: "interleave" } : { kind: "interleave", nodes: ns })),
    fc.constant({ kind: "interleave-line" }),
    nodeList.map((ns) => ({ kind: "bind", nodes: ns })),
    fc.nat(nodes - 1).map((n) => ({ kind: "preferred", node: n })),
  );
}

/** One region's name, size in bytes and the document entry. */
interface RegionCase {
  name: string;
  bytes: number;
  doc: Doc;
}

function regionArb(name: string, nodes: number, maxBytes: number): fc.Arbitrary<RegionCase> {
  return fc
    .record({
      bytes: fc.integer({ min: 1, max: maxBytes }),
      policy: policyArb(nodes),
      kind: fc.option(fc.constantFrom("anon", "heap", "stack", "file=/data/input.bin"), { nil: undefined }),
      populate: fc.option(fc.boolean(), { nil: undefined, freq: 3 }),
    })
    .chain(({ bytes, policy, kind, populate }) =>
      sizeText(bytes).map((size) => {
        const doc: Doc = { name, size };
        put(doc, "policy", policy);
        put(doc, "kind", kind);
        put(doc, "populate", populate);
        return { name, bytes, doc };
      }),
    );
}

function pinArb(core: number, coresPerNode: number): fc.Arbitrary<unknown> {
  return fc.constantFrom(core, { node: Math.floor(core / coresPerNode), core: core % coresPerNode });
}

/** A generator of one thread over `regions`, small enough to run in milliseconds. */
function threadBodyArb(regions: RegionCase[]): fc.Arbitrary<Doc> {
  const region = fc.constantFrom(...regions);
  const common = { gapCycles: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }), startNs: fc.option(fc.constantFrom(0, 10, 123.5, 2000), { nil: undefined }) };
  const ws = (r: RegionCase, cap: number) => fc.integer({ min: 1, max: Math.min(r.bytes, cap) }).chain(sizeText);
  return fc.oneof(
    fc.record({ r: region, order: fc.option(fc.constantFrom("random", "sequential"), { nil: undefined }), accesses: fc.integer({ min: 1, max: 250 }), stride: fc.option(fc.integer({ min: 1, max: 256 }).chain(sizeText), { nil: undefined }), ...common }).chain((t) =>
      fc.option(ws(t.r, 1 << 20), { nil: undefined }).map((workingSet) => ({ generator: "pointer-chase", region: t.r.name, workingSet, stride: t.stride, accesses: t.accesses, order: t.order, gapCycles: t.gapCycles, startNs: t.startNs })),
    ),
    fc.record({ r: region, gen: fc.constantFrom("stream-read", "stream-write"), elementBytes: fc.constantFrom(1, 4, 8, 16, 64, 100), passes: fc.integer({ min: 1, max: 2 }), dependsOn: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }), ...common }).chain((t) =>
      ws(t.r, 64 * t.elementBytes).map((workingSet) => ({ generator: t.gen, region: t.r.name, workingSet, elementBytes: t.elementBytes, passes: t.passes, dependsOn: t.dependsOn, gapCycles: t.gapCycles, startNs: t.startNs })),
    ),
    fc.record({ s: region, d: region, elementBytes: fc.constantFrom(4, 8, 32), passes: fc.integer({ min: 1, max: 2 }), ...common }).chain((t) =>
      fc.integer({ min: 1, max: Math.min(t.s.bytes, t.d.bytes, 48 * t.elementBytes) }).chain(sizeText).map((workingSet) => ({ generator: "stream-copy", src: t.s.name, dst: t.d.name, workingSet, elementBytes: t.elementBytes, passes: t.passes, gapCycles: t.gapCycles, startNs: t.startNs })),
    ),
    fc.record({ a: region, b: region, c: region, chunks: fc.integer({ min: 1, max: 8 }), elementBytes: fc.constantFrom(8, 64, 256), ...common }).chain((t) =>
      fc.nat(t.chunks - 1).map((chunk) => ({ generator: "triad", a: t.a.name, b: t.b.name, c: t.c.name, chunk, chunks: t.chunks, elementBytes: t.elementBytes, passes: 1, gapCycles: t.gapCycles, startNs: t.startNs })),
    ),
    fc.record({ r: region, updates: fc.integer({ min: 1, max: 150 }), ...common }).map((t) => ({ generator: "gups", region: t.r.name, updates: t.updates, gapCycles: t.gapCycles, startNs: t.startNs })),
  ).map((t) => {
    const out: Doc = {};
    for (const [k, v] of Object.entries(t)) put(out, k, v);
    return out;
  });
}

/** A valid workload for a machine of `nodes` sockets (and `memoryNodes` memory-only nodes) with `coresPerNode` cores each. */
export function workloadArb(nodes: number, coresPerNode: number, memoryNodes = 0): fc.Arbitrary<Doc> {
  const totalCores = nodes * coresPerNode;
  return fc
    .record({
      regionCount: fc.integer({ min: 1, max: REGION_NAMES.length }),
      name: fc.string({ minLength: 1, maxLength: 10 }),
      cores: fc.uniqueArray(fc.nat(totalCores - 1), { minLength: 1, maxLength: Math.min(3, totalCores) }),
    })
    .chain(({ regionCount, name, cores }) =>
      fc.tuple(...REGION_NAMES.slice(0, regionCount).map((n) => regionArb(n, nodes + memoryNodes, 24 * KiB))).chain((regions) =>
        fc
          .record({
            threads: fc.tuple(...cores.map((c) => fc.tuple(pinArb(c, coresPerNode), threadBodyArb(regions)))),
            aslr: fc.option(fc.boolean(), { nil: undefined, freq: 3 }),
            guest: fc.option(fc.record({ paging: fc.constantFrom("nested", "shadow"), vpid: fc.boolean() }), { nil: undefined, freq: 4 }),
          })
          .map(({ threads, aslr, guest }) => {
            const doc: Doc = { name, regions: regions.map((r) => r.doc), threads: threads.map(([core, body]) => ({ core, ...body })) };
            put(doc, "aslr", aslr);
            put(doc, "guest", guest);
            return doc;
          }),
      ),
    );
}

/** A valid machine, a workload that fits it, and a seed. */
export const validCaseArb: fc.Arbitrary<ValidCase> = machineArb.chain((m) =>
  fc.record({ workload: workloadArb(m.nodes, m.coresPerNode, m.memoryNodes), seed: fc.integer({ min: 0, max: 1000 }) }).map(({ workload, seed }) => ({ machine: m.doc, workload, seed, nodes: m.nodes, memoryNodes: m.memoryNodes, memoryBytes: m.memoryBytes, deviceMemoryBytes: m.deviceMemoryBytes })),
);
