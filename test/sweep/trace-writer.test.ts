import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { prepareRun } from "../../src/machine/run-simulation.ts";
import { categoryOf, parseTraceWindow, TraceWriter } from "../../src/stats/trace-writer.ts";
import { loadFiles } from "../../src/trust/run-inputs.ts";
import { ROOT, tmpDir } from "./helpers.ts";

describe("the Chrome trace-event writer", () => {
  it("writes JSON that parses, with complete events in microseconds", () => {
    const t = new TraceWriter();
    t.span("node0.core1.l1d", "miss", 1_500_000, 1_562_500, { addr: "0x40", hops: 1 });
    t.span("node1.mc", "read", 2_000_000, 2_042_000);
    const file = path.join(tmpDir("trace"), "trace.json");
    t.write(file);
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { traceEvents: Record<string, unknown>[] };
    const spans = doc.traceEvents.filter((e) => e["ph"] === "X");
    expect(spans).toEqual([
      { name: "miss", cat: "l1d", ph: "X", ts: 1.5, dur: 0.0625, pid: 1, tid: 1, args: { addr: "0x40", hops: 1 } },
      { name: "read", cat: "mc", ph: "X", ts: 2, dur: 0.042, pid: 2, tid: 2, args: {} },
    ]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["trace.json"]);
  });

  it("names processes and threads after the component paths", () => {
    const t = new TraceWriter();
    t.span("node0.core1", "load", 0, 10);
    const meta = t.document().traceEvents.filter((e) => e.ph === "M");
    expect(meta).toEqual([
      { name: "process_name", ph: "M", pid: 1, tid: 0, args: { name: "node0" } },
      { name: "thread_name", ph: "M", pid: 1, tid: 1, args: { name: "node0.core1" } },
    ]);
  });

  it("gives every component of one kind one category, whatever its indices", () => {
    const cases: [string, string][] = [
      ["node0.core1", "core"],
      ["node3.core0", "core"],
      ["node0.core1.sri", "sri"],
      ["node0.core1.l1d", "l1d"],
      ["node2.nb", "nb"],
      ["node0.mc", "mc"],
      ["node1.mc.ch4", "mc"],
      ["ht.node0-node1", "ht"],
      ["ht.node12-node3", "ht"],
      ["ht.node0-sw0", "ht"],
      ["gpu0.link", "link"],
      ["gpu0.rc.port", "rc.port"],
      ["dram", "dram"],
    ];
    expect(cases.map(([component]) => [component, categoryOf(component)])).toEqual(cases);
  });

  it("gives the components a machine traces one category per kind", () => {
    const categories = new Map<string, Set<string>>();
    for (const [machine, workload] of [["opteron-4p", "default"], ["xeon-2s", "default"], ["apu", "apu-vector-add"]]) {
      const inputs = loadFiles(path.join(ROOT, "machines", `${machine}.yaml`), path.join(ROOT, "workloads", `${workload}.yaml`));
      const trace = new TraceWriter({ toPs: 20_000_000 });
      const ctx = prepareRun(inputs.machine, inputs.workload, 1, "workload.yaml", { trace });
      ctx.machine.sim.run(20_000_000);
      const doc = trace.document().traceEvents;
      const component = new Map(doc.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => [e.tid, e.args.name]));
      for (const e of doc.filter((x) => x.ph === "X")) {
        const kind = String(component.get(e.tid)).replace(/\d+/g, "N");
        categories.set(kind, (categories.get(kind) ?? new Set()).add(e.cat));
      }
    }
    expect(Object.fromEntries([...categories].map(([kind, cats]) => [kind, [...cats]]))).toEqual({
      "nodeN.coreN": ["core"],
      "nodeN.coreN.sri": ["sri"],
      "nodeN.nb": ["nb"],
      "nodeN.mc": ["mc"],
      "nodeN.mc.chN": ["mc"],
      "ht.nodeN-nodeN": ["ht"],
      "gpuN.link": ["link"],
      "gpuN.rc.port": ["rc.port"],
    });
  });

  it("keeps only spans that overlap the window", () => {
    const t = new TraceWriter(parseTraceWindow("10ns..20ns"));
    t.span("a", "before", 0, 9_999);
    t.span("a", "across-start", 5_000, 12_000);
    t.span("a", "inside", 12_000, 15_000);
    t.span("a", "after", 20_001, 30_000);
    expect(t.document().traceEvents.filter((e) => e.ph === "X").map((e) => e.name)).toEqual(["across-start", "inside"]);
  });

  it("records nothing when disabled, and counts spans beyond its limit as dropped", () => {
    const off = TraceWriter.disabled();
    expect(off.enabled).toBe(false);
    off.span("a", "x", 0, 1);
    expect(off.size).toBe(0);
    const small = new TraceWriter({ maxEvents: 1 });
    small.span("a", "x", 0, 1);
    small.span("a", "y", 1, 2);
    expect(small.size).toBe(1);
    expect(small.document().otherData["dropped"]).toBe(1);
  });

  it("parses windows with open ends and rejects reversed ones", () => {
    expect(parseTraceWindow("1.5us..")).toEqual({ fromPs: 1_500_000 });
    expect(parseTraceWindow("..2us")).toEqual({ toPs: 2_000_000 });
    expect(() => parseTraceWindow("2us..1us")).toThrow("ends (1us) before it starts (2us)");
    expect(() => parseTraceWindow("2us")).toThrow("expected FROM..TO");
  });
});
