import { describe, expect, it } from "vitest";
import { machine } from "../../integration/numa-helpers.ts";
import { buildMachine, type Machine } from "../../../src/machine/build-machine.ts";
import { buildDram } from "../../../src/mem/dram/dram-spec.ts";
import { MsgKind } from "../../../src/mem/msg-kind.ts";
import { Link } from "../../../src/net/link.ts";
import { Wire } from "../../../src/net/wire.ts";
import { Port, type PortOwner } from "../../../src/kernel/port.ts";
import type { Message } from "../../../src/kernel/message.ts";
import { coherentLinkConfig, completionTlpBytes, connectFabricLink, onDieLinkConfig, pcieLinkConfig, readRequestTlpBytes, writeTlpBytes, type FabricLinkConfig, type PcieLinkParams } from "../../../src/accel/pcie.ts";
import { RootComplex } from "../../../src/accel/root-complex.ts";
import { DeviceRouter } from "../../../src/accel/device-router.ts";
import { DmaEngine } from "../../../src/accel/dma-engine.ts";
import { MmioRegisters } from "../../../src/accel/mmio-registers.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** A test endpoint: records what arrives (time, kind, fields) and sends what it is told to. */
class Probe implements PortOwner {
  readonly name = "probe";
  readonly port: Port;
  readonly got: { at: number; kind: number; addr: number; aux: number; txnId: number; src: number; issuedAt: number; dst: number }[] = [];
  onRecv: ((m: Message) => void) | null = null;
  constructor(private readonly m: Machine) {
    this.port = new Port(this, "probe.port");
  }
  recv(_p: Port, msg: Message): boolean {
    this.got.push({ at: this.m.sim.now, kind: msg.kind, addr: msg.addr, aux: msg.aux, txnId: msg.txnId, src: msg.src, issuedAt: msg.issuedAt, dst: msg.dst });
    if (this.onRecv !== null) this.onRecv(msg);
    else this.m.pool.put(msg);
    return true;
  }
  wake(): void {}
  send(kind: number, addr: number, fields: Partial<Message> = {}): void {
    const m = this.m.pool.get();
    m.kind = kind;
    m.addr = addr;
    m.sizeBytes = 8;
    Object.assign(m, fields);
    if (!this.port.send(m)) throw new Error("probe: refused");
  }
}

interface Rig {
  m: Machine;
  cfg: FabricLinkConfig;
  rc: RootComplex;
  router: DeviceRouter;
  dma: DmaEngine;
  regs: MmioRegisters;
  devLo: number;
  mmioLo: number;
  /** Stands in for the northbridge's memory side when `hostMemProbe` is set. */
  hostMem: Probe | null;
}

/**
 * A one-socket Skylake-SP host (the xeon-2s machine file, one socket), a root complex on an I/O
 * port of its northbridge, a PCIe link to a device router with 8 channels of HBM2, a register
 * block and a DMA engine.
 */
function rig(pcie: Partial<PcieLinkParams> = {}, opts: { hostMemProbe?: boolean; link?: FabricLinkConfig } = {}): Rig {
  const m = buildMachine(machine("machines/xeon-2s.yaml", "topology.nodes=1", "topology.edges=[]"), { check: true });
  const { sim, stats, pool } = m;
  const nb = m.nodes[0].nb;
  const cfg = opts.link ?? pcieLinkConfig({ gen: 4, lanes: 16, ...pcie });
  // Device memory sits above the host's, where the one-socket home map sends it to node 0.
  const devLo = m.homeMap.interleaveBase;
  const devHi = devLo + 8 * GiB;
  const mmioLo = devHi;
  const rc = new RootComplex(sim, stats, pool, "rc", { link: cfg });
  const ioPort = (nb as unknown as { addIoPort?: () => Port }).addIoPort?.call(nb) ?? nb.addCorePort();
  new Link(sim, stats, "rc.nb", rc.nbPort, ioPort, { latencyPs: 14_000, bandwidthBytesPerNs: 64, credits: 64 });
  let hostMem: Probe | null = null;
  if (opts.hostMemProbe === true) {
    hostMem = new Probe(m);
    new Wire(hostMem.port, rc.hostMemPort);
  } else new Wire(nb.addMemoryPort(devLo, devHi), rc.hostMemPort);
  const router = new DeviceRouter(sim, stats, pool, "dev.router", { link: cfg, deviceMemLo: devLo, deviceMemHi: devHi, mmioLo, mmioHi: mmioLo + 64 * KiB });
  connectFabricLink(sim, stats, "pcie", rc.linkPort, router.linkPort, cfg);
  const hbm = buildDram(sim, stats, "dev.hbm", { preset: "hbm2", channels: 8 }, { check: true });
  new Wire(router.memPort, hbm.port);
  const regs = new MmioRegisters(sim, stats, pool, "dev.regs", { baseAddr: mmioLo, sizeBytes: 64 * KiB, readLatencyPs: 50_000, writeLatencyPs: 20_000 });
  new Wire(router.regPort, regs.port);
  const dma = new DmaEngine(sim, stats, pool, "dev.dma", { readChunkBytes: cfg.maxReadRequestBytes, writeChunkBytes: cfg.maxPayloadBytes, deviceMemLo: devLo, deviceMemHi: devHi });
  new Wire(router.addAgentPort("dma"), dma.port);
  return { m, cfg, rc, router, dma, regs, devLo, mmioLo, hostMem };
}

/** Runs one copy to completion on a fresh rig... or the given one; returns GB/s (submit to done). */
function copyGBs(r: Rig, dir: "h2d" | "d2h", bytes: number): number {
  const sim = r.m.sim;
  const host = 256 * MiB;
  const dev = r.devLo + 64 * MiB;
  let doneAt = -1;
  const t0 = sim.now;
  const done = { name: "done", handleEvent: () => (doneAt = sim.now) };
  if (dir === "h2d") r.dma.submit({ src: host, dst: dev, bytes, snoop: true }, done, 0, null);
  else r.dma.submit({ src: dev, dst: host, bytes, snoop: true }, done, 0, null);
  sim.runUntil(() => doneAt >= 0);
  expect(doneAt).toBeGreaterThan(t0);
  // Let stragglers (SrcDones, DLLPs, write-backs) land before the next copy.
  sim.run(sim.now + 5_000_000);
  expect(r.rc.outstanding()).toBeNull();
  expect(r.router.outstanding()).toBeNull();
  return (bytes * 1000) / (doneAt - t0);
}

/** Payload share of a stream of TLPs of `payload` bytes with `header` bytes of header, on this link. */
function bound(cfg: FabricLinkConfig, payload: number, header: number): number {
  return (cfg.bytesPerNs * payload) / (payload + header + cfg.framingBytes);
}

describe("host-device fabric: DMA bandwidth", () => {
  it("rises with transfer size to a plateau set by TLP overheads (gen4 x16)", () => {
    const sizes = [4 * KiB, 64 * KiB, 1 * MiB, 16 * MiB];
    const r = rig();
    const h2d = sizes.map((s) => copyGBs(r, "h2d", s));
    const d2h = sizes.map((s) => copyGBs(r, "d2h", s));
    const cfg = r.cfg;
    // Host completions come in RCB pieces with a 12-byte header; device writes to host memory
    // below 4 GiB carry a 12-byte (32-bit address) header.
    const h2dBound = bound(cfg, cfg.completionBytes, cfg.completionHeaderBytes);
    const d2hBound = bound(cfg, cfg.maxPayloadBytes, cfg.header32Bytes);
    console.log(`gen4 x16 theoretical ${cfg.theoreticalBytesPerNs.toFixed(2)} GB/s, after SKP ${cfg.bytesPerNs.toFixed(2)}`);
    console.log(`  H2D GB/s ${sizes.map((s, i) => `${s / KiB}KiB=${h2d[i].toFixed(2)}`).join(" ")}  (TLP bound ${h2dBound.toFixed(2)})`);
    console.log(`  D2H GB/s ${sizes.map((s, i) => `${s / KiB}KiB=${d2h[i].toFixed(2)}`).join(" ")}  (TLP bound ${d2hBound.toFixed(2)})`);
    for (const v of [h2d, d2h]) {
      for (let i = 1; i < v.length; i++) expect(v[i]).toBeGreaterThan(v[i - 1] * 0.99);
      // Small copies are latency-bound: well below the plateau.
      expect(v[0]).toBeLessThan(v[v.length - 1] * 0.6);
      expect(v[v.length - 1]).toBeLessThan(cfg.theoreticalBytesPerNs);
    }
    // The plateau is what the link's TLP overhead leaves (within the DLLPs and turnaround).
    expect(h2d[3]).toBeLessThanOrEqual(h2dBound * 1.001);
    expect(h2d[3]).toBeGreaterThan(h2dBound * 0.95);
    expect(d2h[3]).toBeLessThanOrEqual(d2hBound * 1.001);
    expect(d2h[3]).toBeGreaterThan(d2hBound * 0.95);
    // The link itself carried payload plus that overhead: completions downstream, reads upstream.
    const s = r.m.stats;
    const wireBytes = s.value("pcie.fwd.bytes") + s.value("pcie.rev.bytes");
    const payload = 2 * sizes.reduce((a, b) => a + b, 0);
    console.log(`  wire bytes / payload bytes = ${(wireBytes / payload).toFixed(4)}; DLLPs sent host ${s.value("rc.link.dllpsSent")}, device ${s.value("dev.router.link.dllpsSent")}`);
    expect(wireBytes / payload).toBeGreaterThan(1.1);
    expect(s.value("rc.link.dllpsSent")).toBeGreaterThan(0);
  }, 120_000);

  it("moves the plateau up with a larger MPS (D2H) and a 128-byte RCB (H2D)", () => {
    const size = 4 * MiB;
    const base = rig();
    const d2h256 = copyGBs(base, "d2h", size);
    const h2d64 = copyGBs(base, "h2d", size);
    const big = rig({ maxPayloadBytes: 512, completionBytes: 128 });
    const d2h512 = copyGBs(big, "d2h", size);
    const h2d128 = copyGBs(big, "h2d", size);
    console.log(`  D2H 4 MiB: MPS 256 ${d2h256.toFixed(2)} -> MPS 512 ${d2h512.toFixed(2)} GB/s (bounds ${bound(base.cfg, 256, 12).toFixed(2)} / ${bound(big.cfg, 512, 12).toFixed(2)})`);
    console.log(`  H2D 4 MiB: RCB 64 ${h2d64.toFixed(2)} -> RCB 128 ${h2d128.toFixed(2)} GB/s (bounds ${bound(base.cfg, 64, 12).toFixed(2)} / ${bound(big.cfg, 128, 12).toFixed(2)})`);
    expect(d2h512).toBeGreaterThan(d2h256 * 1.02);
    expect(h2d128).toBeGreaterThan(h2d64 * 1.08);
    expect(h2d128).toBeLessThanOrEqual(bound(big.cfg, 128, 12) * 1.001);
    expect(d2h512).toBeLessThanOrEqual(bound(big.cfg, 512, 12) * 1.001);
  }, 120_000);

  it("caps host-to-device bandwidth with few read tags", () => {
    const size = 2 * MiB;
    const bw = [4, 8, 256].map((tags) => copyGBs(rig({ tags }), "h2d", size));
    const cfg = pcieLinkConfig({ gen: 4 });
    // A tag is busy at least a round trip of the link: tags x MRRS per 2 x one-way latency.
    const cap4 = (4 * cfg.maxReadRequestBytes * 1000) / (2 * cfg.latencyPs);
    console.log(`  H2D 2 MiB GB/s with 4 / 8 / 256 tags: ${bw.map((b) => b.toFixed(2)).join(" / ")} (4-tag round-trip cap ${cap4.toFixed(2)})`);
    expect(bw[0]).toBeLessThan(cap4);
    expect(bw[1]).toBeGreaterThan(bw[0] * 1.6);
    expect(bw[2]).toBeGreaterThan(bw[1] * 1.3);
  }, 120_000);
});

describe("host-device fabric: other link flavours", () => {
  it("runs DMA over a coherent (HyperTransport-like) link and an on-die link, bounded by their packet headers", () => {
    const ht = coherentLinkConfig({ widthBits: 32, clockGHz: 3.2, latencyPs: 40_000 });
    const die = onDieLinkConfig({ bytesPerNs: 64, latencyPs: 5_000 });
    const size = 1 * MiB;
    const htH2d = copyGBs(rig({}, { link: ht }), "h2d", size);
    const dieRig = rig({}, { link: die });
    const dieH2d = copyGBs(dieRig, "h2d", size);
    const dieD2h = copyGBs(dieRig, "d2h", size);
    console.log(`  HT3 x32 3.2 GHz H2D ${htH2d.toFixed(2)} GB/s (bound ${bound(ht, 64, 4).toFixed(2)}); on-die 64 B/ns H2D ${dieH2d.toFixed(2)}, D2H ${dieD2h.toFixed(2)} GB/s (bound ${bound(die, 64, 8).toFixed(2)})`);
    expect(htH2d).toBeLessThanOrEqual(bound(ht, 64, 4) * 1.001);
    expect(htH2d).toBeGreaterThan(bound(ht, 64, 4) * 0.85);
    expect(dieH2d).toBeLessThanOrEqual(bound(die, 64, 8) * 1.001);
    expect(dieH2d).toBeGreaterThan(htH2d);
  }, 60_000);
});

describe("host-device fabric: MMIO", () => {
  it("a register read pays both link directions and the register latency; later accesses wait", () => {
    const r = rig({}, { hostMemProbe: true });
    const probe = r.hostMem as Probe;
    const sim = r.m.sim;
    r.regs.setValue(0x10, 0xabc);
    r.regs.setValue(0x18, 0x123);
    probe.send(MsgKind.MmioRead, r.mmioLo + 0x10, { src: 7, txnId: 42, issuedAt: 1234 });
    probe.send(MsgKind.MmioRead, r.mmioLo + 0x18, { src: 7, txnId: 43, issuedAt: 1235 });
    sim.run();
    expect(probe.got.map((g) => g.kind)).toEqual([MsgKind.MmioReadResp, MsgKind.MmioReadResp]);
    const [a, b] = probe.got;
    expect([a.aux, a.src, a.txnId, a.issuedAt]).toEqual([0xabc, 7, 42, 1234]);
    expect([b.aux, b.src, b.txnId, b.issuedAt]).toEqual([0x123, 7, 43, 1235]);
    const cfg = r.cfg;
    const ser = (bytes: number): number => Math.ceil((bytes * 1000) / cfg.bytesPerNs);
    const minimum = 2 * cfg.latencyPs + 50_000 + ser(readRequestTlpBytes(cfg, r.mmioLo)) + ser(completionTlpBytes(cfg, 4));
    console.log(`  MMIO read round trip ${(a.at / 1000).toFixed(1)} ns (link ${cfg.latencyPs / 1000} ns each way, register 50 ns); second read ${(b.at / 1000).toFixed(1)} ns`);
    expect(a.at).toBeGreaterThanOrEqual(minimum);
    expect(a.at).toBeLessThan(minimum + 5_000);
    // The second read waited for the first at the register block.
    expect(b.at - a.at).toBeGreaterThanOrEqual(50_000);
  });

  it("posted writes stay in order, and a read returns the register's value, not the last write", () => {
    const r = rig({}, { hostMemProbe: true });
    const probe = r.hostMem as Probe;
    const sim = r.m.sim;
    const seen: [number, number][] = [];
    // Doorbell at 0x0: the device records the value and sets a status register at 0x8 to value + 100.
    r.regs.setDoorbell(0x0, {
      name: "bell",
      handleEvent: (_k: number, v: unknown) => {
        seen.push([sim.now, v as number]);
        r.regs.setValue(0x8, (v as number) + 100);
      },
    }, 0);
    for (const v of [1, 2, 3]) probe.send(MsgKind.MmioWrite, r.mmioLo, { aux: v, src: 3, txnId: v });
    probe.send(MsgKind.MmioRead, r.mmioLo + 0x8, { src: 3, txnId: 9 });
    sim.run();
    expect(seen.map((s) => s[1])).toEqual([1, 2, 3]);
    // Each write takes effect one register write latency after the previous one.
    expect(seen[1][0] - seen[0][0]).toBeGreaterThanOrEqual(20_000);
    expect(seen[2][0] - seen[1][0]).toBeGreaterThanOrEqual(20_000);
    // Posted: nothing comes back for the writes; the read (behind them) sees the status the device set.
    expect(probe.got.length).toBe(1);
    expect(probe.got[0].aux).toBe(103);
    expect(probe.got[0].at).toBeGreaterThan(seen[2][0]);
    console.log(`  doorbells at ${seen.map((s) => (s[0] / 1000).toFixed(1)).join(", ")} ns; status read back ${probe.got[0].aux} at ${(probe.got[0].at / 1000).toFixed(1)} ns`);
  });
});

describe("host-device fabric: host access to device memory", () => {
  it("a host read of device memory crosses the link (slower than local DRAM)", () => {
    const r = rig();
    const sim = r.m.sim;
    const nb = r.m.nodes[0].nb;
    const core = new Probe(r.m);
    // Stands in for a core on the northbridge: ReadReq, Data, SrcDone (core protocol).
    new Link(sim, r.m.stats, "probe.sri", core.port, nb.addCorePort(), { latencyPs: 14_000, bandwidthBytesPerNs: 64, credits: 64 });
    core.onRecv = (msg) => {
      const line = msg.addr;
      const shared = msg.dst === -1 ? 1 : 0;
      msg.kind = MsgKind.SrcDone;
      msg.addr = line;
      msg.aux = shared;
      msg.sizeBytes = 4;
      msg.headAt = 0;
      core.port.send(msg);
    };
    const lat = (addr: number): number => {
      const t0 = sim.now;
      const n = core.got.length;
      core.send(MsgKind.ReadReq, addr, { txnId: 1, issuedAt: t0 });
      sim.runUntil(() => core.got.length > n);
      const at = core.got[n].at - t0;
      sim.run(sim.now + 2_000_000);
      return at;
    };
    const local: number[] = [];
    const device: number[] = [];
    for (let i = 0; i < 4; i++) {
      local.push(lat(64 * MiB + i * 4096));
      device.push(lat(r.devLo + 128 * MiB + i * 4096));
    }
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    console.log(`  host read latency: local DRAM ${(mean(local) / 1000).toFixed(1)} ns, device HBM over PCIe ${(mean(device) / 1000).toFixed(1)} ns`);
    expect(mean(device)).toBeGreaterThan(mean(local) + 2 * r.cfg.latencyPs - 60_000);
    expect(mean(device)).toBeGreaterThan(2 * r.cfg.latencyPs);
    expect(r.m.stats.value("rc.hostMemAccesses")).toBe(4);
    expect(core.got.every((g) => g.kind === MsgKind.Data)).toBe(true);
  });

  it("a host write-back to device memory is posted across the link", () => {
    const r = rig();
    const sim = r.m.sim;
    const nb = r.m.nodes[0].nb;
    const core = new Probe(r.m);
    new Link(sim, r.m.stats, "probe.sri", core.port, nb.addCorePort(), { latencyPs: 14_000, bandwidthBytesPerNs: 64, credits: 64 });
    core.send(MsgKind.WriteBack, r.devLo + 4096, { sizeBytes: 74 });
    sim.run();
    expect(r.m.stats.value("rc.hostMemAccesses")).toBe(1);
    expect(r.m.stats.value("dev.router.memAccesses")).toBe(1);
    expect(r.m.stats.value("pcie.fwd.bytes")).toBeGreaterThanOrEqual(writeTlpBytes(r.cfg, r.devLo, 64));
  });
});

describe("host-device fabric: protocols at the root complex", () => {
  /** A root complex and a device router whose northbridge and IOMMU are test endpoints. */
  function bare(): { m: Machine; rc: RootComplex; router: DeviceRouter; nb: Probe; iommuDev: Probe; iommuMem: Probe; cfg: FabricLinkConfig } {
    const m = buildMachine(machine("machines/xeon-2s.yaml", "topology.nodes=1", "topology.edges=[]"), { check: true });
    const cfg = pcieLinkConfig({ gen: 3, lanes: 8 });
    const rc = new RootComplex(m.sim, m.stats, m.pool, "rc", { link: cfg });
    const router = new DeviceRouter(m.sim, m.stats, m.pool, "dev.router", { link: cfg, deviceMemLo: 8 * GiB, deviceMemHi: 16 * GiB });
    connectFabricLink(m.sim, m.stats, "pcie", rc.linkPort, router.linkPort, cfg);
    const nb = new Probe(m);
    const iommuDev = new Probe(m);
    const iommuMem = new Probe(m);
    new Wire(rc.nbPort, nb.port);
    new Wire(rc.iommuDevPort, iommuDev.port);
    new Wire(rc.iommuMemPort, iommuMem.port);
    return { m, rc, router, nb, iommuDev, iommuMem, cfg };
  }

  it("speaks the I/O-agent protocol: line requests with NO_SNOOP, a SrcDone for every Data", () => {
    const { m, router, nb } = bare();
    const agent = new Probe(m);
    new Wire(router.addAgentPort("gpu"), agent.port);
    // The northbridge stand-in answers each request with Data after 80 ns (every other from a shared cache).
    const requests: { kind: number; addr: number; aux: number }[] = [];
    const srcDones: { addr: number; aux: number }[] = [];
    let n = 0;
    nb.onRecv = (msg) => {
      if (msg.kind === MsgKind.SrcDone) {
        srcDones.push({ addr: msg.addr, aux: msg.aux });
        m.pool.put(msg);
        return;
      }
      requests.push({ kind: msg.kind, addr: msg.addr, aux: msg.aux });
      const fromShared = n++ % 2 === 1;
      m.sim.schedule({ name: "home", handleEvent: () => {
        msg.kind = MsgKind.Data;
        msg.dst = fromShared ? -1 : 0;
        msg.sizeBytes = 64;
        nb.port.send(msg);
      } }, 80_000, 0, null);
    };
    // 256 bytes read without snooping, 128 bytes written with snooping.
    agent.send(MsgKind.MemRead, 0x10000, { sizeBytes: 256, aux: 1 << 24, txnId: 5 });
    agent.send(MsgKind.MemWrite, 0x20000, { sizeBytes: 128, aux: 0, txnId: 6 });
    m.sim.run();
    expect(requests.filter((r) => r.kind === MsgKind.ReadReq).map((r) => [r.addr, r.aux])).toEqual([0, 1, 2, 3].map((i) => [0x10000 + 64 * i, 1 << 24]));
    expect(requests.filter((r) => r.kind === MsgKind.WriteLineReq).map((r) => [r.addr, r.aux])).toEqual([[0x20000, 0], [0x20040, 0]]);
    expect(srcDones.length).toBe(6);
    // aux 1 exactly for fills that came from a shared cache.
    expect(srcDones.filter((s) => s.aux === 1).length).toBe(3);
    const resp = agent.got.map((g) => [g.kind, g.txnId]);
    expect(resp).toContainEqual([MsgKind.MemReadResp, 5]);
    expect(resp).toContainEqual([MsgKind.MemWriteAck, 6]);
    // Four 64-byte completions went down the link for the 256-byte read.
    expect(m.stats.value("rc.completions")).toBe(4);
  });

  it("relays translation requests, invalidations and page-walk reads", () => {
    const { m, router, iommuDev, iommuMem, nb } = bare();
    const gpu = new Probe(m);
    new Wire(router.addAgentPort("gpu", { translates: true }), gpu.port);
    nb.onRecv = (msg) => {
      if (msg.kind === MsgKind.SrcDone) return void m.pool.put(msg);
      msg.kind = MsgKind.Data;
      msg.dst = 0;
      nb.port.send(msg);
    };
    iommuDev.onRecv = (msg) => {
      if (msg.kind !== MsgKind.XlatReq) return void m.pool.put(msg);
      // Translate 0x7000_1234 to the frame at 0x5000_0000 (4 KiB pages).
      msg.kind = MsgKind.XlatResp;
      msg.addr = 0x5000_0000;
      msg.aux = 12;
      iommuDev.port.send(msg);
    };
    gpu.onRecv = (msg) => {
      if (msg.kind === MsgKind.XlatInval) {
        msg.kind = MsgKind.XlatInvalDone;
        gpu.port.send(msg);
      } else m.pool.put(msg);
    };
    gpu.send(MsgKind.XlatReq, 0x7000_1234, { aux: 1, txnId: 77 });
    m.sim.run();
    expect(gpu.got[0]).toMatchObject({ kind: MsgKind.XlatResp, addr: 0x5000_0000, aux: 12, txnId: 77 });
    expect(gpu.got[0].at).toBeGreaterThan(2 * pcieLinkConfig({ gen: 3 }).latencyPs);
    // The IOMMU invalidates; the device answers once its translating agents have.
    const inval = m.pool.get();
    inval.kind = MsgKind.XlatInval;
    inval.addr = 0x7000_0000;
    inval.aux = 4096;
    inval.txnId = 3;
    iommuDev.port.send(inval);
    m.sim.run();
    expect(gpu.got.map((g) => g.kind)).toContain(MsgKind.XlatInval);
    expect(iommuDev.got.at(-1)).toMatchObject({ kind: MsgKind.XlatInvalDone, txnId: 3, addr: 0x7000_0000 });
    // A page-walk read becomes a coherent line read at the northbridge.
    iommuMem.send(MsgKind.MemRead, 0x3000_0040, { sizeBytes: 64, txnId: 9 });
    m.sim.run();
    expect(iommuMem.got.at(-1)).toMatchObject({ kind: MsgKind.MemReadResp, txnId: 9, addr: 0x3000_0040 });
    expect(nb.got.filter((g) => g.kind === MsgKind.ReadReq).at(-1)).toMatchObject({ addr: 0x3000_0040, aux: 0 });
  });

  it("keeps translation on the device when a local MMU is connected", () => {
    const { m, router } = bare();
    const gpu = new Probe(m);
    const mmu = new Probe(m);
    new Wire(router.addAgentPort("gpu", { translates: true }), gpu.port);
    new Wire(router.translationPort, mmu.port);
    mmu.onRecv = (msg) => {
      msg.kind = MsgKind.XlatResp;
      msg.addr = 9 * GiB;
      msg.aux = 21;
      mmu.port.send(msg);
    };
    gpu.send(MsgKind.XlatReq, 0x1234_5000, { txnId: 4 });
    m.sim.run();
    expect(gpu.got[0]).toMatchObject({ kind: MsgKind.XlatResp, addr: 9 * GiB, aux: 21, txnId: 4 });
    expect(m.stats.value("pcie.fwd.messages") + m.stats.value("pcie.rev.messages")).toBe(0);
  });
});
