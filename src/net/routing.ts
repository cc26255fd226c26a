/**
 * Deterministic all-pairs shortest-path routing over a `Topology`.
 *
 * Routes are destination-based: the route from `s` to `d` is `s`, then the route from
 * `nextHop(s, d)` to `d`. Distances come from one breadth-first search per destination. Among the
 * neighbours of `s` that lie on some shortest path to `d`, the one with the **lowest vertex id** is
 * the next hop. Applied at every hop, this picks the lexicographically smallest shortest path. On a
 * hypercube it behaves like a fixed dimension order: differing bits that are set in the current
 * vertex are cleared highest first, then differing bits that are clear are set lowest first.
 *
 * I/O hub vertices are only ever route endpoints, never transit vertices; switches are ordinary
 * transit vertices. Hop counts are edges traversed (a crossbar socket-to-socket route is 2 hops).
 */
import type { Topology } from "./topology.ts";
import { socketCount, validateTopology } from "./topology.ts";

/** Precomputed all-pairs routes; every table is n*n, indexed `from * n + to`. */
export class RoutingTable {
  /** Number of vertices (sockets, switches and I/O hubs). */
  readonly n: number;
  /** Number of socket vertices (ids 0..sockets-1). */
  readonly sockets: number;
  /** Next vertex on the route from `from` to `to`; equals `from` when `from === to`. */
  readonly nextHopTable: Int32Array;
  /** Edge id of the first hop from `from` to `to`; -1 when `from === to`. */
  readonly edgeTable: Int32Array;
  /** Edges traversed from `from` to `to`. */
  readonly hopTable: Int32Array;

  /** Wraps tables produced by `buildRoutes`; not meant to be called directly. */
  constructor(n: number, sockets: number, nextHopTable: Int32Array, edgeTable: Int32Array, hopTable: Int32Array) {
    this.n = n;
    this.sockets = sockets;
    this.nextHopTable = nextHopTable;
    this.edgeTable = edgeTable;
    this.hopTable = hopTable;
  }

  /** Vertex id of the first hop from `from` towards `to` (`from` itself when they are equal). */
  nextHop(from: number, to: number): number {
    return this.nextHopTable[this.index(from, to)]!;
  }

  /** Edge id of the first hop from `from` towards `to`, or -1 when `from === to`. */
  edgeTo(from: number, to: number): number {
    return this.edgeTable[this.index(from, to)]!;
  }

  /** Number of edges on the route from `from` to `to`. */
  hops(from: number, to: number): number {
    return this.hopTable[this.index(from, to)]!;
  }

  /** Vertex ids along the route, including both `from` and `to`. */
  path(from: number, to: number): number[] {
    const out = [from];
    let v = from;
    while (v !== to) {
      v = this.nextHopTable[this.index(v, to)]!;
      out.push(v);
    }
    return out;
  }

  /** Edge ids along the route from `from` to `to`, in traversal order. */
  pathEdges(from: number, to: number): number[] {
    const out: number[] = [];
    let v = from;
    while (v !== to) {
      const i = this.index(v, to);
      out.push(this.edgeTable[i]!);
      v = this.nextHopTable[i]!;
    }
    return out;
  }

  private index(from: number, to: number): number {
    const n = this.n;
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to >= 0 && from < n && to < n)) {
      throw new Error(`route ${from}->${to} out of range: vertices are 0..${n - 1}`);
    }
    return from * n + to;
  }
}

/**
 * Computes routes between every pair of vertices of `t` (see the module comment for the tie-break);
 * throws an Error naming the first unreachable pair if the graph is disconnected.
 */
export function buildRoutes(t: Topology): RoutingTable {
  validateTopology(t);
  const n = t.vertices.length;
  // Adjacency sorted by neighbour id, with the connecting edge id.
  const nbrs: { v: number; e: number }[][] = t.vertices.map(() => []);
  for (const e of t.edges) {
    nbrs[e.a]!.push({ v: e.b, e: e.id });
    nbrs[e.b]!.push({ v: e.a, e: e.id });
  }
  for (const list of nbrs) list.sort((x, y) => x.v - y.v);
  const transit = t.vertices.map((v) => v.kind !== "iohub");

  const next = new Int32Array(n * n);
  const edge = new Int32Array(n * n);
  const hops = new Int32Array(n * n);
  const dist = new Int32Array(n);
  const queue = new Int32Array(n);

  for (let to = 0; to < n; to++) {
    // BFS outward from the destination; only the destination and transit vertices are expanded,
    // so every distance found is along a path whose interior avoids I/O hubs.
    dist.fill(-1);
    dist[to] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = to;
    while (head < tail) {
      const u = queue[head++]!;
      if (u !== to && !transit[u]) continue;
      for (const { v } of nbrs[u]!) {
        if (dist[v] === -1) {
          dist[v] = dist[u]! + 1;
          queue[tail++] = v;
        }
      }
    }
    for (let from = 0; from < n; from++) {
      const i = from * n + to;
      const d = dist[from]!;
      if (d === -1) {
        // Reachability is symmetric (reversing a path keeps its interior), so name the pair unordered.
        throw new Error(
          `topology ${t.name}: no route between ${t.vertices[to]!.name} and ${t.vertices[from]!.name} (graph is disconnected)`,
        );
      }
      hops[i] = d;
      if (from === to) {
        next[i] = from;
        edge[i] = -1;
        continue;
      }
      // Lowest-id neighbour one step closer that may carry the route (transit, or the destination).
      let chosen = -1;
      for (const { v, e } of nbrs[from]!) {
        if (dist[v] === d - 1 && (v === to || transit[v])) {
          next[i] = v;
          edge[i] = e;
          chosen = v;
          break;
        }
      }
      if (chosen === -1) throw new Error(`internal: no next hop from ${from} to ${to}`);
    }
  }
  return new RoutingTable(n, socketCount(t), next, edge, hops);
}

/** Socket-to-socket hop counts (edges traversed, switches included) from a prebuilt routing table. */
export function socketHops(routes: RoutingTable): number[][] {
  const s = routes.sockets;
  const out: number[][] = [];
  for (let a = 0; a < s; a++) {
    const row: number[] = [];
    for (let b = 0; b < s; b++) row.push(routes.hops(a, b));
    out.push(row);
  }
  return out;
}

/** Socket-to-socket hop matrix of `t`: entry [a][b] is the number of edges on the route a -> b. */
export function hopMatrix(t: Topology): number[][] {
  return socketHops(buildRoutes(t));
}

/** Largest socket-to-socket hop count of `t` (0 for a single socket). */
export function diameter(t: Topology): number {
  let max = 0;
  for (const row of hopMatrix(t)) for (const h of row) if (h > max) max = h;
  return max;
}

/** Mean hop count over ordered pairs of distinct sockets of `t` (0 when there are fewer than 2). */
export function meanHops(t: Topology): number {
  const m = hopMatrix(t);
  const s = m.length;
  if (s < 2) return 0;
  let sum = 0;
  for (const row of m) for (const h of row) sum += h;
  return sum / (s * (s - 1));
}
