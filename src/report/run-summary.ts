import type { RunResult } from "../machine/run-simulation.ts";
import { formatTable } from "./table.ts";

/** The text a person reads first after a run: what ran, how long, and where time went. */
export function formatRunSummary(r: RunResult): string {
  const out: string[] = [];
  out.push(`hopsim run: machine ${r.machine}, workload ${r.workload}, seed ${r.seed}`);
  out.push(`simulated ${(r.simulatedNs / 1000).toFixed(3)} us, ${r.events} events`);
  out.push("");
  out.push(
    formatTable(
      ["thread", "core", "generator", "regions", "loads", "stores", "time (us)", "ns/access", "miss latency (ns)", "remote misses"],
      r.threads.map((t) => [t.index, t.core, t.generator, t.regions.join(","), t.loads, t.stores, t.timeNs / 1000, t.nsPerAccess, t.meanMissLatencyNs, `${(t.remoteShare * 100).toFixed(1)} %`]),
    ),
  );
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
          `${(num(r, `${n}.mc.utilisation`) * 100).toFixed(1)} %`,
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
