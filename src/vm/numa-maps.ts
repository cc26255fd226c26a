import type { AddressSpace } from "./address-space.ts";
import { policyLabel } from "./numa-policy.ts";

/** One line of the numa_maps view, as data. */
export interface NumaMapsEntry {
  /** Start virtual address, hex. */
  address: string;
  /** Region name from the workload file. */
  region: string;
  /** Policy as Linux prints it. */
  policy: string;
  /** Kind: anon, heap, stack or file=<path>. */
  kind: string;
  /** Pages mapped (touched). */
  mapped: number;
  /** Largest number of processes mapping one page (one process here). */
  mapmax: number;
  /** Anonymous pages mapped. */
  anon: number;
  /** Pages written. */
  dirty: number;
  /** Pages on each node (line-interleaved pages count 1/N on every node). */
  perNode: number[];
}

/**
 * Builds the numa_maps view of an address space (/proc/PID/numa_maps, as Drepper, "What Every
 * Programmer Should Know About Memory" §5.4, fig. 5.3, shows it).
 */
export function numaMaps(as: AddressSpace, nodes: number): NumaMapsEntry[] {
  return as.regions.map((r) => {
    const perNode = new Array<number>(nodes).fill(0);
    let mapped = 0;
    let dirty = 0;
    for (let i = 0; i < r.pageNode.length; i++) {
      const n = r.pageNode[i];
      if (n === -1) continue;
      mapped++;
      if (r.pageDirty[i] === 1) dirty++;
      if (n >= 0) perNode[n]++;
      else for (let k = 0; k < nodes; k++) perNode[k] += 1 / nodes;
    }
    const isFile = r.kind.startsWith("file=");
    return {
      address: r.start.toString(16),
      region: r.name,
      policy: policyLabel(r.policy, nodes),
      kind: r.kind,
      mapped,
      mapmax: mapped > 0 ? 1 : 0,
      anon: isFile ? 0 : mapped,
      dirty,
      perNode,
    };
  });
}

/** Formats the view the way /proc/PID/numa_maps prints it, one region a line. */
export function formatNumaMaps(entries: NumaMapsEntry[], pageBytes: number): string {
  return entries
    .map((e) => {
      const parts = [e.address, e.policy, e.kind];
      if (e.kind.startsWith("file=")) parts.push(`mapped=${e.mapped}`);
      else parts.push(`anon=${e.anon}`);
      if (e.mapmax > 0) parts.push(`mapmax=${e.mapmax}`);
      if (e.dirty > 0) parts.push(`dirty=${e.dirty}`);
      parts.push(`active=${e.mapped}`);
      e.perNode.forEach((n, i) => {
        if (n > 0) parts.push(`N${i}=${Number.isInteger(n) ? n : n.toFixed(2)}`);
      });
      parts.push(`kernelpagesize_kB=${pageBytes / 1024}`);
      return `${parts.join(" ")}  # ${e.region}`;
    })
    .join("\n");
}
