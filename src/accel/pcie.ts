import type { Message, MessagePool } from "../kernel/message.ts";
import type { Port } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import { Link } from "../net/link.ts";

/**
 * Host-device link arithmetic. Everything the root complex and the device router need to size
 * a transaction-layer packet (TLP) on the wire lives in a FabricLinkConfig; three builders make
 * one: a PCIe link (generation, lanes), a coherent link (HyperTransport / xGMI-like: width x clock
 * x transfers per clock, small packet headers) and an on-die link (a GPU on the CPU die).
 *
 * Data-link-layer overhead is modelled as real reverse-direction packets: each end counts the
 * TLPs it receives and, every `ackEveryTlps` of them, sends an ACK DLLP, and every
 * `updateFcEveryTlps`, an UpdateFC DLLP (`dllpBytes` each) on its own transmit direction, where
 * they take serialisation time from that direction's TLPs. A one-way stream therefore pays its
 * DLLPs on the otherwise quiet reverse direction, and bidirectional traffic pays on both.
 * Ordered sets (SKP) are a derived fraction of the raw bit rate (one SKP ordered set per interval).
 */

/** PCIe generations modelled. */
export type PcieGen = 1 | 2 | 3 | 4 | 5;

/** Raw signalling rate per lane in GT/s, by generation. */
export const PCIE_GT_PER_LANE: Readonly<Record<PcieGen, number>> = { 1: 2.5, 2: 5, 3: 8, 4: 16, 5: 32 };

/** Message kind of a DLLP (ACK / UpdateFC) on a fabric link: discarded by the receiving end. */
export const DLLP_KIND = 1001;

/** Payload bits per line bit: 8b/10b for gen1-2, 128b/130b for gen3 and later. */
export function pcieEncodingEfficiency(gen: PcieGen): number {
  return gen <= 2 ? 8 / 10 : 128 / 130;
}

/** Theoretical bytes per ns (= GB/s) in each direction after line encoding, before packet overheads. */
export function pcieTheoreticalBytesPerNs(gen: PcieGen, lanes: number): number {
  return (PCIE_GT_PER_LANE[gen] * lanes * pcieEncodingEfficiency(gen)) / 8;
}

/**
 * Bytes of framing each TLP carries besides its header and payload: gen1-2 STP (1) + sequence
 * number (2) + LCRC (4) + END (1); gen3+ a 4-byte STP token holding the sequence number + LCRC (4).
 */
export function pcieTlpFramingBytes(gen: PcieGen): number {
  return gen <= 2 ? 1 + 2 + 4 + 1 : 4 + 4;
}

/**
 * Fraction of the line time taken by SKP ordered sets: gen1-2 send 4 symbols every
 * `intervalSymbols` symbol times (1180-1538 allowed); gen3+ one block every `intervalBlocks`
 * 130-bit blocks (370-375 allowed).
 */
export function pcieSkpFraction(gen: PcieGen, intervalSymbols = 1180, intervalBlocks = 370): number {
  return gen <= 2 ? 4 / (intervalSymbols + 4) : 1 / (intervalBlocks + 1);
}

/** Everything needed to time TLPs on a host-device link (one value per direction, both alike). */
export interface FabricLinkConfig {
  /** Which builder made it. */
  kind: "pcie" | "coherent" | "on-die";
  /** Bytes per ns available to packets in each direction (after encoding and ordered sets). */
  bytesPerNs: number;
  /** Theoretical bytes per ns in each direction after line encoding only (what data sheets quote). */
  theoreticalBytesPerNs: number;
  /** One-way flight time (PHY and data-link layer of both ends plus the wire), in ps. */
  latencyPs: number;
  /** TLPs a direction may hold between acceptance and delivery (receiver buffer credits). */
  credits: number;
  /** Framing bytes per TLP (start token, sequence number, LCRC, end). */
  framingBytes: number;
  /** Header bytes of a request to an address below 4 GiB (32-bit addressing). */
  header32Bytes: number;
  /** Header bytes of a request to an address at or above 4 GiB (64-bit addressing). */
  header64Bytes: number;
  /** Header bytes of a completion. */
  completionHeaderBytes: number;
  /** Largest write payload per TLP (MPS), in bytes. */
  maxPayloadBytes: number;
  /** Largest read request per TLP (MRRS), in bytes. */
  maxReadRequestBytes: number;
  /** Read completion boundary: the completer returns read data in pieces of this size, in bytes. */
  completionBytes: number;
  /** Non-posted requests (reads) a requester may have outstanding (tags). */
  tags: number;
  /** Bytes of one DLLP on the wire (0: no data-link-layer packets). */
  dllpBytes: number;
  /** An ACK DLLP goes back for every this many TLPs received (0: none). */
  ackEveryTlps: number;
  /** An UpdateFC DLLP goes back for every this many TLPs received (0: none). */
  updateFcEveryTlps: number;
  /** Payload bytes of an MMIO register access. */
  mmioPayloadBytes: number;
}

/** Parameters of a PCIe link (defaults in brackets). */
export interface PcieLinkParams {
  /** Generation 1-5. */
  gen: PcieGen;
  /** Lanes [16]. */
  lanes?: number;
  /** One-way latency, PHY plus data-link layer of both ends, in ps [100 000]. */
  latencyPs?: number;
  /** Max payload size in bytes [256]. */
  maxPayloadBytes?: number;
  /** Max read request size in bytes [512]. */
  maxReadRequestBytes?: number;
  /** Read completion boundary in bytes [64]. */
  completionBytes?: number;
  /** Outstanding non-posted tags [256]. */
  tags?: number;
  /** Receiver buffer credits, in TLPs [128]. */
  credits?: number;
  /** ACK DLLP per this many TLPs received [4]. */
  ackEveryTlps?: number;
  /** UpdateFC DLLP per this many TLPs received [4]. */
  updateFcEveryTlps?: number;
  /** Gen1-2 SKP interval in symbol times [1180]. */
  skpIntervalSymbols?: number;
  /** Gen3+ SKP interval in blocks [370]. */
  skpIntervalBlocks?: number;
  /** MMIO access payload in bytes [4]. */
  mmioPayloadBytes?: number;
}

/** Builds the timing of a PCIe link from its generation, width and protocol limits. */
export function pcieLinkConfig(p: PcieLinkParams): FabricLinkConfig {
  const lanes = p.lanes ?? 16;
  if (!(p.gen >= 1 && p.gen <= 5)) throw new Error(`PCIe generation must be 1-5, got ${p.gen}`);
  if (![1, 2, 4, 8, 12, 16, 32].includes(lanes)) throw new Error(`PCIe lanes must be 1, 2, 4, 8, 12, 16 or 32, got ${lanes}`);
  const theoretical = pcieTheoreticalBytesPerNs(p.gen, lanes);
  const cfg: FabricLinkConfig = {
    kind: "pcie",
    theoreticalBytesPerNs: theoretical,
    bytesPerNs: theoretical * (1 - pcieSkpFraction(p.gen, p.skpIntervalSymbols, p.skpIntervalBlocks)),
    latencyPs: p.latencyPs ?? 100_000,
    credits: p.credits ?? 128,
    framingBytes: pcieTlpFramingBytes(p.gen),
    header32Bytes: 12,
    header64Bytes: 16,
    completionHeaderBytes: 12,
    maxPayloadBytes: p.maxPayloadBytes ?? 256,
    maxReadRequestBytes: p.maxReadRequestBytes ?? 512,
    completionBytes: p.completionBytes ?? 64,
    tags: p.tags ?? 256,
    // A DLLP is 6 bytes plus 2 of framing: SDP token on gen3+, SDP and END symbols on gen1-2.
    dllpBytes: 8,
    ackEveryTlps: p.ackEveryTlps ?? 4,
    updateFcEveryTlps: p.updateFcEveryTlps ?? 4,
    mmioPayloadBytes: p.mmioPayloadBytes ?? 4,
  };
  checkConfig(cfg);
  return cfg;
}

/** Parameters of a coherent (HyperTransport / xGMI-like) link (defaults in brackets). */
export interface CoherentLinkParams {
  /** Data width per direction in bits. */
  widthBits: number;
  /** Link clock in GHz. */
  clockGHz: number;
  /** Transfers per clock [2, double data rate]. */
  transfersPerClock?: number;
  /** One-way latency in ps [40 000]. */
  latencyPs?: number;
  /** Request packet header bytes [8, HyperTransport sized read/write command]. */
  requestHeaderBytes?: number;
  /** Response packet header bytes [4, HyperTransport read response]. */
  responseHeaderBytes?: number;
  /** Largest data payload per packet [64]. */
  maxPayloadBytes?: number;
  /** Outstanding reads [64]. */
  tags?: number;
  /** Buffer credits in packets [64]. */
  credits?: number;
  /** Fraction of link time spent on CRC windows and flow-control NOPs [0]. */
  overheadFraction?: number;
}

/** Builds the timing of a coherent link: bandwidth = width x clock x transfers, small headers, no DLLPs. */
export function coherentLinkConfig(p: CoherentLinkParams): FabricLinkConfig {
  const raw = (p.widthBits / 8) * p.clockGHz * (p.transfersPerClock ?? 2);
  const payload = p.maxPayloadBytes ?? 64;
  const cfg: FabricLinkConfig = {
    kind: "coherent",
    theoreticalBytesPerNs: raw,
    bytesPerNs: raw * (1 - (p.overheadFraction ?? 0)),
    latencyPs: p.latencyPs ?? 40_000,
    credits: p.credits ?? 64,
    framingBytes: 0,
    header32Bytes: p.requestHeaderBytes ?? 8,
    header64Bytes: p.requestHeaderBytes ?? 8,
    completionHeaderBytes: p.responseHeaderBytes ?? 4,
    maxPayloadBytes: payload,
    maxReadRequestBytes: payload,
    completionBytes: payload,
    tags: p.tags ?? 64,
    dllpBytes: 0,
    ackEveryTlps: 0,
    updateFcEveryTlps: 0,
    mmioPayloadBytes: 4,
  };
  checkConfig(cfg);
  return cfg;
}

/** Parameters of an on-die link between a CPU's uncore and an integrated GPU (defaults in brackets). */
export interface OnDieLinkParams {
  /** Bytes per ns each way [64]. */
  bytesPerNs?: number;
  /** One-way latency in ps [5 000]. */
  latencyPs?: number;
  /** Header bytes per packet [8]. */
  headerBytes?: number;
  /** Line (and largest packet payload) size in bytes [64]. */
  lineBytes?: number;
  /** Outstanding reads [256]. */
  tags?: number;
  /** Buffer credits in packets [256]. */
  credits?: number;
}

/** Builds the timing of an on-die link: wide, a few ns, line-sized packets with a small header. */
export function onDieLinkConfig(p: OnDieLinkParams = {}): FabricLinkConfig {
  const bw = p.bytesPerNs ?? 64;
  const h = p.headerBytes ?? 8;
  const line = p.lineBytes ?? 64;
  const cfg: FabricLinkConfig = {
    kind: "on-die",
    theoreticalBytesPerNs: bw,
    bytesPerNs: bw,
    latencyPs: p.latencyPs ?? 5_000,
    credits: p.credits ?? 256,
    framingBytes: 0,
    header32Bytes: h,
    header64Bytes: h,
    completionHeaderBytes: h,
    maxPayloadBytes: line,
    maxReadRequestBytes: line,
    completionBytes: line,
    tags: p.tags ?? 256,
    dllpBytes: 0,
    ackEveryTlps: 0,
    updateFcEveryTlps: 0,
    mmioPayloadBytes: 4,
  };
  checkConfig(cfg);
  return cfg;
}

function checkConfig(c: FabricLinkConfig): void {
  const pow2 = (x: number): boolean => x > 0 && (x & (x - 1)) === 0;
  if (!(c.bytesPerNs > 0)) throw new Error("fabric link: bandwidth must be positive");
  if (!pow2(c.maxPayloadBytes) || c.maxPayloadBytes > 4096) throw new Error(`fabric link: max payload ${c.maxPayloadBytes} must be a power of two up to 4096`);
  if (!pow2(c.maxReadRequestBytes) || c.maxReadRequestBytes > 4096) throw new Error(`fabric link: max read request ${c.maxReadRequestBytes} must be a power of two up to 4096`);
  if (!pow2(c.completionBytes) || c.completionBytes < 64) throw new Error(`fabric link: completion boundary ${c.completionBytes} must be a power of two of at least 64`);
  if (!(c.tags >= 1 && Number.isInteger(c.tags))) throw new Error("fabric link: needs at least one tag");
  if (!Number.isInteger(c.latencyPs) || c.latencyPs < 0) throw new Error("fabric link: latency must be a whole number of ps");
}

/** Header bytes of a request TLP to `addr` (64-bit addressing above 4 GiB). */
export function requestHeaderBytes(c: FabricLinkConfig, addr: number): number {
  return addr >= 4294967296 ? c.header64Bytes : c.header32Bytes;
}

/** Wire bytes of a read request TLP (no payload). */
export function readRequestTlpBytes(c: FabricLinkConfig, addr: number): number {
  return c.framingBytes + requestHeaderBytes(c, addr);
}

/** Wire bytes of a posted write TLP carrying `payloadBytes`. */
export function writeTlpBytes(c: FabricLinkConfig, addr: number, payloadBytes: number): number {
  return c.framingBytes + requestHeaderBytes(c, addr) + payloadBytes;
}

/** Wire bytes of a completion TLP carrying `payloadBytes` (0: a completion without data). */
export function completionTlpBytes(c: FabricLinkConfig, payloadBytes: number): number {
  return c.framingBytes + c.completionHeaderBytes + payloadBytes;
}

/**
 * Fraction of a direction's bandwidth a stream of `payloadBytes`-byte TLPs delivers as payload,
 * counting TLP header and framing and the SKP ordered sets (not DLLPs, which travel the other way).
 */
export function payloadEfficiency(c: FabricLinkConfig, payloadBytes: number, headerBytes: number): number {
  return (payloadBytes / (payloadBytes + headerBytes + c.framingBytes)) * (c.bytesPerNs / c.theoreticalBytesPerNs);
}

/** Connects two ports (the root complex's and the device router's) with a kernel Link timed by `c`. */
export function connectFabricLink(sim: Simulator, stats: StatsRegistry, name: string, hostPort: Port, devicePort: Port, c: FabricLinkConfig): Link {
  return new Link(sim, stats, name, hostPort, devicePort, { latencyPs: c.latencyPs, bandwidthBytesPerNs: c.bytesPerNs, credits: c.credits, cutThrough: false });
}

/**
 * One end's data-link layer: counts TLPs received and says when ACK / UpdateFC DLLPs are due on
 * the end's transmit direction; counts DLLPs received.
 */
export class DllpCounter {
  private ackLeft: number;
  private fcLeft: number;
  private readonly c: FabricLinkConfig;
  private readonly stSent: Counter;
  private readonly stReceived: Counter;

  constructor(stats: StatsRegistry, name: string, c: FabricLinkConfig) {
    this.c = c;
    this.ackLeft = c.ackEveryTlps;
    this.fcLeft = c.updateFcEveryTlps;
    this.stSent = stats.counter(`${name}.dllpsSent`, "count", "ACK and UpdateFC DLLPs sent");
    this.stReceived = stats.counter(`${name}.dllpsReceived`, "count", "DLLPs received (discarded)");
  }

  /** Call for each TLP received: the DLLP bytes to send back now (0 when none is due). */
  tlpReceived(): number {
    if (this.c.dllpBytes === 0) return 0;
    let n = 0;
    if (this.c.ackEveryTlps > 0 && --this.ackLeft === 0) {
      this.ackLeft = this.c.ackEveryTlps;
      n++;
    }
    if (this.c.updateFcEveryTlps > 0 && --this.fcLeft === 0) {
      this.fcLeft = this.c.updateFcEveryTlps;
      n++;
    }
    this.stSent.value += n;
    return n * this.c.dllpBytes;
  }

  /** Builds the DLLP message for `bytes` returned by tlpReceived (ACK and UpdateFC due together go as one). */
  dllp(pool: MessagePool, bytes: number): Message {
    const m = pool.get();
    m.kind = DLLP_KIND;
    m.sizeBytes = bytes;
    return m;
  }

  /** Counts a DLLP that arrived (its message is returned to the pool by the caller). */
  received(msg: Message): void {
    this.stReceived.value += msg.sizeBytes / (this.c.dllpBytes > 0 ? this.c.dllpBytes : 1);
  }
}
