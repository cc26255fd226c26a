import { describe, expect, it } from "vitest";
import type { WorkloadSpec } from "../../../src/config/workload-spec.ts";
import { ConfigError } from "../../../src/config/errors.ts";
import { prepareRun } from "../../../src/machine/run-simulation.ts";
import { KiB, MiB, machine, oneKernel, runChecked, stat } from "./helpers.ts";

const APU = "machines/apu.yaml";

describe("an APU's GPU through the IOMMU (shared address space, faults served by the host, as Bhattacharjee & Lustig describe them)", () => {
  it("walks the process's page tables in host memory on IOTLB misses, through the socket's caches and DRAM", () => {
    const { r } = runChecked(machine(APU), oneKernel("vector-add", [1 * MiB, 1 * MiB, 1 * MiB], "zero-copy"));
    expect(r.agents[0].launches).toBe(1);
    const misses = stat(r, "gpu0.iommu.iotlb.misses");
    expect(misses).toBeGreaterThanOrEqual((3 * MiB) / 4096 - 8);
    expect(stat(r, "gpu0.iommu.walkRefs")).toBeGreaterThanOrEqual(misses);
    // The walks' reads are the root complex's, as coherent line reads at the northbridge.
    expect(stat(r, "node0.nb.requests")).toBeGreaterThan(3 * MiB / 64);
    expect(stat(r, "gpu0.iommu.missLatencyMeanPs")).toBeGreaterThan(30_000);
    expect(stat(r, "gpu0.gpu.blockedAccesses")).toBe(0);
  });

  it("costs more per IOTLB miss without page-walk caches (every level read)", () => {
    const cost = (...sets: string[]) => {
      const { r } = runChecked(machine(APU, ...sets), oneKernel("stream-read", [2 * MiB], "zero-copy"));
      return { ns: stat(r, "gpu0.iommu.missLatencyMeanPs") / 1000, refs: stat(r, "gpu0.iommu.refsPerWalk") };
    };
    const cached = cost();
    const bare = cost("iommu.pwc.l4=0", "iommu.pwc.l3=0", "iommu.pwc.l2=0");
    expect(bare.refs).toBe(4);
    expect(cached.refs).toBeLessThan(1.5);
    expect(bare.ns).toBeGreaterThan(cached.ns);
  });

  it("blocks and counts accesses to memory the OS did not map for the device, and never performs them", () => {
    const w = oneKernel("stream-copy", [1 * MiB, 1 * MiB], "zero-copy");
    // The source is mapped for the device; the destination is not (a subset address space).
    w.regions[1].device = false;
    const { r } = runChecked(machine(APU, "devices.0.translation.addressSpace=subset"), w);
    expect(stat(r, "gpu0.iommu.blocked")).toBeGreaterThan(0);
    expect(stat(r, "gpu0.gpu.blockedAccesses")).toBe((1 * MiB) / 4);
    // Only the source's lines (and the tables) were read; nothing was written to host memory.
    expect(stat(r, "gpu0.rc.deviceWriteBytes")).toBe(0);
  });

  it("sends the device's page faults to the host (the GPU runs no OS): its first writes to untouched memory fault", () => {
    // The host wrote the input; the output's pages are first touched by the GPU.
    const { r } = runChecked(machine(APU), oneKernel("stream-copy", [256 * KiB, 256 * KiB], "zero-copy"));
    expect(stat(r, "gpu0.iommu.faults")).toBe((256 * KiB) / 4096);
    const faultNs = stat(r, "gpu0.iommu.faultServicePs") / 1000;
    // The machine's fault cost (10 us) and more: each fault is a host round trip.
    expect(faultNs).toBeGreaterThan(10_000);
    const quick = runChecked(machine(APU, "iommu.faultCost=1us"), oneKernel("stream-copy", [256 * KiB, 256 * KiB], "zero-copy")).r;
    expect(quick.agents[0].timeNs).toBeLessThan(r.agents[0].timeNs);
  });
});

describe("device workload errors", () => {
  it("names the file and field of a kernel on a device that does not exist, or a mode the device cannot do", () => {
    const bad: WorkloadSpec = { ...oneKernel("stream-read", [64 * KiB], "on-demand") };
    let e: unknown;
    try {
      prepareRun(machine(APU), bad, 1, "w.yaml");
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ConfigError);
    expect(String((e as ConfigError).problems.map((p) => `${p.file}: ${p.path}: ${p.message}`))).toMatch(/w\.yaml: agents\[0\]\.memory: on-demand needs device memory/);
    const none: WorkloadSpec = { ...oneKernel("stream-read", [64 * KiB], "device") };
    none.agents = [{ ...(none.agents ?? [])[0], device: "gpu7" }];
    expect(() => prepareRun(machine(APU), none, 1, "w.yaml")).toThrow(/no device named "gpu7" \(devices: gpu0\)/);
  });
});
