import type { DeviceLinkSpec, DeviceSpec } from "../config/device-spec.ts";
import type { MessagePool } from "../kernel/message.ts";
import type { Simulator } from "../kernel/simulator.ts";
import { buildValidatedDram } from "../mem/dram/build-dram.ts";
import type { DramSystem } from "../mem/dram/dram-system.ts";
import type { Northbridge } from "../mem/northbridge.ts";
import { Link } from "../net/link.ts";
import { Wire } from "../net/wire.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import { deviceHandle, type DeviceHandle } from "./device-handle.ts";
import { DeviceControl } from "./device-control.ts";
import { DeviceRouter } from "./device-router.ts";
import { DmaEngine } from "./dma-engine.ts";
import { GpuAgent } from "./gpu/gpu-agent.ts";
import { MmioRegisters } from "./mmio-registers.ts";
import { coherentLinkConfig, connectFabricLink, onDieLinkConfig, pcieLinkConfig, type FabricLinkConfig, type PcieGen } from "./pcie.ts";
import { RootComplex } from "./root-complex.ts";

/** The parts of a built device, for the binder and for tests. */
export interface DeviceParts {
  handle: DeviceHandle;
  link: FabricLinkConfig;
  rootComplex: RootComplex;
  router: DeviceRouter;
  dma: DmaEngine;
  registers: MmioRegisters;
  control: DeviceControl;
  /** The device's own memory, if it has any. */
  memory: DramSystem | null;
  gpu: GpuAgent | null;
  /** The links the device added (the device link, the root complex's port on the northbridge). */
  links: Link[];
}

/** Where the builder puts a device in the machine. */
export interface DevicePlacement {
  index: number;
  /** NUMA node of its memory, or -1. */
  memoryNode: number;
  memBase: number;
  mmioBase: number;
  lineBytes: number;
  check: boolean;
}

/**
 * Requests the device router tracks at once: enough for an HBM system's bandwidth-delay product
 * (1.5 TB/s x ~150 ns is about 3,600 lines).
 */
const ROUTER_REQUESTS = 4096;

/** The timing of a device link from its spec (completions are never smaller than a host line). */
export function linkConfigOf(l: DeviceLinkSpec, lineBytes = 64): FabricLinkConfig {
  switch (l.kind) {
    case "pcie":
      return pcieLinkConfig({ gen: l.gen as PcieGen, lanes: l.lanes, latencyPs: l.latency, maxPayloadBytes: Math.max(l.maxPayload, lineBytes), maxReadRequestBytes: Math.max(l.maxReadRequest, lineBytes), completionBytes: Math.max(l.readCompletion, lineBytes), tags: l.tags });
    case "coherent":
      return coherentLinkConfig({ widthBits: l.widthBits, clockGHz: l.clock, transfersPerClock: l.transfersPerClock, latencyPs: l.latency, requestHeaderBytes: l.headerBytes });
    case "on-die":
      return onDieLinkConfig({ bytesPerNs: l.bandwidth, latencyPs: l.latency });
  }
}

/**
 * Builds a device and wires it to its socket: a root complex on an I/O port of the socket's
 * northbridge (which also routes the device's memory range and register range to it), the device
 * link, the router at the device end with the device memory, register block, DMA engine, command
 * processor and GPU behind it.
 */
export function buildDevice(sim: Simulator, stats: StatsRegistry, pool: MessagePool, nb: Northbridge, spec: DeviceSpec, at: DevicePlacement): DeviceParts {
  const name = spec.name;
  const handle = deviceHandle(spec, at.index, at.memoryNode, at.memBase, at.mmioBase);
  const link = linkConfigOf(spec.link, at.lineBytes);
  const memLo = at.memBase;
  const memHi = at.memBase + handle.memBytes;
  const mmioLo = at.mmioBase;
  const mmioHi = at.mmioBase + handle.mmioBytes;
  const rc = new RootComplex(sim, stats, pool, `${name}.rc`, { link, lineBytes: at.lineBytes });
  const links: Link[] = [];
  // The root port's path into the socket's fabric: twice the device link's rate, so the link is the bottleneck.
  links.push(
    new Link(sim, stats, `${name}.rc.port`, rc.nbPort, nb.addIoPort(), {
      latencyPs: 10_000,
      bandwidthBytesPerNs: Math.max(64, 2 * link.bytesPerNs),
      credits: 256,
    }),
  );
  const hostSide = memHi > memLo ? nb.addMemoryPort(memLo, memHi) : nb.addMemoryPort(mmioLo, mmioHi);
  if (memHi > memLo) nb.addMemoryRange(hostSide, mmioLo, mmioHi);
  new Wire(hostSide, rc.hostMemPort);
  const router = new DeviceRouter(sim, stats, pool, `${name}.router`, { link, lineBytes: at.lineBytes, deviceMemLo: memLo, deviceMemHi: memHi, mmioLo, mmioHi, maxRequests: ROUTER_REQUESTS });
  links.push(connectFabricLink(sim, stats, `${name}.link`, rc.linkPort, router.linkPort, link));
  let memory: DramSystem | null = null;
  if (spec.memory !== undefined) {
    // The router has one port to all channels: a backlog per channel, as deep as the router's
    // request slots, keeps a full (or refreshing) channel from blocking the others behind it.
    memory = buildValidatedDram(sim, stats, `${name}.mem`, spec.memory.dram, { check: at.check, channelBacklog: ROUTER_REQUESTS });
    new Wire(router.memPort, memory.port);
  }
  const registers = new MmioRegisters(sim, stats, pool, `${name}.regs`, { baseAddr: mmioLo, sizeBytes: handle.mmioBytes, readLatencyPs: spec.mmio.readLatency, writeLatencyPs: spec.mmio.writeLatency });
  new Wire(router.regPort, registers.port);
  const dma = new DmaEngine(sim, stats, pool, `${name}.dma`, {
    readChunkBytes: link.maxReadRequestBytes,
    writeChunkBytes: link.maxPayloadBytes,
    maxOutstandingReads: spec.dma.outstanding,
    maxOutstandingWrites: spec.dma.outstanding,
    deviceMemLo: memLo,
    deviceMemHi: memHi,
  });
  new Wire(dma.port, router.addAgentPort("dma"));
  const control = new DeviceControl(sim, stats, `${name}.cp`, registers, dma, handle.mailbox, memLo, at.lineBytes);
  let gpu: GpuAgent | null = null;
  const g = spec.gpu;
  if (g !== undefined) {
    gpu = new GpuAgent(sim, stats, pool, `${name}.gpu`, {
      clockGHz: g.clock,
      computeUnits: g.computeUnits,
      wavefrontLanes: g.lanes,
      waveSlotsPerCu: g.wavefrontSlots,
      aluCyclesPerMemInstr: g.computeCycles,
      lineBytes: at.lineBytes,
      l1: { sizeBytes: g.l1.size, assoc: g.l1.assoc, latencyCycles: g.l1.latencyCycles, mshrs: g.l1.mshrs },
      l2: { sizeBytes: g.l2.size, assoc: g.l2.assoc, latencyCycles: g.l2.latencyCycles, banks: g.l2.banks, mshrsPerBank: g.l2.mshrs },
      l1Tlb: { entries: g.l1Tlb.entries, latencyCycles: g.l1Tlb.latencyCycles },
      l2Tlb: { entries: g.l2Tlb.entries, assoc: g.l2Tlb.assoc, latencyCycles: g.l2Tlb.latencyCycles, outstandingMisses: g.l2Tlb.outstanding },
    });
    new Wire(gpu.memPort, router.addAgentPort("gpu.mem"));
    new Wire(gpu.xlatPort, router.addAgentPort("gpu.xlat", { translates: true }));
  }
  return { handle, link, rootComplex: rc, router, dma, registers, control, memory, gpu, links };
}
