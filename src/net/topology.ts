/**
 * Interconnect topology as a plain undirected graph.
 *
 * Conventions every builder and consumer relies on:
 * - `vertices[i].id === i` and `edges[i].id === i` (ids double as array indices).
 * - Socket vertices come first: ids 0..nSockets-1, named `node0`, `node1`, ...
 *   Switches (`switch0`, ...) and I/O hubs (`iohub0`, ...) follow, each family numbered by order
 *   of appearance.
 * - Each edge is undirected and becomes one bidirectional link; per-link parameters (bandwidth,
 *   latency) are attached by the caller, keyed by edge id.
 */

/** The role of a vertex: a processor socket (NUMA node), a routing-only switch, or an I/O hub. */
export type VertexKind = "socket" | "switch" | "iohub";

/** One graph vertex; `id` equals its index in `Topology.vertices`. */
export interface Vertex {
  /** Dense vertex id, equal to the index in `Topology.vertices`. */
  id: number;
  /** Display name: `node<i>`, `switch<i>` or `iohub<i>`. */
  name: string;
  /** What sits at this vertex. */
  kind: VertexKind;
}

/** One undirected edge between vertices `a` and `b`; `id` equals its index in `Topology.edges`. */
export interface Edge {
  /** Dense edge id, equal to the index in `Topology.edges`. */
  id: number;
  /** One endpoint (vertex id). */
  a: number;
  /** The other endpoint (vertex id). */
  b: number;
}

/** A named interconnect graph: sockets first, then switches and I/O hubs, plus undirected edges. */
export interface Topology {
  /** Human-readable topology name, e.g. `hypercube3`. */
  name: string;
  /** All vertices, sockets first. */
  vertices: Vertex[];
  /** All undirected edges. */
  edges: Edge[];
}

/** Number of socket vertices in `t` (they occupy ids 0..socketCount(t)-1). */
export function socketCount(t: Topology): number {
  let n = 0;
  for (const v of t.vertices) if (v.kind === "socket") n++;
  return n;
}

/** Creates `count` socket vertices with ids 0..count-1 named `node0`...; used by builders. */
export function socketVertices(count: number): Vertex[] {
  const out: Vertex[] = [];
  for (let i = 0; i < count; i++) out.push({ id: i, name: `node${i}`, kind: "socket" });
  return out;
}

/** Throws a descriptive Error unless `t` satisfies the id, ordering and simple-graph conventions. */
export function validateTopology(t: Topology): void {
  const n = t.vertices.length;
  let seenNonSocket = false;
  for (let i = 0; i < n; i++) {
    const v = t.vertices[i]!;
    if (v.id !== i) throw new Error(`topology ${t.name}: vertex at index ${i} has id ${v.id}`);
    if (v.kind === "socket") {
      if (seenNonSocket) throw new Error(`topology ${t.name}: socket ${v.name} follows a non-socket vertex`);
    } else {
      seenNonSocket = true;
    }
  }
  const seen = new Set<number>();
  for (let i = 0; i < t.edges.length; i++) {
    const e = t.edges[i]!;
    if (e.id !== i) throw new Error(`topology ${t.name}: edge at index ${i} has id ${e.id}`);
    for (const end of [e.a, e.b]) {
      if (!Number.isInteger(end) || end < 0 || end >= n) {
        throw new Error(`topology ${t.name}: edge ${i} endpoint ${end} out of range 0..${n - 1}`);
      }
    }
    if (e.a === e.b) throw new Error(`topology ${t.name}: edge ${i} is a self loop on vertex ${e.a}`);
    const key = Math.min(e.a, e.b) * n + Math.max(e.a, e.b);
    if (seen.has(key)) throw new Error(`topology ${t.name}: duplicate edge ${e.a}-${e.b} (edge ${i})`);
    seen.add(key);
  }
}
