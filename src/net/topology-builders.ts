/**
 * Builders for common multi-socket interconnect graphs.
 *
 * Every builder returns a fresh `Topology` whose sockets are ids 0..n-1 (`node0`...), and whose
 * edges are numbered in the order documented on each builder, so edge ids are stable inputs for
 * per-link parameter tables.
 */
import type { Edge, Topology, Vertex } from "./topology.ts";
import { socketVertices, validateTopology } from "./topology.ts";

function requireInt(what: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw new Error(`${what} must be an integer ${range}, got ${value}`);
  }
}

function socketGraph(name: string, n: number, pairs: readonly (readonly [number, number])[]): Topology {
  const edges: Edge[] = pairs.map(([a, b], id) => ({ id, a, b }));
  return { name, vertices: socketVertices(n), edges };
}

/**
 * Hypercube of dimension `dim` (0..16): 2^dim sockets, socket i joined to i xor (1 << k) for each
 * k < dim. Edges are listed by ascending i, then ascending k, keeping only i < (i xor (1 << k)).
 */
export function hypercube(dim: number): Topology {
  requireInt("hypercube dimension", dim, 0, 16);
  const n = 1 << dim;
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) {
      const j = i ^ (1 << k);
      if (i < j) pairs.push([i, j]);
    }
  }
  return socketGraph(`hypercube${dim}`, n, pairs);
}

/** Ring of `n` >= 3 sockets: edge i joins i and (i + 1) mod n. */
export function ring(n: number): Topology {
  requireInt("ring size", n, 3);
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) pairs.push([i, (i + 1) % n]);
  return socketGraph(`ring${n}`, n, pairs);
}

function ladderPairs(n: number, twisted: boolean): [number, number][] {
  const m = n / 2;
  const pairs: [number, number][] = [];
  for (let c = 0; c + 1 < m; c++) pairs.push([c, c + 1]); // top rail
  for (let c = 0; c + 1 < m; c++) pairs.push([m + c, m + c + 1]); // bottom rail
  for (let c = 0; c < m; c++) {
    if (twisted && c === 0) pairs.push([0, n - 1]);
    else if (twisted && c === m - 1) pairs.push([m - 1, m]);
    else pairs.push([c, m + c]);
  }
  return pairs;
}

/**
 * Ladder of `n` sockets (n even, >= 4) in 2 rows of m = n/2 columns.
 * Numbering: top rail is 0..m-1 left to right, bottom rail is m..n-1 left to right, so column c
 * holds sockets c (top) and m + c (bottom). Edges: top rail c-(c+1) for c = 0..m-2, then bottom
 * rail (m+c)-(m+c+1), then rungs c-(m+c) for c = 0..m-1. For n = 8:
 *
 *     0 - 1 - 2 - 3
 *     |   |   |   |
 *     4 - 5 - 6 - 7      edges: 0-1 1-2 2-3 4-5 5-6 6-7 0-4 1-5 2-6 3-7  (diameter 4: 0 to 7)
 *
 * ladder(4) is the 4-cycle 0-1, 2-3, 0-2, 1-3, identical to `square4()`.
 */
export function ladder(n: number): Topology {
  requireInt("ladder size", n, 4);
  if (n % 2 !== 0) throw new Error(`ladder size must be even, got ${n}`);
  return socketGraph(`ladder${n}`, n, ladderPairs(n, false));
}

/**
 * Opteron-style "twisted ladder": the `ladder(n)` layout (top rail 0..m-1, bottom rail m..n-1,
 * m = n/2) with the two end rungs crossed: instead of 0-m and (m-1)-(n-1) the ends are joined
 * crosswise, 0-(n-1) and (m-1)-m. Edge order is the ladder's with the end rungs replaced in place.
 * For n = 8 the exact edge list (ids 0..9) is
 *
 *     0-1 1-2 2-3 4-5 5-6 6-7 0-7 1-5 2-6 3-4
 *
 *     0 - 1 - 2 - 3
 *      \  |   |  /         0-7 and 3-4 cross the ladder; the result is the 8-ring
 *       \ |   | /          0-1-2-3-4-5-6-7-0 with chords 1-5 and 2-6:
 *     4 - 5 - 6 - 7        diameter 3 (ladder: 4), every socket degree <= 3, ends 0,3,4,7 degree 2.
 */
export function twistedLadder(n: number): Topology {
  requireInt("twisted ladder size", n, 4);
  if (n % 2 !== 0) throw new Error(`twisted ladder size must be even, got ${n}`);
  return socketGraph(`twisted-ladder${n}`, n, ladderPairs(n, true));
}

/**
 * 2-D mesh of rows x cols sockets (no wraparound): socket (r, c) has id r * cols + c. Edges are
 * listed row-major by socket, each socket contributing its right edge then its down edge.
 */
export function mesh2d(rows: number, cols: number): Topology {
  requireInt("mesh rows", rows, 1);
  requireInt("mesh cols", cols, 1);
  const pairs: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const id = r * cols + c;
      if (c + 1 < cols) pairs.push([id, id + 1]);
      if (r + 1 < rows) pairs.push([id, id + cols]);
    }
  }
  return socketGraph(`mesh${rows}x${cols}`, rows * cols, pairs);
}

/** Crossbar: `n` >= 1 sockets each joined to one `switch0` vertex (id n); edge i joins socket i and the switch. */
export function crossbar(n: number): Topology {
  requireInt("crossbar size", n, 1);
  const vertices: Vertex[] = socketVertices(n);
  vertices.push({ id: n, name: "switch0", kind: "switch" });
  const edges: Edge[] = [];
  for (let i = 0; i < n; i++) edges.push({ id: i, a: i, b: n });
  return { name: `crossbar${n}`, vertices, edges };
}

/**
 * 4-socket Opteron square (a 4-cycle, isomorphic to ring(4)) numbered so node0 is adjacent to node1
 * and node2 and node3 is diagonal to node0. Edges, in id order: 0-1, 1-3, 3-2, 2-0.
 */
export function square4(): Topology {
  return socketGraph("square4", 4, [
    [0, 1],
    [1, 3],
    [3, 2],
    [2, 0],
  ]);
}

/**
 * `n` sockets joined by the given explicit `pairs` (edge i = pairs[i]); throws an Error on a self
 * loop, an endpoint outside 0..n-1, a non-integer endpoint, or a duplicate edge (in either order).
 */
export function edgeList(n: number, pairs: [number, number][]): Topology {
  requireInt("edge-list socket count", n, 1);
  const seen = new Map<number, number>();
  pairs.forEach(([a, b], i) => {
    for (const end of [a, b]) {
      if (!Number.isInteger(end) || end < 0 || end >= n) {
        throw new Error(`edgeList: edge ${i} (${a}-${b}) has endpoint ${end} outside 0..${n - 1}`);
      }
    }
    if (a === b) throw new Error(`edgeList: edge ${i} (${a}-${b}) is a self loop`);
    const key = Math.min(a, b) * n + Math.max(a, b);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new Error(`edgeList: edge ${i} (${a}-${b}) duplicates edge ${first} (${pairs[first]![0]}-${pairs[first]![1]})`);
    }
    seen.set(key, i);
  });
  return socketGraph(`edges${n}`, n, pairs);
}

/**
 * Returns a copy of `t` with one new `iohub` vertex (id = old vertex count, named `iohub<k>` where k
 * counts existing hubs) joined by one new edge (id = old edge count) to socket `socket`. Routing
 * never uses the hub as a transit vertex, so socket-to-socket routes are unchanged.
 */
export function withIoHub(t: Topology, socket: number): Topology {
  const target = t.vertices[socket];
  if (!Number.isInteger(socket) || target === undefined || target.kind !== "socket") {
    throw new Error(`withIoHub: ${socket} is not a socket of topology ${t.name}`);
  }
  const hubIndex = t.vertices.filter((v) => v.kind === "iohub").length;
  const hubId = t.vertices.length;
  const vertices: Vertex[] = t.vertices.map((v) => ({ ...v }));
  vertices.push({ id: hubId, name: `iohub${hubIndex}`, kind: "iohub" });
  const edges: Edge[] = t.edges.map((e) => ({ ...e }));
  edges.push({ id: edges.length, a: socket, b: hubId });
  const out: Topology = { name: `${t.name}+iohub${hubIndex}@node${socket}`, vertices, edges };
  validateTopology(out);
  return out;
}
