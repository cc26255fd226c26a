import { describe, expect, it } from "vitest";
import { SeparateView, SharedView, SubsetView, type DeviceView } from "../../../src/accel/iommu/device-view.ts";
import { Iommu, type IommuParams } from "../../../src/accel/iommu/iommu.ts";
import { MmuNotifier } from "../../../src/accel/iommu/mmu-notifier.ts";
import type { WorkloadSpec } from "../../../src/config/workload-spec.ts";
import { Message, MessageQueue } from "../../../src/kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../../../src/kernel/port.ts";
import type { Simulator } from "../../../src/kernel/simulator.ts";
import { buildDram } from "../../../src/mem/dram/dram-spec.ts";
import { MsgKind, XLAT_BLOCKED } from "../../../src/mem/msg-kind.ts";
import { bindWorkload, type BoundWorkload } from "../../../src/machine/bind-workload.ts";
import { buildMachine, type Machine } from "../../../src/machine/build-machine.ts";
import { Wire } from "../../../src/net/wire.ts";
import { X86_64 } from "../../../src/vm/page-table.ts";
import type { Paging } from "../../../src/vm/paging.ts";
import { k8 } from "../../vm/helpers.ts";

const MiB = 1 << 20;

/** A device TLB stand-in: sends XlatReq, records the answers, acknowledges XlatInval. */
class Requester implements PortOwner {
  readonly name = "dev";
  readonly port: Port;
  readonly answers: { va: number; pa: number; shift: number; ps: number }[] = [];
  invals = 0;
  refusals = 0;
  private readonly sim: Simulator;
  private readonly backlog = new MessageQueue();
  constructor(sim: Simulator) {
    this.sim = sim;
    this.port = new Port(this, "dev.port");
  }
  translate(va: number, write = false): void {
    const m = new Message();
    m.kind = MsgKind.XlatReq;
    m.addr = va;
    m.aux = write ? 1 : 0;
    m.txnId = va;
    m.issuedAt = this.sim.now;
    if (!sendOrQueue(this.port, this.backlog, m)) this.refusals++;
  }
  recv(_p: Port, m: Message): boolean {
    if (m.kind === MsgKind.XlatInval) {
      this.invals++;
      m.kind = MsgKind.XlatInvalDone;
      this.port.send(m);
      return true;
    }
    this.answers.push({ va: m.txnId, pa: m.addr, shift: m.aux, ps: this.sim.now - m.issuedAt });
    return true;
  }
  wake(): void {
    drainBacklog(this.port, this.backlog);
  }
}

interface Rig {
  m: Machine;
  bound: BoundWorkload;
  iommu: Iommu;
  dev: Requester;
  region: { start: number; end: number };
}

/** A real 2-socket K8 host with one process region, an IOMMU over `view`, DDR4 behind its memory port. */
function rig(opts: { pageSize?: number; populate?: boolean; view?: "shared" | "subset" | "separate"; params?: Partial<IommuParams>; sizeBytes?: number } = {}): Rig {
  const m = buildMachine(k8());
  const w: WorkloadSpec = {
    name: "dev",
    description: "",
    regions: [{ name: "buf", size: opts.sizeBytes ?? 16 * MiB, policy: { kind: "bind", nodes: [0] }, kind: "anon", pageSize: opts.pageSize, populate: opts.populate ?? true }],
    threads: [],
  } as WorkloadSpec;
  const bound = bindWorkload(m, w, 1, "test");
  const paging = bound.paging as Paging;
  const kind = opts.view ?? "shared";
  const view: DeviceView = kind === "shared" ? new SharedView(bound.space, paging, 0) : kind === "subset" ? new SubsetView(bound.space, paging, 0) : new SeparateView("iommu.iopt", X86_64, m.frames, 0);
  const iommu = new Iommu(m.sim, m.stats, "iommu", view, { pwcEntries: 0, ...opts.params }, m.pool);
  const dram = buildDram(m.sim, m.stats, "hostmem", { preset: "ddr4-2400", channels: 1 }, { check: true });
  new Wire(iommu.memPort, dram.port);
  const dev = new Requester(m.sim);
  new Wire(dev.port, iommu.devicePort);
  const r = bound.space.regions[0];
  return { m, bound, iommu, dev, region: { start: r.start, end: r.end } };
}

const v = (r: Rig, path: string) => r.m.stats.value(path);

describe("IOMMU page walks over the host process's table", () => {
  it("an IOTLB miss on 4-level tables without page-walk caches reads 4 entries, from memory", () => {
    const r = rig();
    r.dev.translate(r.region.start + 5 * 4096 + 123);
    r.m.sim.run();
    expect(v(r, "iommu.iotlb.misses")).toBe(1);
    expect(v(r, "iommu.walks")).toBe(1);
    expect(v(r, "iommu.walkRefs")).toBe(4);
    expect(v(r, "hostmem.reads")).toBe(4);
    // The answer is the process's own frame for the page.
    expect(r.dev.answers[0].pa).toBe(r.bound.space.peek(r.region.start + 5 * 4096));
    expect(r.dev.answers[0].shift).toBe(12);
    const missNs = v(r, "iommu.missLatencyMeanPs") / 1000;
    console.log(`IOMMU IOTLB-miss cost (4-level walk, no PWC, DDR4-2400): ${missNs.toFixed(1)} ns`);
    expect(missNs).toBeGreaterThan(4 * 10);
  });

  it("a second access to the same page hits the IOTLB and makes no reference", () => {
    const r = rig();
    r.dev.translate(r.region.start);
    r.m.sim.run();
    r.dev.translate(r.region.start + 64);
    r.m.sim.run();
    expect(v(r, "iommu.iotlb.hits")).toBe(1);
    expect(v(r, "iommu.walkRefs")).toBe(4);
  });

  it("page-walk caches cut the walk of a neighbouring page to its leaf entry", () => {
    const without = rig();
    const withPwc = rig({ params: { pwcEntries: 16 } });
    for (const r of [without, withPwc]) {
      r.dev.translate(r.region.start);
      r.m.sim.run();
      r.dev.translate(r.region.start + 4096);
      r.m.sim.run();
    }
    expect(v(without, "iommu.walkRefs")).toBe(8);
    expect(v(withPwc, "iommu.walkRefs")).toBe(5);
    expect(v(withPwc, "iommu.pwc.hits")).toBe(1);
    console.log(`IOMMU walk references for two neighbouring pages: ${v(without, "iommu.walkRefs")} without PWC, ${v(withPwc, "iommu.walkRefs")} with`);
  });

  it("2 MiB pages make a 3-reference walk and a 2 MiB IOTLB entry", () => {
    const r = rig({ pageSize: 2 * MiB });
    r.dev.translate(r.region.start + 3 * 4096);
    r.m.sim.run();
    r.dev.translate(r.region.start + 2 * MiB - 64);
    r.m.sim.run();
    expect(v(r, "iommu.walkRefs")).toBe(3);
    expect(r.dev.answers[0].shift).toBe(21);
    expect(v(r, "iommu.iotlb.hits")).toBe(1);
  });

  it("concurrent requests for one page share one walk", () => {
    const r = rig();
    for (let i = 0; i < 4; i++) r.dev.translate(r.region.start + i * 64);
    r.m.sim.run();
    expect(r.dev.answers.length).toBe(4);
    expect(v(r, "iommu.walks")).toBe(1);
  });

  it("more misses than walkers wait and are all answered", () => {
    const r = rig({ params: { walkers: 2, queueDepth: 64 } });
    for (let i = 0; i < 40; i++) r.dev.translate(r.region.start + i * 4096);
    r.m.sim.run();
    expect(r.dev.answers.length).toBe(40);
    expect(v(r, "iommu.walks")).toBe(40);
    for (const a of r.dev.answers) expect(a.pa).toBe(r.bound.space.peek(a.va));
  });

  it("a full request queue refuses requests and takes them when walkers free up", () => {
    const r = rig({ params: { walkers: 1, queueDepth: 4 } });
    for (let i = 0; i < 20; i++) r.dev.translate(r.region.start + i * 4096);
    r.m.sim.run();
    expect(r.dev.refusals).toBeGreaterThan(0);
    expect(r.dev.answers.length).toBe(20);
    for (const a of r.dev.answers) expect(a.pa).toBe(r.bound.space.peek(a.va));
  });
});

describe("IOMMU device faults", () => {
  it("a non-present page raises a page request: the host maps it after the fault cost and the walk is retried", () => {
    const params = { faultInterruptPs: 2_000_000, faultHandlerPs: 3_000_000, osFaultPs: 1_000_000 };
    const r = rig({ populate: false, params });
    const va = r.region.start + 7 * 4096;
    expect(r.bound.space.peek(va)).toBe(-1);
    r.dev.translate(va, true);
    r.m.sim.run();
    expect(v(r, "iommu.faults")).toBe(1);
    expect(r.bound.space.peek(va)).toBeGreaterThanOrEqual(0);
    expect(r.dev.answers[0].pa).toBe(r.bound.space.peek(va));
    // Walk, fault cost, walk again.
    expect(r.dev.answers[0].ps).toBeGreaterThanOrEqual(6_000_000);
    expect(v(r, "iommu.walks")).toBe(2);
    // The OS's fault cost is the IOMMU's here, not a core's.
    expect((r.bound.paging as Paging).pendingPenaltyPs).toBe(0);
    console.log(`IOMMU device fault: translation took ${(r.dev.answers[0].ps / 1000).toFixed(0)} ns (fault cost 6000 ns)`);
  });

  it("faults are serviced one after another by the host handler", () => {
    const r = rig({ populate: false, params: { faultInterruptPs: 0, faultHandlerPs: 1_000_000, osFaultPs: 0 } });
    for (let i = 0; i < 3; i++) r.dev.translate(r.region.start + i * 4096);
    r.m.sim.run();
    expect(v(r, "iommu.faults")).toBe(3);
    const times = r.dev.answers.map((a) => a.ps).sort((a, b) => a - b);
    expect(times[2] - times[0]).toBeGreaterThanOrEqual(2_000_000);
  });
});

describe("IOMMU and host munmap", () => {
  it("with an MMU notifier, a munmap of the shared space drops the device's translations; the next access faults the page in again", () => {
    const r = rig();
    r.bound.space.listener = new MmuNotifier(r.bound.space.listener, [r.iommu]);
    const va = r.region.start + 4096;
    r.dev.translate(va);
    r.m.sim.run();
    const before = r.dev.answers[0].pa;
    r.bound.space.unmap(va, 4096);
    r.m.sim.run();
    expect(r.dev.invals).toBe(1);
    expect(v(r, "iommu.iotlb.invalidated")).toBe(1);
    r.dev.translate(va);
    r.m.sim.run();
    expect(v(r, "iommu.faults")).toBe(1);
    expect(r.dev.answers[1].pa).toBe(r.bound.space.peek(va));
    expect(r.dev.answers[1].pa).toBeGreaterThanOrEqual(0);
    expect(before).toBeGreaterThanOrEqual(0);
  });
});

describe("IOMMU isolation", () => {
  it("an access outside the device's mapping is blocked and makes no memory reference", () => {
    const r = rig({ view: "subset" });
    r.iommu.map(r.region.start, 1 * MiB);
    r.dev.translate(r.region.start + 2 * MiB); // the process's, but not mapped for the device
    r.dev.translate(0x1000); // nobody's
    r.m.sim.run();
    expect(r.dev.answers.map((a) => a.shift)).toEqual([XLAT_BLOCKED, XLAT_BLOCKED]);
    expect(v(r, "iommu.blocked")).toBe(2);
    expect(v(r, "iommu.walkRefs")).toBe(0);
    expect(v(r, "hostmem.reads")).toBe(0);
    r.dev.translate(r.region.start + 4096);
    r.m.sim.run();
    expect(r.dev.answers[2].pa).toBe(r.bound.space.peek(r.region.start + 4096));
  });

  it("a separate I/O space translates only what the driver mapped, to the frames it gave", () => {
    const r = rig({ view: "separate" });
    const iova = r.iommu.iova.alloc(8192);
    r.iommu.map(iova, 8192, 0x40000000);
    r.dev.translate(iova + 4096 + 5);
    r.dev.translate(iova + 16384);
    r.m.sim.run();
    const byVa = new Map(r.dev.answers.map((a) => [a.va, a]));
    expect(byVa.get(iova + 4096 + 5)!.pa).toBe(0x40000000 + 4096);
    expect(byVa.get(iova + 16384)!.shift).toBe(XLAT_BLOCKED);
  });
});
