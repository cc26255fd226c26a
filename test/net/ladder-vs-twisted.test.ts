import { describe, expect, it } from "vitest";
import { ladder, twistedLadder, withIoHub } from "../../src/net/topology-builders.ts";
import { diameter, hopMatrix, meanHops } from "../../src/net/routing.ts";
import type { Topology } from "../../src/net/topology.ts";

function socketDegrees(t: Topology): number[] {
  const deg = t.vertices.map(() => 0);
  for (const e of t.edges) {
    deg[e.a]!++;
    deg[e.b]!++;
  }
  return deg.filter((_, i) => t.vertices[i]!.kind === "socket");
}

const pairs = (t: Topology) => t.edges.map((e) => [e.a, e.b]);

describe("8-socket ladder vs twisted ladder", () => {
  it("gives the ladder diameter 4", () => {
    expect(diameter(ladder(8))).toBe(4);
  });

  it("gives the twisted ladder diameter 3", () => {
    expect(diameter(twistedLadder(8))).toBe(3);
  });

  it("gives the twisted ladder a lower mean hop count", () => {
    expect(meanHops(twistedLadder(8))).toBeLessThan(meanHops(ladder(8)));
  });

  it("has mean hops 2 for the ladder and 25/14 for the twisted ladder", () => {
    expect(meanHops(ladder(8))).toBeCloseTo(2, 12);
    expect(meanHops(twistedLadder(8))).toBeCloseTo(25 / 14, 12);
  });

  it("uses the same number of links for both (10)", () => {
    expect(ladder(8).edges.length).toBe(10);
    expect(twistedLadder(8).edges.length).toBe(10);
  });

  it("keeps every socket degree at most 3, also with an iohub on socket 0", () => {
    for (const t of [ladder(8), twistedLadder(8), withIoHub(ladder(8), 0), withIoHub(twistedLadder(8), 0)]) {
      for (const d of socketDegrees(t)) expect(d).toBeLessThanOrEqual(3);
    }
  });

  it("numbers the ladder as top rail 0..3, bottom rail 4..7, rungs c to 4+c", () => {
    expect(pairs(ladder(8))).toEqual([
      [0, 1], [1, 2], [2, 3], [4, 5], [5, 6], [6, 7],
      [0, 4], [1, 5], [2, 6], [3, 7],
    ]);
  });

  it("crosses the twisted ladder's end rungs into 0-7 and 3-4", () => {
    expect(pairs(twistedLadder(8))).toEqual([
      [0, 1], [1, 2], [2, 3], [4, 5], [5, 6], [6, 7],
      [0, 7], [1, 5], [2, 6], [3, 4],
    ]);
  });

  it("puts the ladder's 4-hop pairs at opposite corners", () => {
    const m = hopMatrix(ladder(8));
    expect(m[0]![7]).toBe(4);
    expect(m[3]![4]).toBe(4);
  });

  it("rejects odd or too-small ladders", () => {
    expect(() => ladder(7)).toThrow(/even/);
    expect(() => twistedLadder(2)).toThrow(/twisted ladder size/);
  });
});
