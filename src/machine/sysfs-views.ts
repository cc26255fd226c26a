import type { MachineSpec } from "../config/machine-spec.ts";

/** One row of /sys/devices/system/cpu/cpuN/cache/indexK. */
export interface CacheView {
  cpu: number;
  index: number;
  type: "Data" | "Instruction" | "Unified";
  level: number;
  size: string;
  ways: number;
  sharedCpuMap: string;
}

/** One row of /sys/devices/system/cpu/cpuN/topology. */
export interface CpuView {
  cpu: number;
  physicalPackageId: number;
  coreId: number;
  coreSiblings: string;
  threadSiblings: string;
}

/** Linux prints CPU sets as hex bitmasks in 32-bit groups separated by commas. */
export function cpuMask(cpus: number[], total: number): string {
  const groups = Math.max(1, Math.ceil(total / 32));
  const words = new Array<number>(groups).fill(0);
  for (const c of cpus) words[Math.floor(c / 32)] |= 1 << c % 32;
  return words
    .reverse()
    .map((w) => (w >>> 0).toString(16).padStart(8, "0"))
    .join(",");
}

function sizeLabel(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)}M` : `${bytes / 1024}K`;
}

/**
 * The per-CPU cache table of sysfs (as Drepper, "What Every Programmer Should Know About Memory"
 * §5.3, shows it): L1d and L2 private, L3 shared by the socket.
 */
export function cacheViews(spec: MachineSpec, nodes: number): CacheView[] {
  const per = spec.node.cores;
  const total = nodes * per;
  const out: CacheView[] = [];
  for (let cpu = 0; cpu < total; cpu++) {
    const pkg = Math.floor(cpu / per);
    const own = cpuMask([cpu], total);
    out.push({ cpu, index: 0, type: "Data", level: 1, size: sizeLabel(spec.node.core.l1d.size), ways: spec.node.core.l1d.assoc, sharedCpuMap: own });
    out.push({ cpu, index: 1, type: "Unified", level: 2, size: sizeLabel(spec.node.core.l2.size), ways: spec.node.core.l2.assoc, sharedCpuMap: own });
    if (spec.node.l3) {
      const sib = Array.from({ length: per }, (_, k) => pkg * per + k);
      out.push({ cpu, index: 2, type: "Unified", level: 3, size: sizeLabel(spec.node.l3.size), ways: spec.node.l3.assoc, sharedCpuMap: cpuMask(sib, total) });
    }
  }
  return out;
}

/** The per-CPU topology table: package, core id and sibling masks (one thread per core). */
export function cpuViews(spec: MachineSpec, nodes: number): CpuView[] {
  const per = spec.node.cores;
  const total = nodes * per;
  return Array.from({ length: total }, (_, cpu) => {
    const pkg = Math.floor(cpu / per);
    const sib = Array.from({ length: per }, (_, k) => pkg * per + k);
    return { cpu, physicalPackageId: pkg, coreId: cpu % per, coreSiblings: cpuMask(sib, total), threadSiblings: cpuMask([cpu], total) };
  });
}

/** Each node's cpumap. */
export function nodeCpuMaps(spec: MachineSpec, nodes: number): string[] {
  const per = spec.node.cores;
  return Array.from({ length: nodes }, (_, n) => cpuMask(Array.from({ length: per }, (_, k) => n * per + k), nodes * per));
}
