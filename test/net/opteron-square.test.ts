import { describe, expect, it } from "vitest";
import { ladder, ring, square4, withIoHub } from "../../src/net/topology-builders.ts";
import { buildRoutes, diameter, hopMatrix } from "../../src/net/routing.ts";
import { socketCount } from "../../src/net/topology.ts";

describe("square4 (4P Opteron)", () => {
  it("has hop counts [0, 1, 1, 2] from node0", () => {
    expect(hopMatrix(square4())[0]).toEqual([0, 1, 1, 2]);
  });

  it("has diameter 2", () => {
    expect(diameter(square4())).toBe(2);
  });

  it("lists edges 0-1, 1-3, 3-2, 2-0 in id order", () => {
    expect(square4().edges.map((e) => [e.a, e.b])).toEqual([
      [0, 1],
      [1, 3],
      [3, 2],
      [2, 0],
    ]);
  });

  it("has the same hop distribution as ring(4)", () => {
    const sorted = (m: number[][]) => m.flat().sort();
    expect(sorted(hopMatrix(square4()))).toEqual(sorted(hopMatrix(ring(4))));
  });

  it("has the same hop matrix as ladder(4)", () => {
    expect(hopMatrix(square4())).toEqual(hopMatrix(ladder(4)));
  });

  it("adds an iohub as a new vertex after the sockets, joined to the chosen socket", () => {
    const t = withIoHub(square4(), 0);
    expect(socketCount(t)).toBe(4);
    expect(t.vertices[4]).toEqual({ id: 4, name: "iohub0", kind: "iohub" });
    expect(t.edges[4]).toEqual({ id: 4, a: 0, b: 4 });
  });

  it("never routes socket-to-socket traffic through the iohub", () => {
    const t = withIoHub(square4(), 0);
    const r = buildRoutes(t);
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) expect(r.path(a, b)).not.toContain(4);
    }
  });

  it("keeps socket hop counts unchanged when an iohub is attached", () => {
    expect(hopMatrix(withIoHub(square4(), 0))).toEqual(hopMatrix(square4()));
  });

  it("routes the iohub to every socket through its host socket", () => {
    const r = buildRoutes(withIoHub(square4(), 0));
    expect(r.path(4, 3)).toEqual([4, 0, 1, 3]);
    expect(r.path(3, 4)).toEqual([3, 1, 0, 4]);
    expect(r.hops(4, 3)).toBe(3);
  });

  it("does not use a hub-to-hub shortcut between two hubs as a socket route", () => {
    // Two hubs on diagonal sockets 0 and 3 joined by an extra hub-hub link: still 2 hops 0->3.
    const base = withIoHub(withIoHub(square4(), 0), 3);
    const t = { ...base, edges: [...base.edges, { id: base.edges.length, a: 4, b: 5 }] };
    const r = buildRoutes(t);
    expect(r.path(0, 3)).toEqual([0, 1, 3]);
    expect(r.path(4, 5)).toEqual([4, 5]);
  });

  it("rejects attaching an iohub to a vertex that is not a socket", () => {
    expect(() => withIoHub(square4(), 4)).toThrow(/not a socket/);
  });
});
