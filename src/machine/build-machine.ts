import type { MachineSpec, MemorySpec, TopologySpec } from "../config/machine-spec.ts";
import { ClockDomain } from "../kernel/clock-domain.ts";
import { MessagePool } from "../kernel/message.ts";
import { Port, type PortOwner } from "../kernel/port.ts";
import { Simulator } from "../kernel/simulator.ts";
import { Core } from "../cpu/core.ts";
import { NodeRangeHomeMap } from "../mem/home-map.ts";
import { Northbridge } from "../mem/northbridge.ts";
import { SimpleMemory } from "../mem/simple-memory.ts";
import { SharedCache } from "../mem/shared-cache.ts";
import { buildValidatedDram } from "../mem/dram/build-dram.ts";
import { DramSystem } from "../mem/dram/dram-system.ts";
import { Link } from "../net/link.ts";
import { buildRoutes, socketHops, type RoutingTable } from "../net/routing.ts";
import type { Topology } from "../net/topology.ts";
import { topologyOf } from "../net/topology-of.ts";
import { broadcastChildren } from "../net/fixed-routes.ts";
import { Wire } from "../net/wire.ts";
import { StatsRegistry } from "../stats/registry.ts";
import type { TraceWriter } from "../stats/trace-writer.ts";
import { FrameAllocator } from "../vm/frame-allocator.ts";
import { linkBandwidthBytesPerNs } from "./link-bandwidth.ts";
import { SwitchRouter } from "./switch-router.ts";
import { CoherenceAudit } from "./coherence-audit.ts";
import { ValueAudit } from "./value-audit.ts";
import { LinkAudit } from "../net/link-audit.ts";
import { buildDevice, type DeviceParts } from "../accel/build-device.ts";

/** One socket of a built machine. */
export interface MachineNode {
  /** Node index. */
  id: number;
  /** Its northbridge (crossbar, home agent, probe engine, request queue). */
  nb: Northbridge;
  /** Its memory controller. */
  memory: PortOwner & { readonly port: Port };
  /** Its cores, by local index. */
  cores: Core[];
}

/** A machine wired up and ready to run: every component, the kernel and the statistics. */
export interface Machine {
  spec: MachineSpec;
  sim: Simulator;
  stats: StatsRegistry;
  pool: MessagePool;
  topology: Topology;
  routes: RoutingTable;
  /** Socket-to-socket hop counts. */
  hops: number[][];
  /**
   * Distance from each socket to each memory node, for the OS's nearest-node choices: hops to
   * the serving socket, plus a half for memory-only nodes (so a socket's own DRAM comes first).
   */
  osHops: number[][];
  /** Memory nodes: the sockets, then the memory-only nodes. */
  memoryNodeCount: number;
  nodes: MachineNode[];
  /** Every core, by global index (node-major). */
  cores: Core[];
  links: Link[];
  homeMap: NodeRangeHomeMap;
  frames: FrameAllocator;
  /** Core clock domain. */
  coreClock: ClockDomain;
  /** Each socket's shared last-level cache, if the machine has them. */
  sharedCaches: SharedCache[];
  /** Accelerators on device links (GPU, DMA engine, registers, translation), in machine-file order. */
  devices: DeviceParts[];
  /** The value audit of `--check` (stores make versions, coherent reads check them), or null. */
  values: ValueAudit | null;
}

/** Options of the machine builder. */
export interface BuildOptions {
  /** Check every DRAM command against every timing constraint (slower; always on in tests). */
  checkDram?: boolean;
  /** Record a timeline: cores' misses, request-queue entries, link transfers, memory reads. */
  trace?: TraceWriter;
  /** Check invariants as the run goes (`--check`): single owner per line, no stale reads, DRAM protocol. */
  check?: boolean;
}

/** Builds every component of a machine and wires them through ports, links and wires. */
export function buildMachine(spec: MachineSpec, given: BuildOptions = {}): Machine {
  // HOPSIM_CHECK=1 turns the invariant checks on for every run (the test suite sets it).
  const options: BuildOptions = given.check === undefined && process.env.HOPSIM_CHECK === "1" ? { ...given, check: true } : given;
  const sim = new Simulator(4096);
  const stats = new StatsRegistry();
  const pool = new MessagePool();
  const topology = topologyOf(spec.topology);
  const routes = buildRoutes(topology);
  const nSockets = topology.vertices.filter((v) => v.kind === "socket").length;
  const hops = socketHops(routes);
  const lineBytes = spec.lineSize;
  // Memory nodes: the sockets', then the memory-only nodes, then the devices' own memories.
  const withMemory = spec.devices.filter((d) => d.memory !== undefined);
  const nodeSizes = [...new Array<number>(nSockets).fill(spec.node.memory.size), ...spec.memoryNodes.map((mn) => mn.memory.size), ...withMemory.map((d) => d.memory?.size ?? 0)];
  const hosts = [...Array.from({ length: nSockets }, (_, i) => i), ...spec.memoryNodes.map((mn) => mn.attachTo), ...withMemory.map((d) => d.attachTo)];
  const homeMap = new NodeRangeHomeMap(nodeSizes, lineBytes, hosts);
  const frames = new FrameAllocator(Array.from(homeMap.bases.subarray(0, nodeSizes.length)), nodeSizes, spec.pageSize);
  // One row per memory node (a memory-only node measures from the socket serving it), so the OS can
  // fall back from a full memory-only node to its nearest neighbour.
  // Device memory is farther still (across the device link): the OS falls back to it last.
  const firstDeviceNode = nSockets + spec.memoryNodes.length;
  const osHops = hosts.map((from) => hosts.map((h, n) => hops[from][h] + (n >= firstDeviceNode ? 2 : n >= nSockets ? 0.5 : 0)));
  const coreClock = new ClockDomain(spec.node.core.clock);
  const nodes: MachineNode[] = [];
  const cores: Core[] = [];
  const links: Link[] = [];
  const sharedCaches: SharedCache[] = [];
  const c = spec.node.core;

  for (let n = 0; n < nSockets; n++) {
    const name = `node${n}`;
    const nb = new Northbridge(
      sim,
      stats,
      pool,
      `${name}.nb`,
      {
        nodeId: n,
        nodes: nSockets,
        lineBytes,
        coherence: spec.coherence,
        probeLatencyPs: spec.node.northbridge.probeLatency,
        directoryLatencyPs: spec.directoryLatency,
        requestQueueEntries: spec.node.northbridge.requestQueue,
        sharedCacheLatencyPs: spec.node.l3 ? coreClock.cyclesToTicks(spec.node.l3.latencyCycles) : 0,
        packets: {
          requestBytes: spec.packets.request,
          probeBytes: spec.packets.probe,
          probeRespBytes: spec.packets.probeResponse,
          dataHeaderBytes: spec.packets.dataHeader,
          doneBytes: spec.packets.done,
        },
      },
      homeMap,
    );
    const memory = buildMemory(sim, stats, `${name}.mc`, spec.node.memory, options);
    new Wire(nb.memPort, memory.port);
    const l3 = spec.node.l3 ? new SharedCache(stats, `${name}.l3`, { sizeBytes: spec.node.l3.size, assoc: spec.node.l3.assoc, lineBytes }) : null;
    if (l3 !== null) {
      nb.setSharedCache(l3);
      sharedCaches.push(l3);
    }
    const nodeCores: Core[] = [];
    for (let k = 0; k < spec.node.cores; k++) {
      const core = new Core(sim, stats, pool, `${name}.core${k}`, coreClock, {
        node: n,
        l1d: { sizeBytes: c.l1d.size, assoc: c.l1d.assoc, lineBytes },
        l1LatencyCycles: c.l1d.latencyCycles,
        l2: { sizeBytes: c.l2.size, assoc: c.l2.assoc, lineBytes },
        l2LatencyCycles: c.l2.latencyCycles,
        l2Exclusive: c.l2.exclusive,
        mshrs: c.mshrs,
        loadWindow: c.loadWindow,
        storeBufferEntries: c.storeBuffer,
        prefetchLines: c.prefetchLines,
        pageBytes: spec.pageSize,
      });
      const lookupPs = coreClock.cyclesToTicks(c.l1d.latencyCycles + c.l2.latencyCycles);
      links.push(
        new Link(sim, stats, `${name}.core${k}.sri`, core.port, nb.addCorePort(core.writeBacks), {
          latencyPs: c.requestLatency + lookupPs,
          reverseLatencyPs: c.requestLatency,
          bandwidthBytesPerNs: c.requestBytesPerCycle * c.clock,
          credits: 64,
        }),
      );
      if (c.l2.exclusive) {
        // A line is in the L1d or the L2, not both: probes look in each.
        nb.addSnoopedCache(core.l2, null);
        nb.addSnoopedCache(core.l1d, null);
      } else {
        // The L2 includes the L1d (fills go to both; an L2 victim leaves the L1d too).
        nb.addSnoopedCache(core.l2, core.l1d);
      }
      l3?.addCore(core.l2, core.l1d, core.writeBacks);
      nodeCores.push(core);
      cores.push(core);
    }
    nodes.push({ id: n, nb, memory, cores: nodeCores });
  }
  // Memory-only nodes: a controller each, on its own port of the serving socket's northbridge.
  spec.memoryNodes.forEach((mn, k) => {
    const id = nSockets + k;
    const mem = buildMemory(sim, stats, `node${id}.mc`, mn.memory, options);
    new Wire(nodes[mn.attachTo].nb.addMemoryPort(homeMap.bases[id], homeMap.bases[id + 1]), mem.port);
  });

  // Devices: each on its socket's root complex; device memory is a node, registers sit far above memory.
  const devices: DeviceParts[] = [];
  let memNode = firstDeviceNode;
  spec.devices.forEach((d, k) => {
    const memoryNode = d.memory !== undefined ? memNode++ : -1;
    const parts = buildDevice(sim, stats, pool, nodes[d.attachTo].nb, d, {
      index: k,
      memoryNode,
      memBase: memoryNode >= 0 ? homeMap.bases[memoryNode] : 0,
      mmioBase: MMIO_BASE + k * MMIO_STRIDE,
      lineBytes,
      check: options.checkDram === true || options.check === true,
    });
    devices.push(parts);
    links.push(...parts.links);
  });
  const mmio = devices.map((d) => ({ lo: d.handle.mmioBase, hi: d.handle.mmioBase + d.handle.mmioBytes, node: d.handle.attachTo }));
  if (mmio.length > 0) for (const n of nodes) n.nb.setMmioRanges(mmio);

  // Interconnect: one Link per topology edge between sockets or switches.
  const l = spec.link;
  const bw = linkBandwidthBytesPerNs(l.widthBits, l.clock, l.transfersPerClock);
  const switchExtra = spec.topology.kind === "crossbar" ? Math.round(spec.topology.switchLatency / 2) : 0;
  const portOfEdge = new Map<string, Port>();
  const switches = new Map<number, SwitchRouter>();
  for (const v of topology.vertices) {
    if (v.kind === "switch") switches.set(v.id, new SwitchRouter(v.name, nSockets));
  }
  for (const e of topology.edges) {
    const va = topology.vertices[e.a];
    const vb = topology.vertices[e.b];
    if (va.kind === "iohub" || vb.kind === "iohub") continue;
    const end = (vid: number, other: number): Port => {
      const v = topology.vertices[vid];
      const label = `ht${e.id}`;
      const port = v.kind === "socket" ? nodes[vid].nb.addLinkPort(label) : (switches.get(vid) as SwitchRouter).addPort(label);
      portOfEdge.set(`${vid}:${other}`, port);
      return port;
    };
    const pa = end(e.a, e.b);
    const pb = end(e.b, e.a);
    const extra = va.kind === "switch" || vb.kind === "switch" ? switchExtra : 0;
    links.push(new Link(sim, stats, `ht.${va.name}-${vb.name}`, pa, pb, {
        latencyPs: l.latency + extra,
        bandwidthBytesPerNs: bw,
        credits: l.credits,
        cutThrough: l.switching === "cut-through",
        headerBytes: l.headerBytes,
        controlInsertBytes: l.controlInsert,
        maxPacketBytes: Math.max(...Object.values(spec.packets)) + lineBytes,
      }));
  }
  // Routing: each node's (and switch's) next-hop port for every destination socket.
  const portIndexAt = (vid: number, next: number): number => {
    const port = portOfEdge.get(`${vid}:${next}`);
    if (port === undefined) throw new Error(`no link from ${topology.vertices[vid].name} to ${topology.vertices[next].name}`);
    return port.index - 1000;
  };
  // Firmware tables, where the machine file gives them, take the place of shortest paths.
  const fixed = spec.topology.routes;
  // Broadcast trees carry broadcast probes; a directory sends its probes to the nodes it names.
  const trees = fixed?.broadcast != null && spec.coherence === "broadcast" ? broadcastChildren(nSockets, fixed.broadcast) : null;
  for (let n = 0; n < nSockets; n++) {
    const out = new Int32Array(nSockets).fill(-1);
    for (let d = 0; d < nSockets; d++) if (d !== n) out[d] = portIndexAt(n, fixed?.request?.[n][d] ?? routes.nextHop(n, d));
    let back = out;
    if (fixed?.response !== undefined) {
      back = new Int32Array(nSockets).fill(-1);
      for (let d = 0; d < nSockets; d++) if (d !== n) back[d] = portIndexAt(n, fixed.response[n][d]);
    }
    nodes[n].nb.setRoutes(out, back);
    if (trees !== null) nodes[n].nb.setBroadcastTrees(trees[n]);
  }
  for (const [vid, sw] of switches) {
    const out = new Int32Array(nSockets).fill(-1);
    for (let d = 0; d < nSockets; d++) out[d] = portIndexAt(vid, routes.nextHop(vid, d));
    sw.setRoutes(out);
  }
  if (options.check === true) {
    const audit = new CoherenceAudit();
    for (const core of cores) {
      core.audit = audit;
      audit.add(core.name, core.l2, core.node, false);
      // An exclusive L2 does not speak for the L1d: its lines are the L1d's alone.
      if (spec.node.core.l2.exclusive) audit.add(core.name, core.l1d, core.node, false);
    }
    // No link may carry more than its bandwidth in any window.
    for (const l of links) l.audit = new LinkAudit(l.name, l.bandwidthBytesPerNs);
    sharedCaches.forEach((l3, i) => audit.add(`node${i}.l3`, l3.cache, i, true));
  }
  const values = options.check === true ? trackValues(lineBytes, nodes, sharedCaches, devices) : null;
  if (options.trace !== undefined && options.trace.enabled) {
    const trace = options.trace;
    for (const c of cores) c.trace = trace;
    for (const n of nodes) {
      n.nb.trace = trace;
      if (n.memory instanceof SimpleMemory) n.memory.trace = trace;
      else if (n.memory instanceof DramSystem) for (const ch of n.memory.controllers) ch.trace = trace;
    }
    for (const l of links) l.trace = trace;
  }
  return { spec, sim, stats, pool, topology, routes, hops, osHops, memoryNodeCount: nodeSizes.length, nodes, cores, links, homeMap, frames, coreClock, sharedCaches, devices, values };
}

/**
 * Turns value tracking on everywhere data lives or passes: cores (their caches keep versions,
 * loads are checked), shared caches, northbridges (whole-line I/O writes get versions), root
 * complexes (coherent device reads are checked) and device memories. Memories built under
 * `check` already keep versions.
 */
function trackValues(lineBytes: number, nodes: MachineNode[], sharedCaches: SharedCache[], devices: DeviceParts[]): ValueAudit {
  const values = new ValueAudit(lineBytes);
  for (const n of nodes) {
    n.nb.trackValues(values);
    for (const core of n.cores) core.trackValues(values);
  }
  for (const l3 of sharedCaches) l3.cache.trackVersions();
  for (const d of devices) {
    d.rootComplex.values = values;
    d.memory?.trackVersions();
  }
  return values;
}

/** Physical address of the first device's registers (64 TiB: above any memory a machine file can give). */
const MMIO_BASE = 2 ** 46;
/** Address space each device's registers get. */
const MMIO_STRIDE = 2 ** 32;

/** A node's memory controller from its spec: the latency-and-bandwidth one or a bank-level one. */
function buildMemory(sim: Simulator, stats: StatsRegistry, name: string, m: MemorySpec, options: BuildOptions): PortOwner & { readonly port: Port } {
  const memory =
    m.kind === "simple"
      ? new SimpleMemory(sim, stats, name, {
          latencyPs: m.latency,
          peakBandwidthBytesPerNs: m.bandwidth,
          efficiency: m.efficiency,
          queueDepth: m.queue,
          writeBufferDepth: m.writeBuffer,
          writeLowWatermark: m.writeLowWatermark ?? Math.floor(m.writeBuffer / 4),
          writeToReadPs: m.writeToRead,
        })
      : buildValidatedDram(sim, stats, name, m.dram, { check: options.checkDram === true || options.check === true });
  // Value tracking: the memory keeps the version of each line written to it.
  if (options.check === true) memory.trackVersions();
  return memory;
}
