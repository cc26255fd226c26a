import { describe, expect, it } from "vitest";
import { k8, stat, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;
const run = (placement: string) => vmRun(k8("node.memory.size=2GiB", `os.pageTables.placement=${placement}`), { sizeBytes: 1024 * MiB, accesses: 3000 });

describe("page tables in NUMA memory", () => {
  it("places table pages on the faulting thread's node by default", () => {
    const r = run("local");
    expect(stat(r, "node1.mc.reads")).toBe(0);
  });

  it("makes walks slower when the tables sit on the other socket", () => {
    const local = stat(run("local"), "node0.core0.tlb.walker.walk.latencyPs");
    const remote = stat(run("1"), "node0.core0.tlb.walker.walk.latencyPs");
    expect(remote).toBeGreaterThan(local * 1.1);
  });

  it("sends the walks of remote tables across the interconnect", () => {
    expect(stat(run("1"), "node1.mc.reads")).toBeGreaterThan(100);
  });
});
