import { describe, expect, it } from "vitest";
import { edgeList, hypercube, mesh2d, ring, square4, twistedLadder } from "../../src/net/topology-builders.ts";
import { buildRoutes } from "../../src/net/routing.ts";

describe("routing determinism", () => {
  it("routes 0->3 on square4 through node1, the lower-id candidate", () => {
    const r = buildRoutes(square4());
    expect(r.nextHop(0, 3)).toBe(1);
    expect(r.path(0, 3)).toEqual([0, 1, 3]);
  });

  it("reports the edge id of the first hop", () => {
    const r = buildRoutes(square4());
    expect(r.edgeTo(0, 3)).toBe(0); // edge 0 is 0-1
    expect(r.edgeTo(3, 0)).toBe(1); // 3 -> 1 over edge 1 (1-3)
    expect(r.pathEdges(3, 0)).toEqual([1, 0]);
  });

  it("starts and ends every path at its endpoints", () => {
    for (const t of [square4(), hypercube(3), twistedLadder(8), mesh2d(3, 4)]) {
      const r = buildRoutes(t);
      for (let a = 0; a < r.n; a++) {
        for (let b = 0; b < r.n; b++) {
          const p = r.path(a, b);
          expect(p[0]).toBe(a);
          expect(p[p.length - 1]).toBe(b);
          expect(p.length - 1).toBe(r.hops(a, b));
        }
      }
    }
  });

  it("has symmetric hop counts", () => {
    for (const t of [square4(), ring(7), twistedLadder(8), mesh2d(3, 3)]) {
      const r = buildRoutes(t);
      for (let a = 0; a < r.n; a++) for (let b = 0; b < r.n; b++) expect(r.hops(a, b)).toBe(r.hops(b, a));
    }
  });

  it("makes every path follow real edges, with edgeTo naming the edge used", () => {
    const t = twistedLadder(8);
    const r = buildRoutes(t);
    for (let a = 0; a < r.n; a++) {
      for (let b = 0; b < r.n; b++) {
        if (a === b) continue;
        const e = t.edges[r.edgeTo(a, b)]!;
        const nh = r.nextHop(a, b);
        expect([e.a, e.b].sort()).toEqual([a, nh].sort());
      }
    }
  });

  it("uses nextHop = self, edge -1 and 0 hops for a vertex to itself", () => {
    const r = buildRoutes(square4());
    expect(r.nextHop(2, 2)).toBe(2);
    expect(r.edgeTo(2, 2)).toBe(-1);
    expect(r.hops(2, 2)).toBe(0);
    expect(r.path(2, 2)).toEqual([2]);
  });

  it("is independent of the order edges are listed in", () => {
    const a = buildRoutes(edgeList(4, [[0, 1], [1, 3], [3, 2], [2, 0]]));
    const b = buildRoutes(edgeList(4, [[2, 0], [3, 2], [1, 3], [0, 1]]));
    expect(Array.from(b.nextHopTable)).toEqual(Array.from(a.nextHopTable));
    expect(Array.from(b.hopTable)).toEqual(Array.from(a.hopTable));
  });

  it("stores n*n Int32Array tables", () => {
    const r = buildRoutes(hypercube(3));
    expect(r.nextHopTable).toBeInstanceOf(Int32Array);
    expect(r.hopTable).toBeInstanceOf(Int32Array);
    expect(r.edgeTable).toBeInstanceOf(Int32Array);
    expect(r.hopTable.length).toBe(64);
  });

  it("throws naming the pair when sockets are disconnected", () => {
    expect(() => buildRoutes(edgeList(4, [[0, 1], [2, 3]]))).toThrow(/no route between node0 and node2/);
  });

  it("throws when an iohub can reach sockets only through another iohub", () => {
    const t = edgeList(2, [[0, 1]]);
    t.vertices.push({ id: 2, name: "iohub0", kind: "iohub" }, { id: 3, name: "iohub1", kind: "iohub" });
    t.edges.push({ id: 1, a: 1, b: 2 }, { id: 2, a: 2, b: 3 });
    expect(() => buildRoutes(t)).toThrow(/no route between node0 and iohub1/);
  });

  it("throws on an out-of-range query", () => {
    expect(() => buildRoutes(square4()).hops(0, 4)).toThrow(/out of range/);
  });
});
