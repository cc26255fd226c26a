import type { RunResult } from "../machine/run-simulation.ts";
import { formatTable } from "./table.ts";

/** The text a person reads first after a run: what ran, how long, and where time went. */
export function formatRunSummary(r: RunResult): string {
  const out: string[] = [];
  out.push(`hopsim run: machine ${r.machine}, workload ${r.workload}, seed ${r.seed}`);
  out.push(`simulated ${(r.simulatedNs / 1000).toFixed(3)} us, ${r.events} events`);
  if (r.threads.length > 0) out.push("");
  const mmio = r.threads.some((t) => (t.mmio ?? 0) > 0);
  if (r.threads.length > 0) out.push(
    formatTable(
      ["thread", "core", "generator", "regions", "loads", "stores", ...(mmio ? ["mmio"] : []), "time (us)", "ns/access", "miss latency (ns)", "remote misses"],
      r.threads.map((t) => [t.index, t.core, t.generator, t.regions.join(","), t.loads, t.stores, ...(mmio ? [t.mmio ?? 0] : []), t.timeNs / 1000, t.nsPerAccess, t.meanMissLatencyNs, `${(t.remoteShare * 100).toFixed(1)} %`]),
    ),
  );
  if (r.agents.length > 0) {
    out.push("");
    out.push(
      formatTable(
        ["agent", "device", "kernel", "memory", "launches", "time (us)", "kernel (us)", "copies (us)", "kernel GB/s", "memory GB/s"],
        r.agents.map((a) => [a.index, a.device, a.kernel, a.memory, a.launches, a.timeNs / 1000, a.kernelNs / 1000, a.copyNs / 1000, a.programGBs, a.memGBs]),
      ),
    );
  }
  const devices = Object.keys(r.stats)
    .filter((k) => /^[^.]+\.link\.fwd\.bytes$/.test(k))
    .map((k) => k.split(".")[0]);
  if (devices.length > 0) {
    out.push("");
    out.push(
      formatTable(
        ["device", "to device GB/s", "to host GB/s", "device memory GB/s", "DMA bytes", "faults", "migrated pages", "blocked"],
        devices.map((d) => [
          d,
          num(r, `${d}.link.fwd.bandwidthGBs`),
          num(r, `${d}.link.rev.bandwidthGBs`),
          num(r, `${d}.mem.bandwidthGBs`),
          num(r, `${d}.dma.bytes`),
          num(r, `${d}.mmu.uvm.faults`) + num(r, `${d}.iommu.faults`),
          num(r, `${d}.mmu.uvm.pagesMigratedIn`),
          num(r, `${d}.gpu.blockedAccesses`),
        ]),
      ),
    );
  }
  const nodes = Object.keys(r.stats)
    .filter((k) => /^node\d+\.mc\.bandwidthGBs$/.test(k))
    .map((k) => k.split(".")[0]);
  if (nodes.length > 0) {
    out.push("");
    out.push(
      formatTable(
        ["node", "misses sent", "remote", "memory GB/s", "memory busy", "probes sent"],
        nodes.map((n) => [
          n,
          num(r, `${n}.nb.requests`),
          num(r, `${n}.nb.remoteRequests`),
          num(r, `${n}.mc.bandwidthGBs`),
          `${((r.stats[`${n}.mc.utilisation`] !== undefined ? num(r, `${n}.mc.utilisation`) : num(r, `${n}.mc.bandwidthGBs`) / (num(r, `${n}.mc.peakGBs`) || 1)) * 100).toFixed(1)} %`,
          num(r, `${n}.nb.home.probesSent`),
        ]),
      ),
    );
  }
  const links = Object.keys(r.stats)
    .filter((k) => /^ht\..*\.fwd\.bytes$/.test(k))
    .map((k) => k.slice(0, -".fwd.bytes".length));
  if (links.length > 0) {
    out.push("");
    out.push(
      formatTable(
        ["link", "fwd GB/s", "fwd busy", "rev GB/s", "rev busy"],
        links.map((l) => [
          l.slice(3),
          num(r, `${l}.fwd.bandwidthGBs`),
          `${(num(r, `${l}.fwd.utilisation`) * 100).toFixed(1)} %`,
          num(r, `${l}.rev.bandwidthGBs`),
          `${(num(r, `${l}.rev.utilisation`) * 100).toFixed(1)} %`,
        ]),
      ),
    );
  }
  return `${out.join("\n")}\n`;
}

function num(r: RunResult, path: string): number {
  const v = r.stats[path]?.value;
  return typeof v === "number" ? v : 0;
}
