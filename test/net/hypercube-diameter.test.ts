import { describe, expect, it } from "vitest";
import { hypercube } from "../../src/net/topology-builders.ts";
import { buildRoutes, diameter, hopMatrix } from "../../src/net/routing.ts";
import { socketCount } from "../../src/net/topology.ts";
import type { Topology } from "../../src/net/topology.ts";

function degrees(t: Topology): number[] {
  const deg = t.vertices.map(() => 0);
  for (const e of t.edges) {
    deg[e.a]!++;
    deg[e.b]!++;
  }
  return deg;
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

describe("hypercube", () => {
  it("has 2^dim sockets and dim * 2^(dim-1) edges", () => {
    for (let dim = 1; dim <= 6; dim++) {
      const t = hypercube(dim);
      expect(socketCount(t)).toBe(1 << dim);
      expect(t.edges.length).toBe(dim * (1 << (dim - 1)));
    }
  });

  it("has diameter equal to its dimension", () => {
    for (let dim = 0; dim <= 6; dim++) expect(diameter(hypercube(dim))).toBe(dim);
  });

  it("gives every socket degree equal to the dimension", () => {
    for (let dim = 1; dim <= 6; dim++) {
      for (const d of degrees(hypercube(dim))) expect(d).toBe(dim);
    }
  });

  it("gives the 3-cube (8 sockets) diameter 3", () => {
    const t = hypercube(3);
    expect(socketCount(t)).toBe(8);
    expect(diameter(t)).toBe(3);
  });

  it("routes each pair in Hamming-distance hops", () => {
    const m = hopMatrix(hypercube(4));
    for (let a = 0; a < 16; a++) for (let b = 0; b < 16; b++) expect(m[a]![b]).toBe(popcount(a ^ b));
  });

  it("joins socket i only to sockets i xor (1 << k)", () => {
    const t = hypercube(3);
    for (const e of t.edges) expect(popcount(e.a ^ e.b)).toBe(1);
  });

  it("clears set differing bits highest first, then sets clear bits lowest first", () => {
    const r = buildRoutes(hypercube(3));
    expect(r.path(0, 7)).toEqual([0, 1, 3, 7]);
    expect(r.path(7, 0)).toEqual([7, 3, 1, 0]);
    expect(r.path(5, 2)).toEqual([5, 1, 0, 2]);
  });

  it("rejects a negative or non-integer dimension", () => {
    expect(() => hypercube(-1)).toThrow(/hypercube dimension/);
    expect(() => hypercube(1.5)).toThrow(/hypercube dimension/);
  });
});
