// Inputs the fuzzers found that broke an invariant, kept so the bug stays fixed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MachineSpec } from "../../src/config/machine-spec.ts";
import { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { collectResults, prepareRun } from "../../src/machine/run-simulation.ts";
import { ROOT } from "../cli/run-cli.ts";

function runFixture(name: string) {
  const f = JSON.parse(readFileSync(join(ROOT, "test", "trust", "fixtures", name), "utf8")) as { machine: unknown; workload: unknown; seed: number };
  const m = MachineSpec.parse(f.machine);
  const w = WorkloadSpec.parse(f.workload);
  const ctx = prepareRun(m, w, f.seed, name, { check: true });
  ctx.machine.sim.run();
  return collectResults(ctx, m, w, f.seed, 0);
}

describe("fuzzer finds, fixed", () => {
  // A one-entry request queue refused a core's second request for a line; the refused request
  // held the core's port, so the SrcDone of the first (which the line's home waited for) never
  // arrived. Requests now wait inside the northbridge and the port never stalls.
  it("a full request queue does not hold a core's SrcDone behind a refused request", () => {
    const r = runFixture("request-queue-deadlock.json");
    expect(r.threads.every((t) => t.timeNs > 0)).toBe(true);
    expect(r.stats["node2.nb.requestQueue.waits"].value).toBeGreaterThan(0);
  });

  // Value tracking at ten times the fuzz scale: a node's write-back was answered for by its victim
  // buffer only until the home acknowledged it, but a probe sent earlier by that home was
  // overtaken by the acknowledgement (a small packet inserted into a data packet on the link)
  // and found nothing; its requester kept the stale memory data it had read before the
  // write-back landed. A write-back is now a handshake: the node asks, the home gives it a turn
  // in the line's order, and the node sends the data (or a cancel) only then.
  it("a probe overtaken by a write-back's acknowledgement still finds the write-back's data", () => {
    const r = runFixture("probe-overtaken-by-write-back-ack.json");
    expect(r.threads.every((t) => t.timeNs > 0)).toBe(true);
  });

  // With a directory and no L3, one core's write-back dropped its node from the line's entry
  // while a sibling core's fill of the line (its request complete at the northbridge) was still
  // on its way to that core; a later write then skipped the node and two owners held the line.
  // A node's request now counts as under way until the core has installed its fill.
  it("a directory keeps a node whose fill is still on its way to a core", () => {
    const r = runFixture("directory-drops-node-with-fill-in-flight.json");
    expect(r.threads.every((t) => t.timeNs > 0)).toBe(true);
  });
});

describe("shared cache write-backs", () => {
  // A core's owned (O) line written back made the socket's L3 copy M while another node still
  // shared it: two owners. The L3 keeps O for it now.
  it("keeps a written-back line owned (O), not modified, while other nodes may share it", async () => {
    const { SharedCache } = await import("../../src/mem/shared-cache.ts");
    const { StatsRegistry } = await import("../../src/stats/registry.ts");
    const { LineState } = await import("../../src/mem/moesi.ts");
    const l3 = new SharedCache(new StatsRegistry(), "l3", { sizeBytes: 4096, assoc: 4, lineBytes: 64 });
    l3.fill(7, LineState.S);
    expect(l3.absorbWriteBack(7, LineState.O)).toBe(true);
    expect(l3.cache.stateOf(7)).toBe(LineState.O);
    l3.fill(9, LineState.E);
    l3.absorbWriteBack(9, LineState.M);
    expect(l3.cache.stateOf(9)).toBe(LineState.M);
  });
});
