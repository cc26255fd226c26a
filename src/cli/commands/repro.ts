import type { CommandModule } from "yargs";
import { runWithConfigErrors } from "../../config/exit.ts";
import { loadConfigFile } from "../../config/load.ts";
import { MachineSpec, socketsOf } from "../../config/machine-spec.ts";
import { reproduceNuma, rowWithin, type NumaRepro } from "../../repro/numa-repro.ts";
import { reproduceTiering, type TieringRow } from "../../repro/tiering-repro.ts";
import { reproduceVm, vmRowOk, vmRowWithin, type VmRow } from "../../repro/vm-repro.ts";
import { HETERO_DEFAULTS, reproduceHetero, type HeteroRepro } from "../../repro/hetero-repro.ts";
import { formatTable } from "../../report/table.ts";
import { bundledMachine } from "../bundled.ts";
import { makeLogger } from "../logger.ts";

/** The reproductions `hopsim repro` knows. */
export const REPRODUCTIONS = ["numa", "tiering", "vm", "hetero"] as const;

/** One of the reproductions. */
export type Reproduction = (typeof REPRODUCTIONS)[number];

/** The bundled machine file each reproduction runs on when --machine is not given. */
export const REPRO_MACHINES: Record<Reproduction, string> = {
  numa: "opteron-4p.yaml",
  tiering: "nvm-tier.yaml",
  vm: "xeon-2s.yaml",
  hetero: "gpu-node.yaml",
};

/** The bundled APU the hetero reproduction's IOMMU rows run on. */
const HETERO_APU = "apu.yaml";

/** Drepper's paper, which most reproductions cite. */
const DREPPER = 'Drepper, "What Every Programmer Should Know About Memory"';

/** Bhattacharjee and Lustig's book, the source of the virtualisation and heterogeneous-system facts. */
const VM_BOOK = 'Bhattacharjee & Lustig, "Architectural and Operating System Support for Virtual Memory" (2017), chapter on heterogeneity and virtualization';

/** Options of `hopsim repro`. */
export interface ReproArgs {
  what: Reproduction;
  /** Machine file; when absent, the reproduction's own bundled machine (REPRO_MACHINES). */
  machine?: string;
  set: string[];
  json: boolean;
  logLevel: string;
}

/** Formats the NUMA reproduction as the tables a person reads. */
export function formatNumaRepro(r: NumaRepro): string {
  const out: string[] = [];
  out.push(`Remote-access costs on ${r.machine} (AMD pub. 40555 figs. 4-5; ${DREPPER} §5.4, figs. 5.2-5.4)`);
  out.push("");
  out.push(
    formatTable(
      ["row", "what", "published", "simulated", "error (pp)", "ok", "from"],
      r.rows.map((x) => [
        x.id,
        x.description,
        x.band ? `${x.band[0].toFixed(2)}-${x.band[1].toFixed(2)}` : x.published.toFixed(2),
        x.simulated.toFixed(3),
        x.band ? "" : ((x.simulated - x.published) * 100).toFixed(1),
        rowWithin(x) ? "yes" : `no (> ${x.tolerancePp} pp)`,
        x.basis,
      ]),
    ),
  );
  out.push("");
  const load = (mode: string) => r.testLoad.find((t) => t.mode === mode);
  const read = load("read");
  const write = load("write");
  if (read !== undefined && write !== undefined) {
    out.push("Memory traffic of one test thread at its own node (rows R0 and W0; 40555 p. 31, a 64 MB array there, 8 MiB here):");
    out.push(`  reading  ${read.publishedGBs.toFixed(2)} GB/s published, ${read.simulatedGBs.toFixed(2)} simulated`);
    out.push(`  writing  ${write.publishedGBs.toFixed(2)} GB/s published, ${write.simulatedGBs.toFixed(2)} simulated (each line read for ownership, then evicted dirty; lines still cached at the end are not written back)`);
    out.push("");
  }
  out.push("Striped vs local placement");
  out.push(
    formatTable(
      ["workload", "policy", "threads", "time (us)", "bandwidth (GB/s)", "remote accesses"],
      r.placement.map((p) => [p.workload, p.policy, p.threads, p.timeNs / 1000, p.bandwidthGBs, `${(p.remoteShare * 100).toFixed(1)} %`]),
    ),
  );
  return `${out.join("\n")}\n`;
}

/** Formats the tiering comparison. */
export function formatTieringRepro(machine: string, rows: TieringRow[]): string {
  const base = rows[0].timeNs;
  return `Tiered memory on ${machine}: Zipf-skewed updates larger than the fast tier\n\n${formatTable(
    ["row", "what", "time (us)", "speed-up", "fast-tier reads", "promotions", "demotions", "copied (MiB)"],
    rows.map((r) => [r.id, r.description, r.timeNs / 1000, base / r.timeNs, `${(r.fastShare * 100).toFixed(1)} %`, r.promotions, r.demotions, r.migratedBytes / 2 ** 20]),
  )}\n`;
}

/** Formats the virtual-memory reproduction. */
export function formatVmRepro(machine: string, rows: VmRow[]): string {
  const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3));
  const exp = (e: VmRow["expected"]) => (e === null ? "-" : typeof e === "number" ? num(e) : `${e[0] === null ? "" : num(e[0])}..${e[1] === null ? "" : num(e[1])}`);
  return `Address translation on ${machine} (${DREPPER} §4; ${VM_BOOK}; walk rows with page-walk caches and nested TLB off)\n\n${formatTable(
    ["row", "what", "expected", "simulated", "unit", "ok"],
    rows.map((r) => [r.id, r.description, exp(r.expected), num(r.simulated), r.unit, r.expected === null ? "-" : vmRowOk(r) ? "yes" : "no"]),
  )}\n`;
}

/** The virtual-memory reproduction as `--json` prints it: `within` is null for rows with nothing to compare. */
export function vmReproJson(machine: string, rows: VmRow[]): object {
  return { machine, rows: rows.map((r) => ({ id: r.id, expected: r.expected, simulated: Math.round(r.simulated * 1000) / 1000, within: vmRowWithin(r) })) };
}

/** The NUMA reproduction as `--json` prints it: rows with a published band carry it as `band`. */
export function numaReproJson(r: NumaRepro): object {
  const rows = r.rows.map((x) => ({ id: x.id, published: x.published, ...(x.band ? { band: x.band } : {}), simulated: Math.round(x.simulated * 1000) / 1000, within: rowWithin(x), basis: x.basis }));
  const testLoad = r.testLoad.map((t) => ({ ...t, simulatedGBs: Math.round(t.simulatedGBs * 1000) / 1000 }));
  return { machine: r.machine, rows, testLoad, placement: r.placement };
}

/** Formats the heterogeneous-machine reproduction. */
export function formatHeteroRepro(r: HeteroRepro): string {
  const num = (v: number) => (Number.isNaN(v) ? "-" : Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1));
  const size = (b: number) => (b >= 2 ** 20 ? `${b / 2 ** 20} MiB` : `${b / 1024} KiB`);
  const out: string[] = [];
  out.push(`Heterogeneous machine: ${r.machine} (and ${r.apu} for the IOMMU rows); ${VM_BOOK}`);
  out.push("");
  out.push(`DMA copy bandwidth against transfer size (link theoretical ${r.linkTheoreticalGBs.toFixed(2)} GB/s per direction)`);
  out.push(formatTable(["size", "H2D GB/s", "of theoretical", "D2H GB/s", "of theoretical"], r.copies.map((c) => [size(c.bytes), c.h2dGBs.toFixed(2), `${(c.h2dFraction * 100).toFixed(1)} %`, c.d2hGBs.toFixed(2), `${(c.d2hFraction * 100).toFixed(1)} %`])));
  out.push("");
  out.push(
    formatTable(
      ["row", "what", "simulated", "unit", "of peak", "detail"],
      r.rows.map((x) => [
        x.id,
        x.description,
        num(x.simulated),
        x.unit,
        x.fraction === undefined ? "" : `${(x.fraction * 100).toFixed(1)} %`,
        x.detail === undefined ? "" : Object.entries(x.detail).map(([k, v]) => `${k} ${num(v)}`).join(", "),
      ]),
    ),
  );
  return `${out.join("\n")}\n`;
}

/** Runs a reproduction and prints it; returns the exit code. */
export function reproCommand(a: ReproArgs): number {
  const log = makeLogger(a.logLevel);
  const m = loadConfigFile(a.machine ?? bundledMachine(REPRO_MACHINES[a.what]), MachineSpec, { overrides: a.set });
  if (a.what === "tiering") {
    const rows = reproduceTiering(m, { tableBytes: 64 << 20, updatesPerThread: 1_000_000, threads: 2, zipfTheta: 1.3 });
    if (a.json) process.stdout.write(`${JSON.stringify({ machine: m.name, rows }, null, 1)}\n`);
    else process.stdout.write(formatTieringRepro(m.name, rows));
    return 0;
  }
  if (a.what === "vm") {
    const rows = reproduceVm(m, { accesses: 4000 });
    if (a.json) process.stdout.write(`${JSON.stringify(vmReproJson(m.name, rows), null, 1)}\n`);
    else process.stdout.write(formatVmRepro(m.name, rows));
    return rows.every(vmRowOk) ? 0 : 1;
  }
  if (a.what === "hetero") {
    const apu = loadConfigFile(bundledMachine(HETERO_APU), MachineSpec);
    const r = reproduceHetero(m, apu, { ...HETERO_DEFAULTS, progress: (l) => log.info(l) });
    if (a.json) {
      const rows = r.rows.map((x) => ({ ...x, simulated: Number.isNaN(x.simulated) ? null : Math.round(x.simulated * 1000) / 1000 }));
      process.stdout.write(`${JSON.stringify({ machine: r.machine, apu: r.apu, linkTheoreticalGBs: r.linkTheoreticalGBs, copies: r.copies, rows }, null, 1)}\n`);
    } else process.stdout.write(formatHeteroRepro(r));
    return 0;
  }
  const r = reproduceNuma(m, socketsOf(m.topology), { triadElementsPerThread: 64 * 1024, chaseAccesses: 20_000, progress: (l) => log.info(l) });
  if (a.json) process.stdout.write(`${JSON.stringify(numaReproJson(r), null, 1)}\n`);
  else process.stdout.write(formatNumaRepro(r));
  return 0;
}

/** The yargs definition of `hopsim repro`. */
export const reproCommandModule: CommandModule<object, ReproArgs> = {
  command: "repro <what>",
  describe: "Reproduce published figures: numa (remote-access slowdowns, striped vs local), tiering (hot pages to DRAM), vm (page walks, huge pages, nested and shadow paging), hetero (DMA, GPU memory, unified memory, IOMMU, MMIO)",
  builder: (y) =>
    y
      .positional("what", { type: "string", choices: REPRODUCTIONS, demandOption: true, describe: "which reproduction" })
      // No yargs default: each reproduction has its own machine, used when the option is absent.
      .option("machine", {
        alias: "m",
        type: "string",
        describe: `machine file (default: the reproduction's own, one that comes with hopsim: ${REPRODUCTIONS.map((w) => `${w} machines/${REPRO_MACHINES[w]}`).join(", ")}, with machines/${HETERO_APU} for its IOMMU rows)`,
      })
      .option("set", { type: "string", array: true, default: [], describe: "override a machine field: key.path=value" })
      .option("json", { type: "boolean", default: false, describe: "print the results as JSON: machine and rows (numa adds testLoad and placement; hetero adds apu, linkTheoreticalGBs and copies)" }) as never,
  handler: async (a) => {
    await runWithConfigErrors(() => {
      process.exitCode = reproCommand(a);
    });
  },
};
