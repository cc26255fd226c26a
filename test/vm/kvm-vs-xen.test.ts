import { describe, expect, it } from "vitest";
import { skylake, stat, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;
const guest = (hypervisor: "kvm" | "xen", hostPageSize = 4096) => ({ paging: "nested" as const, hostPageSize, vpid: true, hypervisor });

describe("Xen vs KVM: one memory manager or two (Drepper, What Every Programmer Should Know About Memory §4.4)", () => {
  it("makes each fresh guest page an EPT violation under KVM (the host backs guest memory on demand), none under Xen", () => {
    const kvm = vmRun(skylake(), { generator: "stream-write", sizeBytes: 4 * MiB, guest: guest("kvm") });
    const xen = vmRun(skylake(), { generator: "stream-write", sizeBytes: 4 * MiB, guest: guest("xen") });
    expect(stat(kvm, "process.eptViolations")).toBe((4 * MiB) / 4096);
    expect(stat(xen, "process.eptViolations")).toBe(0);
    expect(kvm.simulatedNs).toBeGreaterThan(xen.simulatedNs + 1000 * ((1350 / 2.5) * 0.9));
  });

  it("needs one EPT violation per 2 MiB when the host backs the guest with huge pages", () => {
    const r = vmRun(skylake(), { generator: "stream-write", sizeBytes: 4 * MiB, guest: guest("kvm", 2 * MiB) });
    expect(stat(r, "process.eptViolations")).toBeLessThanOrEqual(3);
  });

  it("charges nothing during the run for memory populated at load time, under either", () => {
    const kvm = vmRun(skylake(), { sizeBytes: 8 * MiB, accesses: 500, populate: true, guest: guest("kvm") });
    const xen = vmRun(skylake(), { sizeBytes: 8 * MiB, accesses: 500, populate: true, guest: guest("xen") });
    expect(kvm.simulatedNs).toBe(xen.simulatedNs);
  });
});
