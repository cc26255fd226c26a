import { describe, expect, it } from "vitest";
import { hopsim } from "./run-cli.ts";

describe("hopsim topo", () => {
  it("prints the sysfs views and declared vs measured distances as JSON", () => {
    const r = hopsim(["topo", "machines/opteron-4p.yaml", "--json", "--accesses", "500"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.machine).toBe("opteron-4p");
    expect(j.cpumaps).toEqual(["00000003", "0000000c", "00000030", "000000c0"]);
    expect(j.nodes).toBe(4);
    expect(j.diameter).toBe(2);
    expect(j.hops[0]).toEqual([0, 1, 1, 2]);
    // The firmware's table says 10/20 everywhere (ACPI SLIT); the measured one does not.
    expect(j.declaredDistance[0]).toEqual([10, 20, 20, 20]);
    expect(j.measuredDistance[0][0]).toBe(10);
    expect(j.measuredDistance[0][3]).toBeGreaterThan(j.measuredDistance[0][1]);
    expect(j.idleLatencyNs[0][3]).toBeGreaterThan(j.idleLatencyNs[0][0]);
    expect(j.caches.find((c: { cpu: number; index: number }) => c.cpu === 0 && c.index === 1)).toMatchObject({ type: "Unified", level: 2, sharedCpuMap: "00000001" });
    expect(j.cpus[3]).toMatchObject({ physicalPackageId: 1, coreId: 1, coreSiblings: "0000000c", threadSiblings: "00000008" });
    expect(j.cpulessNodes).toEqual([]);
  });

  it("prints the tables a person reads, noting that the declared distances hide the hops", () => {
    const r = hopsim(["topo", "machines/opteron-4p.yaml", "--accesses", "300"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/shared_cpu_map/);
    expect(r.stdout).toMatch(/physical_package_id/);
    expect(r.stdout).toMatch(/declared table says every remote node is equally far/);
  });

  it("lists a memory-only node with an empty cpumap, its declared distance and its latency from each socket", () => {
    const j = JSON.parse(hopsim(["topo", "machines/nvm-tier.yaml", "--json", "--accesses", "200"]).stdout);
    // nodes, hops and diameter still count sockets; the NVM node is in cpulessNodes.
    expect([j.nodes, j.hops, j.diameter, j.cpumaps]).toEqual([1, [[0]], 0, ["0000000f"]]);
    expect(j.cpulessNodes).toEqual([
      { node: 1, kind: "memory-only", attachTo: 0, bytes: 2 ** 30, memory: "nvm-optane", cpumap: "", declaredDistance: [20], measuredDistance: [expect.any(Number)], idleLatencyNs: [expect.any(Number)] },
    ]);
    expect(j.cpulessNodes[0].idleLatencyNs[0]).toBeGreaterThan(j.idleLatencyNs[0][0]);
    expect(j.cpulessNodes[0].measuredDistance[0]).toBe(Math.round((10 * j.cpulessNodes[0].idleLatencyNs[0]) / j.idleLatencyNs[0][0]));
  });

  it("puts memory-only and device-memory nodes in the node table, with an empty cpumap", () => {
    const table = (machine: string) => {
      const text = hopsim(["topo", `machines/${machine}.yaml`, "--accesses", "200"]).stdout;
      return text.slice(text.indexOf("/sys/devices/system/node")).split("\n");
    };
    const nvm = table("nvm-tier");
    expect(nvm[1]).toMatch(/^node +cpumap +d0 +d1 +\| +m0 +m1 +\| +ns0 +ns1 +\| +hops0$/);
    expect(nvm[3]).toMatch(/^node0 +0000000f +10 +20 +\| +10 +\d+ +\| +\d+ +\d+ +\| +0$/);
    expect(nvm[4]).toMatch(/^node1 +20 +10 +\| +- +- +\| +- +- +\| +-$/);
    expect(nvm[5]).toBe("node1: 1 GiB nvm-optane, memory-only, on socket 0 (no CPUs; the machine file declares no distance to it, so 20)");
    const gpu = table("gpu-node");
    expect(gpu[5]).toMatch(/^node2 +20 +20 +10 +\|/);
    expect(gpu[6]).toBe("node2: 40 GiB hbm2, memory of device gpu0 on socket 0 (no CPUs; the machine file declares no distance to it, so 20)");
  });

  it("shows the L3 shared by a socket's CPUs on the Xeon", () => {
    const r = hopsim(["topo", "machines/xeon-2s.yaml", "--json", "--accesses", "200"]);
    const j = JSON.parse(r.stdout);
    const l3 = j.caches.find((c: { cpu: number; level: number }) => c.cpu === 0 && c.level === 3);
    expect(l3.sharedCpuMap).toBe("00000000,0fffffff");
  });
});

describe("hopsim run --numa-maps", () => {
  it("prints one numa_maps line per region with policy, kind and pages per node", () => {
    const r = hopsim(["run", "-m", "machines/opteron-4p.yaml", "-w", "workloads/default.yaml", "--numa-maps", "--out", "/tmp/hopsim-nm", "--set", "workload.threads[0].accesses=500", "--set", "workload.threads[1].accesses=500"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]+ bind:0 anon anon=\d+ .*N0=\d+ kernelpagesize_kB=4 {2}# local$/m);
    expect(r.stdout).toMatch(/^[0-9a-f]+ bind:1 anon anon=\d+ .*N1=\d+ kernelpagesize_kB=4 {2}# remote$/m);
  });
});

describe("hopsim repro numa --json", () => {
  it("gives rows with published and simulated values and the placement comparison", () => {
    const r = hopsim(["repro", "numa", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.rows.map((x: { id: string }) => x.id)).toEqual(["R0", "R1", "R1b", "R2", "W0", "W1", "W1b", "W2", "BW_READ", "BW_WRITE_CACHE", "BW_WRITE_DRAM"]);
    const r2 = j.rows.find((x: { id: string }) => x.id === "R2");
    expect(r2.published).toBe(1.3);
    // How close it comes is test/integration/numa-repro-table.test.ts's matter.
    expect(r2.simulated).toBeGreaterThan(1.2);
    expect(r2.simulated).toBeLessThan(1.45);
    // Each ratio says what it is made of: time per line, or remote / local bandwidth.
    expect(r2.basis).toMatch(/^\d+\.\d ns\/line$/);
    const bw = j.rows.find((x: { id: string }) => x.id === "BW_READ");
    const [remote, local] = bw.basis.split(" / ").map(parseFloat);
    expect(remote / local).toBeCloseTo(bw.simulated, 2);
    // The memory traffic behind R0 and W0, beside AMD's: a read thread moves its own lines; a
    // write thread also writes back every line it owned and had to evict.
    const load = (mode: string) => j.testLoad.find((t: { mode: string }) => t.mode === mode);
    expect([load("read").publishedGBs, load("write").publishedGBs]).toEqual([1.64, 2.98]);
    const r0 = j.rows.find((x: { id: string }) => x.id === "R0");
    expect(load("read").simulatedGBs).toBeCloseTo(64 / parseFloat(r0.basis), 1);
    expect(load("write").simulatedGBs / load("read").simulatedGBs).toBeGreaterThan(1.5);
    const policies = j.placement.map((p: { workload: string; policy: string }) => `${p.workload}/${p.policy}`);
    expect(policies).toEqual(["stream-triad/local (first touch)", "stream-triad/interleave (striped)", "pointer-chase/local (first touch)", "pointer-chase/interleave (striped)"]);
    const triad = j.placement.slice(0, 2);
    expect(triad[0].timeNs).toBeLessThan(triad[1].timeNs);
    expect(triad[0].remoteShare).toBe(0);
    expect(triad[1].remoteShare).toBeCloseTo(0.75, 1);
  }, 120_000);
});
