import type { CommandModule } from "yargs";
import { runWithConfigErrors } from "../../config/exit.ts";
import { loadConfigFile } from "../../config/load.ts";
import { MachineSpec } from "../../config/machine-spec.ts";
import { buildMachine } from "../../machine/build-machine.ts";
import { topologyOf } from "../../net/topology-of.ts";
import { declaredDistances, idleLatencyMatrix, measuredDistances } from "../../machine/idle-latency.ts";
import { cacheViews, cpuViews, nodeCpuMaps } from "../../machine/sysfs-views.ts";
import { buildRoutes, diameter, socketHops } from "../../net/routing.ts";
import { formatTable } from "../../report/table.ts";
import { numberOption, POSITIVE_WHOLE } from "../number-option.ts";

/** Options of `hopsim topo`. */
export interface TopoArgs {
  machine: string;
  set: string[];
  json: boolean;
  accesses: number;
}

/** Prints a machine's sysfs-style views and its declared vs measured node distances. */
export function topoCommand(a: TopoArgs): number {
  const spec = loadConfigFile(a.machine, MachineSpec, { overrides: a.set });
  const topo = topologyOf(spec.topology);
  const nodes = topo.vertices.filter((v) => v.kind === "socket").length;
  const hops = socketHops(buildRoutes(topo));
  const declared = declaredDistances(spec, nodes);
  const latency = idleLatencyMatrix(spec, nodes, a.accesses);
  const measured = measuredDistances(latency);
  const caches = cacheViews(spec, nodes);
  const cpus = cpuViews(spec, nodes);
  if (a.json) {
    const round = (m: number[][]) => m.map((r) => r.map((v) => Math.round(v * 10) / 10));
    process.stdout.write(`${JSON.stringify({ nodes, diameter: diameter(topo), hops, declaredDistance: declared, measuredDistance: measured, idleLatencyNs: round(latency), caches, cpus }, null, 1)}\n`);
    return 0;
  }
  const out: string[] = [];
  out.push(`${spec.name}: ${nodes} nodes x ${spec.node.cores} cores, ${spec.topology.kind}, diameter ${diameter(topo)}, ${spec.coherence} coherence`);
  out.push("");
  out.push("/sys/devices/system/cpu/cpu*/cache/index*");
  out.push(formatTable(["cpu", "index", "type", "level", "size", "ways", "shared_cpu_map"], caches.map((c) => [c.cpu, c.index, c.type, c.level, c.size, c.ways, c.sharedCpuMap])));
  out.push("");
  out.push("/sys/devices/system/cpu/cpu*/topology");
  out.push(formatTable(["cpu", "physical_package_id", "core_id", "core_siblings", "thread_siblings"], cpus.map((c) => [c.cpu, c.physicalPackageId, c.coreId, c.coreSiblings, c.threadSiblings])));
  out.push("");
  out.push("/sys/devices/system/node/node*: cpumap and distance as declared (ACPI SLIT) | as measured (10 x idle latency / local)");
  const maps = nodeCpuMaps(spec, nodes);
  const head = ["node", "cpumap", ...Array.from({ length: nodes }, (_, j) => `d${j}`), "|", ...Array.from({ length: nodes }, (_, j) => `m${j}`), "|", ...Array.from({ length: nodes }, (_, j) => `ns${j}`), "|", ...Array.from({ length: nodes }, (_, j) => `hops${j}`)];
  out.push(formatTable(head, Array.from({ length: nodes }, (_, i) => [`node${i}`, maps[i], ...declared[i], "|", ...measured[i], "|", ...latency[i].map((v) => Math.round(v)), "|", ...hops[i]])));
  const flat = declared.flat();
  if (new Set(flat.filter((d) => d !== 10)).size <= 1 && new Set(measured.flat().filter((d) => d !== 10)).size > 1) {
    out.push("");
    out.push("The declared table says every remote node is equally far; the measured one shows it is not.");
  }
  if (spec.devices.length > 0) {
    // Device memory and registers as lspci / the physical map would show them.
    const m = buildMachine(spec);
    out.push("");
    out.push("Devices (device memory is a NUMA node without CPUs, reached across the device link)");
    out.push(
      formatTable(
        ["device", "socket", "link", "theoretical GB/s", "memory", "memory node", "registers (BAR)", "GPU", "translation"],
        m.devices.map((d) => {
          const s = d.handle.spec;
          const l = s.link;
          const link = l.kind === "pcie" ? `PCIe gen${l.gen} x${l.lanes}` : l.kind;
          const mem = s.memory === undefined ? "host's" : `${s.memory.size / 2 ** 30} GiB ${s.memory.dram.preset}`;
          const gpu = s.gpu === undefined ? "-" : `${s.gpu.computeUnits} CUs x ${s.gpu.lanes} lanes`;
          return [s.name, d.handle.attachTo, link, d.link.theoreticalBytesPerNs.toFixed(2), mem, d.handle.memoryNode < 0 ? "-" : `node${d.handle.memoryNode}`, `0x${d.handle.mmioBase.toString(16)} (${d.handle.mmioBytes / 2 ** 20} MiB)`, gpu, `${s.translation.mode}, ${s.translation.addressSpace} address space`];
        }),
      ),
    );
  }
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}

/** The yargs definition of `hopsim topo`. */
export const topoCommandModule: CommandModule<object, TopoArgs> = {
  command: "topo <machine>",
  describe: "Print a machine's cache, CPU and node tables as sysfs shows them, with measured distances",
  builder: (y) =>
    y
      .positional("machine", { type: "string", demandOption: true, describe: "machine file" })
      .option("set", { type: "string", array: true, default: [], describe: "override a machine field: key.path=value" })
      .option("json", { type: "boolean", default: false, describe: "print the tables as JSON" })
      .option("accesses", numberOption("accesses", POSITIVE_WHOLE, { default: 4000, describe: "loads per idle pointer chase used to measure distances" })) as never,
  handler: async (a) => {
    await runWithConfigErrors(() => {
      process.exitCode = topoCommand(a);
    });
  },
};
