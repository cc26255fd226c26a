import type { MachineSpec } from "../config/machine-spec.ts";
import type { WorkloadSpec } from "../config/workload-spec.ts";
import { runSimulation } from "../machine/run-simulation.ts";

/** One configuration of the tiering comparison. */
export interface TieringRow {
  id: "NO_TIERING" | "TIERING" | "ALL_DRAM";
  description: string;
  timeNs: number;
  /** Share of memory reads served by the fast tier's controllers. */
  fastShare: number;
  promotions: number;
  demotions: number;
  /** Bytes copied by page moves. */
  migratedBytes: number;
}

/** Options of the tiering comparison. */
export interface TieringReproOptions {
  tableBytes: number;
  updatesPerThread: number;
  threads: number;
  zipfTheta: number;
}

function skewedUpdates(o: TieringReproOptions): WorkloadSpec {
  return {
    name: "zipf-updates",
    description: "",
    regions: [{ name: "table", size: o.tableBytes, policy: { kind: "local" }, kind: "anon", populate: true }],
    threads: Array.from({ length: o.threads }, (_, i) => ({
      core: i,
      generator: "gups" as const,
      region: "table",
      updates: o.updatesPerThread,
      zipfTheta: o.zipfTheta,
      init: false,
      gapCycles: 0,
      startNs: 0,
    })),
  };
}

function value(stats: Record<string, { value: unknown }>, path: string): number {
  const v = stats[path]?.value;
  return typeof v === "number" ? v : 0;
}

/**
 * Compares a Zipf-skewed update workload larger than the fast tier: without tiering (pages stay
 * where first placed), with the tiering daemon, and with everything in DRAM (the fast tier made
 * big enough). The machine needs memory-only slow nodes (e.g. machines/nvm-tier.yaml).
 */
export function reproduceTiering(m: MachineSpec, o: TieringReproOptions): TieringRow[] {
  const w = skewedUpdates(o);
  const sockets = m.topology.kind === "edges" ? m.topology.nodes : 0;
  const fastReads = (s: Record<string, { value: unknown }>) => {
    let fast = 0;
    let all = 0;
    for (const [k, v] of Object.entries(s)) {
      const mm = /^node(\d+)\.mc\.reads$/.exec(k);
      if (!mm || typeof v.value !== "number") continue;
      all += v.value;
      if (Number(mm[1]) < Math.max(1, sockets)) fast += v.value;
    }
    return all > 0 ? fast / all : 0;
  };
  const run = (id: TieringRow["id"], description: string, spec: MachineSpec): TieringRow => {
    const r = runSimulation(spec, w, 1);
    return {
      id,
      description,
      timeNs: r.simulatedNs,
      fastShare: fastReads(r.stats),
      promotions: value(r.stats, "os.tiering.promotions"),
      demotions: value(r.stats, "os.tiering.demotions"),
      migratedBytes: value(r.stats, "os.migrator.bytes"),
    };
  };
  const off = { ...m, os: { ...m.os, tiering: { ...m.os.tiering, enabled: false } } };
  const on = { ...m, os: { ...m.os, tiering: { ...m.os.tiering, enabled: true } } };
  const big = { ...off, node: { ...m.node, memory: { ...m.node.memory, size: Math.max(m.node.memory.size, 2 * o.tableBytes) } } };
  return [
    run("NO_TIERING", "pages stay where first placed (fast tier first, then slow)", off),
    run("TIERING", "the tiering daemon promotes hot pages and demotes idle ones", on),
    run("ALL_DRAM", "everything in the fast tier", big),
  ];
}
