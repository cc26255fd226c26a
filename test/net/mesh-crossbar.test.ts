import { describe, expect, it } from "vitest";
import { crossbar, mesh2d } from "../../src/net/topology-builders.ts";
import { buildRoutes, diameter, hopMatrix, meanHops } from "../../src/net/routing.ts";
import { socketCount } from "../../src/net/topology.ts";

describe("mesh2d", () => {
  it("numbers socket (r, c) as r * cols + c", () => {
    const t = mesh2d(2, 3);
    expect(socketCount(t)).toBe(6);
    expect(t.edges.map((e) => [e.a, e.b])).toEqual([
      [0, 1], [0, 3], [1, 2], [1, 4], [2, 5], [3, 4], [4, 5],
    ]);
  });

  it("has diameter (rows - 1) + (cols - 1)", () => {
    expect(diameter(mesh2d(3, 4))).toBe(5);
    expect(diameter(mesh2d(1, 5))).toBe(4);
  });

  it("gives Manhattan-distance hop counts", () => {
    const cols = 4;
    const m = hopMatrix(mesh2d(3, cols));
    for (let a = 0; a < 12; a++) {
      for (let b = 0; b < 12; b++) {
        const manhattan = Math.abs(Math.floor(a / cols) - Math.floor(b / cols)) + Math.abs((a % cols) - (b % cols));
        expect(m[a]![b]).toBe(manhattan);
      }
    }
  });

  it("treats a 1x1 mesh as a single socket with diameter 0 and mean 0", () => {
    expect(diameter(mesh2d(1, 1))).toBe(0);
    expect(meanHops(mesh2d(1, 1))).toBe(0);
  });
});

describe("crossbar", () => {
  it("adds one switch0 vertex after the sockets", () => {
    const t = crossbar(4);
    expect(socketCount(t)).toBe(4);
    expect(t.vertices[4]).toEqual({ id: 4, name: "switch0", kind: "switch" });
    expect(t.edges).toHaveLength(4);
  });

  it("counts a socket-to-socket route as 2 edges", () => {
    const m = hopMatrix(crossbar(6));
    for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) expect(m[a]![b]).toBe(a === b ? 0 : 2);
    expect(diameter(crossbar(6))).toBe(2);
    expect(meanHops(crossbar(6))).toBe(2);
  });

  it("routes through the switch as a transit vertex", () => {
    const r = buildRoutes(crossbar(4));
    expect(r.path(1, 3)).toEqual([1, 4, 3]);
    expect(r.pathEdges(1, 3)).toEqual([1, 3]);
  });

  it("returns a hop matrix covering sockets only", () => {
    const m = hopMatrix(crossbar(3));
    expect(m).toHaveLength(3);
    for (const row of m) expect(row).toHaveLength(3);
  });
});
