import { describe, expect, it } from "vitest";
import { edgeList } from "../../src/net/topology-builders.ts";
import { hopMatrix } from "../../src/net/routing.ts";

describe("edgeList validation", () => {
  it("builds sockets node0..node(n-1) with edges in the given order", () => {
    const t = edgeList(3, [[0, 1], [2, 1]]);
    expect(t.vertices.map((v) => v.name)).toEqual(["node0", "node1", "node2"]);
    expect(t.edges).toEqual([
      { id: 0, a: 0, b: 1 },
      { id: 1, a: 2, b: 1 },
    ]);
    expect(hopMatrix(t)[0]).toEqual([0, 1, 2]);
  });

  it("rejects a self loop", () => {
    expect(() => edgeList(3, [[0, 1], [2, 2]])).toThrow(/edge 1 \(2-2\) is a self loop/);
  });

  it("rejects an endpoint above the last socket", () => {
    expect(() => edgeList(3, [[0, 3]])).toThrow(/endpoint 3 outside 0\.\.2/);
  });

  it("rejects a negative endpoint", () => {
    expect(() => edgeList(3, [[-1, 0]])).toThrow(/endpoint -1 outside/);
  });

  it("rejects a non-integer endpoint", () => {
    expect(() => edgeList(3, [[0, 1.5]])).toThrow(/endpoint 1.5 outside/);
  });

  it("rejects a duplicate edge listed in the same order", () => {
    expect(() => edgeList(3, [[0, 1], [1, 2], [0, 1]])).toThrow(/edge 2 \(0-1\) duplicates edge 0 \(0-1\)/);
  });

  it("rejects a duplicate edge listed in reverse order", () => {
    expect(() => edgeList(3, [[0, 1], [1, 0]])).toThrow(/duplicates edge 0/);
  });

  it("throws a plain Error", () => {
    let caught: unknown;
    try {
      edgeList(2, [[0, 0]]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).constructor).toBe(Error);
  });

  it("rejects a socket count below 1", () => {
    expect(() => edgeList(0, [])).toThrow(/socket count/);
  });
});
