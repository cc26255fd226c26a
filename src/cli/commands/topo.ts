import type { CommandModule } from "yargs";
import { runWithConfigErrors } from "../../config/exit.ts";
import { loadConfigFile } from "../../config/load.ts";
import { MachineSpec } from "../../config/machine-spec.ts";
import { buildMachine } from "../../machine/build-machine.ts";
import { topologyOf } from "../../net/topology-of.ts";
import { cpulessNodes, declaredDistances, idleLatencyMatrix, idleLatencyTo, measuredDistances, type CpulessNode } from "../../machine/idle-latency.ts";
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

/** A CPU-less node with what the node table shows of it: distances and idle latency from each socket. */
interface CpulessRow extends CpulessNode {
  cpumap: string;
  declaredDistance: number[];
  measuredDistance: number[];
  idleLatencyNs: number[];
}

/** A machine file declares distances between sockets only: a CPU-less node is 10 from itself and 20 from any other node. */
const CPULESS_DISTANCE = 20;

/** Measures each CPU-less node from every socket (latency[i][i] being socket i's local latency). */
function cpulessRows(spec: MachineSpec, sockets: number, latency: number[][], accesses: number): CpulessRow[] {
  return cpulessNodes(spec, sockets).map((n) => {
    const ns = idleLatencyTo(spec, sockets, n.node, accesses);
    return { ...n, cpumap: "", declaredDistance: ns.map(() => CPULESS_DISTANCE), measuredDistance: ns.map((l, i) => Math.round((10 * l) / latency[i]![i]!)), idleLatencyNs: ns };
  });
}

/** Right-aligns every column from `first` on (header included), so that "-" cells keep the numbers aligned. */
function alignRight(rows: (string | number)[][], first: number): string[][] {
  const text = rows.map((r) => r.map(String));
  const widths = text[0]!.map((_, i) => Math.max(...text.map((r) => r[i]!.length)));
  return text.map((r) => r.map((c, i) => (i >= first ? c.padStart(widths[i]!) : c)));
}

/** `1 GiB nvm-optane, memory-only, on socket 0`: what a CPU-less node is. */
function describeCpuless(n: CpulessNode): string {
  const size = n.bytes >= 2 ** 30 ? `${n.bytes / 2 ** 30} GiB` : `${n.bytes / 2 ** 20} MiB`;
  return n.kind === "device" ? `${size} ${n.memory}, memory of device ${n.device ?? ""} on socket ${n.attachTo}` : `${size} ${n.memory}, memory-only, on socket ${n.attachTo}`;
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
  const cpuless = cpulessRows(spec, nodes, latency, a.accesses);
  if (a.json) {
    const round = (m: number[][]) => m.map((r) => r.map((v) => Math.round(v * 10) / 10));
    const cpumaps = nodeCpuMaps(spec, nodes);
    const cpulessJson = cpuless.map((n) => ({ ...n, idleLatencyNs: n.idleLatencyNs.map((v) => Math.round(v * 10) / 10) }));
    process.stdout.write(`${JSON.stringify({ machine: spec.name, nodes, diameter: diameter(topo), hops, cpumaps, declaredDistance: declared, measuredDistance: measured, idleLatencyNs: round(latency), cpulessNodes: cpulessJson, caches, cpus }, null, 1)}\n`);
    return 0;
  }
  const out: string[] = [];
  const plus = cpuless.length === 0 ? "" : ` + ${cpuless.length} CPU-less node${cpuless.length === 1 ? "" : "s"}`;
  out.push(`${spec.name}: ${nodes} nodes x ${spec.node.cores} cores${plus}, ${spec.topology.kind}, diameter ${diameter(topo)}, ${spec.coherence} coherence`);
  out.push("");
  out.push("/sys/devices/system/cpu/cpu*/cache/index*");
  out.push(formatTable(["cpu", "index", "type", "level", "size", "ways", "shared_cpu_map"], caches.map((c) => [c.cpu, c.index, c.type, c.level, c.size, c.ways, c.sharedCpuMap])));
  out.push("");
  out.push("/sys/devices/system/cpu/cpu*/topology");
  out.push(formatTable(["cpu", "physical_package_id", "core_id", "core_siblings", "thread_siblings"], cpus.map((c) => [c.cpu, c.physicalPackageId, c.coreId, c.coreSiblings, c.threadSiblings])));
  out.push("");
  out.push("/sys/devices/system/node/node*: cpumap and distance as declared (ACPI SLIT) | as measured (10 x idle latency / local)");
  const maps = nodeCpuMaps(spec, nodes);
  const all = nodes + cpuless.length;
  const cols = (prefix: string, n: number) => Array.from({ length: n }, (_, j) => `${prefix}${j}`);
  const head = ["node", "cpumap", ...cols("d", all), "|", ...cols("m", all), "|", ...cols("ns", all), "|", ...cols("hops", nodes)];
  const socketRows = Array.from({ length: nodes }, (_, i) => [
    `node${i}`,
    maps[i]!,
    ...declared[i]!,
    ...cpuless.map((n) => n.declaredDistance[i]!),
    "|",
    ...measured[i]!,
    ...cpuless.map((n) => n.measuredDistance[i]!),
    "|",
    ...[...latency[i]!, ...cpuless.map((n) => n.idleLatencyNs[i]!)].map((v) => Math.round(v)),
    "|",
    ...hops[i]!,
  ]);
  // A CPU-less node's row: its declared distances; nothing is measured from it (it has no core).
  const none = (n: number) => Array.from({ length: n }, () => "-");
  const cpulessTableRows = cpuless.map((n) => [`node${n.node}`, n.cpumap, ...n.declaredDistance, ...cpuless.map((o) => (o.node === n.node ? 10 : CPULESS_DISTANCE)), "|", ...none(all), "|", ...none(all), "|", ...none(nodes)]);
  const [alignedHead, ...alignedRows] = alignRight([head, ...socketRows, ...cpulessTableRows], 2);
  out.push(formatTable(alignedHead!, alignedRows));
  for (const n of cpuless) out.push(`node${n.node}: ${describeCpuless(n)} (no CPUs; the machine file declares no distance to it, so ${CPULESS_DISTANCE})`);
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
