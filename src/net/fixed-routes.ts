/**
 * Routing tables given by the firmware, as a BIOS writes them into each node's routing registers
 * (AMD K8: a request route, a response route and a broadcast route per node). Requests and
 * responses may take different paths between the same two nodes, and a broadcast travels a tree:
 * each node passes it on to the nodes below it, so no link carries it twice.
 */

/** The tables of a machine file's `topology.routes`, over socket ids; each part is optional. */
export interface FixedRoutes {
  /** `request[i][j]`: the node a request from node i to node j goes to next (i itself when j = i). */
  request?: number[][];
  /** `response[i][j]`: likewise for responses (probe answers, data, completions). */
  response?: number[][];
  /** `broadcast[j]`: the hops `[from, to]` a broadcast from node j takes, a tree reaching every node. */
  broadcast?: [number, number][][];
}

/** One problem with a table: the path of the field under `routes` and what is wrong. */
export interface RouteProblem {
  path: (string | number)[];
  message: string;
}

/** Problems of `r` for `n` sockets joined where `linked(a, b)` (empty when the tables are sound). */
export function fixedRouteProblems(n: number, linked: (a: number, b: number) => boolean, r: FixedRoutes): RouteProblem[] {
  const out: RouteProblem[] = [];
  for (const part of ["request", "response"] as const) {
    const t = r[part];
    if (t !== undefined) nextHopProblems(n, linked, t, part, out);
  }
  if (r.broadcast !== undefined) treeProblems(n, linked, r.broadcast, out);
  return out;
}

function nextHopProblems(n: number, linked: (a: number, b: number) => boolean, t: number[][], part: string, out: RouteProblem[]): void {
  if (t.length !== n) {
    out.push({ path: [part], message: `expected a row for each of the ${n} nodes, got ${t.length}` });
    return;
  }
  let sound = true;
  t.forEach((row, i) => {
    if (row.length !== n) {
      out.push({ path: [part, i], message: `expected a next node for each of the ${n} nodes, got ${row.length}` });
      sound = false;
      return;
    }
    row.forEach((next, j) => {
      const bad =
        next < 0 || next >= n ? `node ${next} does not exist (the machine has nodes 0-${n - 1})`
        : i === j && next !== i ? `a node's route to itself must be itself (${i}), got ${next}`
        : i !== j && !linked(i, next) ? `node ${i} has no link to node ${next}`
        : null;
      if (bad !== null) {
        out.push({ path: [part, i, j], message: bad });
        sound = false;
      }
    });
  });
  if (!sound) return;
  // Every route must arrive: following the table from i reaches j without passing a node twice.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let v = i;
      for (let steps = 0; v !== j && steps < n; steps++) v = t[v][j];
      if (v !== j) out.push({ path: [part, i, j], message: `the route from node ${i} to node ${j} goes round in a loop` });
    }
  }
}

function treeProblems(n: number, linked: (a: number, b: number) => boolean, trees: [number, number][][], out: RouteProblem[]): void {
  if (trees.length !== n) {
    out.push({ path: ["broadcast"], message: `expected a tree for each of the ${n} nodes, got ${trees.length}` });
    return;
  }
  trees.forEach((hops, root) => {
    const reached = new Array<boolean>(n).fill(false);
    reached[root] = true;
    // Hops may come in any order: take each once its sender has the broadcast.
    const left = hops.map((h, k) => ({ h, k }));
    let progress = true;
    while (left.length > 0 && progress) {
      progress = false;
      for (let x = 0; x < left.length; x++) {
        const { h: [from, to], k } = left[x];
        const bad =
          from < 0 || from >= n || to < 0 || to >= n ? `node ${from < 0 || from >= n ? from : to} does not exist (the machine has nodes 0-${n - 1})`
          : !linked(from, to) ? `node ${from} has no link to node ${to}`
          : reached[from] && reached[to] ? `node ${to} already has the broadcast`
          : null;
        if (bad !== null) {
          out.push({ path: ["broadcast", root, k], message: bad });
          left.splice(x--, 1);
          continue;
        }
        if (!reached[from]) continue;
        reached[to] = true;
        left.splice(x--, 1);
        progress = true;
      }
    }
    for (const { h, k } of left) out.push({ path: ["broadcast", root, k], message: `node ${h[0]} never gets node ${root}'s broadcast to pass on` });
    const missed = reached.flatMap((r, v) => (r ? [] : [v]));
    if (missed.length > 0) out.push({ path: ["broadcast", root], message: `the broadcast never reaches node${missed.length > 1 ? "s" : ""} ${missed.join(", ")}` });
  });
}

/**
 * For each node `i`, for each originating node `j`: the nodes `i` passes `j`'s broadcast on to
 * (for `i === j`, where it sends its own first), from sound trees.
 */
export function broadcastChildren(n: number, trees: [number, number][][]): number[][][] {
  const out: number[][][] = Array.from({ length: n }, () => Array.from({ length: n }, () => []));
  trees.forEach((hops, root) => {
    for (const [from, to] of hops) out[from][root].push(to);
  });
  for (const perNode of out) for (const list of perNode) list.sort((a, b) => a - b);
  return out;
}
