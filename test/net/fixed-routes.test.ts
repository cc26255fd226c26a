import { describe, expect, it } from "vitest";
import { broadcastChildren, fixedRouteProblems, type FixedRoutes } from "../../src/net/fixed-routes.ts";

// A square: 0-1, 1-3, 3-2, 2-0 (node 3 is two hops from node 0).
const EDGES = new Set(["0-1", "1-3", "2-3", "0-2"]);
const linked = (a: number, b: number) => EDGES.has(`${Math.min(a, b)}-${Math.max(a, b)}`);

// The K8 BIOS's tables for this square (machines/opteron-4p.yaml).
const K8: FixedRoutes = {
  request: [[0, 1, 2, 2], [0, 1, 3, 3], [0, 0, 2, 3], [1, 1, 2, 3]],
  response: [[0, 1, 2, 1], [0, 1, 0, 3], [0, 3, 2, 3], [2, 1, 2, 3]],
  broadcast: [
    [[0, 1], [0, 2], [2, 3]],
    [[1, 0], [1, 3], [3, 2]],
    [[2, 0], [2, 3], [0, 1]],
    [[3, 1], [3, 2], [1, 0]],
  ],
};

const messages = (r: FixedRoutes) => fixedRouteProblems(4, linked, r).map((p) => `${p.path.join(".")}: ${p.message}`);

describe("firmware routing tables", () => {
  it("accepts the K8 tables of the 4P square", () => {
    expect(messages(K8)).toEqual([]);
  });

  it("names a next node with no link from the node", () => {
    const request = K8.request!.map((row) => [...row]);
    request[0][3] = 3;
    expect(messages({ request })).toEqual(["request.0.3: node 0 has no link to node 3"]);
  });

  it("names a route that goes round in a loop", () => {
    // 0 sends to 1 for node 3's requests, 1 sends them back to 0.
    const request = [[0, 1, 2, 1], [0, 1, 3, 0], [0, 0, 2, 3], [1, 1, 2, 3]];
    expect(messages({ request })).toEqual([
      "request.0.3: the route from node 0 to node 3 goes round in a loop",
      "request.1.3: the route from node 1 to node 3 goes round in a loop",
    ]);
  });

  it("names rows of the wrong size, nodes that do not exist and a node not routed to itself", () => {
    expect(messages({ response: [[0, 1, 2, 1], [0, 1], [0, 3, 2, 3], [2, 1, 2, 3]] })).toEqual(["response.1: expected a next node for each of the 4 nodes, got 2"]);
    expect(messages({ response: [[0, 1, 2, 9], [0, 1, 0, 3], [0, 3, 2, 3], [2, 1, 2, 3]] })).toEqual(["response.0.3: node 9 does not exist (the machine has nodes 0-3)"]);
    expect(messages({ response: [[1, 1, 2, 1], [0, 1, 0, 3], [0, 3, 2, 3], [2, 1, 2, 3]] })).toEqual(["response.0.0: a node's route to itself must be itself (0), got 1"]);
    expect(messages({ request: [[0, 1, 2, 2]] })).toEqual(["request: expected a row for each of the 4 nodes, got 1"]);
  });

  it("takes a tree's hops in any order, and names a hop over no link, a node reached twice and one never reached", () => {
    const b = K8.broadcast!.map((t) => t.map(([x, y]) => [x, y] as [number, number]));
    b[0] = [[2, 3], [0, 2], [0, 1]];
    expect(messages({ broadcast: b })).toEqual([]);
    b[0] = [[0, 1], [0, 3], [0, 2]];
    expect(messages({ broadcast: b })).toEqual(["broadcast.0.1: node 0 has no link to node 3", "broadcast.0: the broadcast never reaches node 3"]);
    b[0] = [[0, 1], [0, 2], [2, 3], [1, 3]];
    expect(messages({ broadcast: b })).toEqual(["broadcast.0.3: node 3 already has the broadcast"]);
    b[0] = [[0, 1], [3, 2]];
    expect(messages({ broadcast: b })).toEqual(["broadcast.0.1: node 3 never gets node 0's broadcast to pass on", "broadcast.0: the broadcast never reaches nodes 2, 3"]);
  });

  it("gives each node the nodes it passes each source's broadcast on to", () => {
    const c = broadcastChildren(4, K8.broadcast!);
    expect(c[0][0]).toEqual([1, 2]); // node 0's own broadcast goes to both neighbours
    expect(c[2][0]).toEqual([3]); // node 2, above node 0, passes it up to node 3
    expect(c[1][0]).toEqual([]); // node 1, across from node 0, passes nothing on
    expect(c[0][2]).toEqual([1]);
    expect(c[3][1]).toEqual([2]);
    expect(c[1][3]).toEqual([0]);
  });
});
