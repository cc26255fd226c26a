import { describe, expect, it } from "vitest";
import { applyOverrides, applyOverridesTracked } from "../../src/config/overrides.ts";
import { problemLines } from "./problem-lines.ts";


describe("applyOverrides", () => {
  it("sets a dotted path", () => {
    expect(applyOverrides({ a: { b: { c: 1 } } }, ["a.b.c=2"])).toEqual({ a: { b: { c: 2 } } });
  });

  it("sets an element of a list with brackets", () => {
    const out = applyOverrides({ links: [{ latency: "10ns" }, { latency: "20ns" }] }, ["links[1].latency=40ns"]);
    expect(out).toEqual({ links: [{ latency: "10ns" }, { latency: "40ns" }] });
  });

  it("sets an element of a list with a dotted index", () => {
    const out = applyOverrides({ a: { b: [{ c: 1 }, { c: 2 }, { c: 3 }] } }, ["a.b.2.c=9"]);
    expect(out.a.b[2]).toEqual({ c: 9 });
  });

  it("parses values as YAML scalars", () => {
    const out = applyOverrides({}, ["n=3", "f=2.5", "t=true", "s=60ns", "z=null", "q='3'"]);
    expect(out).toEqual({ n: 3, f: 2.5, t: true, s: "60ns", z: null, q: "3" });
  });

  it("parses flow lists and mappings", () => {
    expect(applyOverrides({}, ["l=[1, 2]", "m={a: 1, b: x}"])).toEqual({ l: [1, 2], m: { a: 1, b: "x" } });
  });

  it("takes an empty value as the empty string", () => {
    expect(applyOverrides({}, ["name="])).toEqual({ name: "" });
  });

  it("keeps everything after the first = in the value", () => {
    expect(applyOverrides({}, ["expr=a=b"])).toEqual({ expr: "a=b" });
  });

  it("creates missing intermediate mappings", () => {
    expect(applyOverrides({ x: 1 }, ["nodes.node0.memory.size=4GiB"])).toEqual({
      x: 1,
      nodes: { node0: { memory: { size: "4GiB" } } },
    });
  });

  it("does not mutate its input", () => {
    const input = { a: { b: 1 } };
    applyOverrides(input, ["a.b=2"]);
    expect(input).toEqual({ a: { b: 1 } });
  });

  it("applies overrides in order", () => {
    expect(applyOverrides({}, ["a=1", "a=2"])).toEqual({ a: 2 });
  });

  it("rejects an override without =", () => {
    expect(problemLines(() => applyOverrides({}, ["x"]))).toEqual(['--set "x": expected key=value']);
  });

  it("rejects an empty key path", () => {
    expect(problemLines(() => applyOverrides({}, ["=3"]))).toEqual(['--set "=3": expected key=value']);
  });

  it("rejects a malformed key path", () => {
    expect(problemLines(() => applyOverrides({}, ["a..b=1"]))[0]).toMatch(/invalid key path "a\.\.b"/);
  });

  it("reports every malformed override at once", () => {
    expect(problemLines(() => applyOverrides({}, ["x", "ok=1", "y"]))).toHaveLength(2);
  });

  it("refuses to descend into a scalar", () => {
    expect(problemLines(() => applyOverrides({ a: { b: 1 } }, ["a.b.c=2"]))).toEqual([
      '--set "a.b.c=2": cannot set "a.b.c": "a.b" is a number, not a mapping or list',
    ]);
  });

  it("refuses a list index past the end", () => {
    expect(problemLines(() => applyOverrides({ l: [1] }, ["l[3]=2"]))[0]).toMatch(/index 3 is out of range/);
  });

  it("appends when the index equals the list length", () => {
    expect(applyOverrides({ l: [1] }, ["l[1]=2"])).toEqual({ l: [1, 2] });
  });

  it("refuses a dotted index into a list that is not there, rather than making a mapping", () => {
    expect(problemLines(() => applyOverrides({ x: 1 }, ["agents.0.memory=on-demand"]))).toEqual([
      '--set "agents.0.memory=on-demand": cannot set "agents.0.memory": there is no list "agents" to set item 0 of',
    ]);
  });

  it("shows paths after the prefix the user typed", () => {
    expect(problemLines(() => applyOverridesTracked({ l: [1] }, ["l[3]=2", "l[0].x=1"], "--set", "workload."))).toEqual([
      '--set "workload.l[3]=2": cannot set "workload.l[3]": index 3 is out of range ("workload.l" has 1 item)',
      '--set "workload.l[0].x=1": cannot set "workload.l[0].x": "workload.l[0]" is a number, not a mapping or list',
    ]);
  });

  it("uses the given source name in problems", () => {
    expect(problemLines(() => applyOverrides({}, ["x"], "--param"))).toEqual(['--param "x": expected key=value']);
  });
});
