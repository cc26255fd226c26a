import { describe, expect, it } from "vitest";
import type { GuestSpec } from "../../src/config/workload-spec.ts";
import { StatsRegistry } from "../../src/stats/registry.ts";
import { FrameAllocator } from "../../src/vm/frame-allocator.ts";
import { X86_64 } from "../../src/vm/page-table.ts";
import { Paging } from "../../src/vm/paging.ts";
import { k8, stat, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;
const guest = (paging: GuestSpec["paging"]): GuestSpec => ({ paging, hostPageSize: 4096, vpid: true });
const firstTouch = (paging: GuestSpec["paging"]) => vmRun(k8(), { generator: "stream-write", sizeBytes: 4 * MiB, guest: guest(paging) });

describe("shadow paging traps guest page-table writes (fact 11)", () => {
  it("takes one VM exit per guest page-table entry written", () => {
    const r = firstTouch("shadow");
    expect(stat(r, "process.vm.exits")).toBe(stat(r, "process.pagetable.pteWrites"));
    expect(stat(r, "process.vm.exits")).toBeGreaterThanOrEqual(1024);
  });

  it("charges each exit's cost to the core that wrote the entry", () => {
    const r = firstTouch("shadow");
    const exitPs = 1350 * 455; // cycles at 2.2 GHz (455 ps)
    expect(stat(r, "node0.core0.stallPs")).toBeGreaterThanOrEqual(stat(r, "process.vm.exits") * exitPs);
  });

  it("takes no exits under nested paging, where the guest writes its own table", () => {
    expect(stat(firstTouch("nested"), "process.vm.exits")).toBe(0);
  });

  it("is slower than nested paging when the guest writes its tables often (Xen: no on-demand backing to blur it)", () => {
    const xen = (paging: GuestSpec["paging"]) => vmRun(k8(), { generator: "stream-write", sizeBytes: 4 * MiB, guest: { ...guest(paging), hypervisor: "xen" } });
    expect(xen("shadow").simulatedNs).toBeGreaterThan(xen("nested").simulatedNs);
  });

  it("takes no exits for memory mapped at load time (MAP_POPULATE)", () => {
    const r = vmRun(k8(), { sizeBytes: 4 * MiB, accesses: 200, populate: true, guest: guest("shadow") });
    expect(stat(r, "process.vm.exits")).toBeGreaterThan(0);
    expect(stat(r, "node0.core0.stallPs")).toBeLessThan(stat(r, "process.vm.exits") * 1350 * 455);
  });

  it("flushes the translating core's TLBs on each exit without VM tags, and not with them", () => {
    const flushes = (vpid: boolean) => {
      let n = 0;
      const p = new Paging(new StatsRegistry(), "p", new FrameAllocator([0], [64 * MiB], 4096), { mode: "shadow", layout: X86_64, placement: "local", hostPageShift: 12, vmExitPs: 1000, vpid, faultPs: 0, replicate: false }, 0);
      p.current = { flushAll: () => n++ };
      p.mapped(0x4000_0000, 12, 0);
      return n;
    };
    expect(flushes(false)).toBe(1);
    expect(flushes(true)).toBe(0);
  });
});
