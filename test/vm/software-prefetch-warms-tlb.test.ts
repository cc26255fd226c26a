import { describe, expect, it } from "vitest";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { OpKind, type MemOp, type ThreadProgram } from "../../src/cpu/mem-op.ts";
import { bindWorkload } from "../../src/machine/bind-workload.ts";
import { buildMachine } from "../../src/machine/build-machine.ts";
import { Mmu } from "../../src/vm/mmu.ts";
import { k8 } from "./helpers.ts";

/** Runs `ops` (kind, vaddr offset, gap cycles) on node 0, core 0 over a fresh 1 MiB region; returns the stats. */
function runOps(ops: [number, number, number][]) {
  const spec = k8();
  const m = buildMachine(spec);
  const w: WorkloadSpec = {
    name: "ops",
    description: "",
    regions: [{ name: "r", size: 1 << 20, policy: { kind: "local" }, kind: "anon" }],
    threads: [{ core: 0, generator: "pointer-chase", region: "r", stride: 64, accesses: 1, order: "random", gapCycles: 0, startNs: 0 }],
  };
  const bound = bindWorkload(m, w, 1, "ops");
  const base = bound.space.regions[0].start;
  let i = 0;
  const program: ThreadProgram = {
    name: "ops",
    next(op: MemOp): boolean {
      if (i === ops.length) return false;
      const [kind, off, gap] = ops[i++];
      op.kind = kind;
      op.vaddr = base + off;
      op.gapCycles = gap;
      op.dependsOn = 0;
      return true;
    },
  };
  const core = m.cores[0];
  core.attachMmu(new Mmu(m.stats, `${core.name}.tlb`, spec.node.core.tlb, bound.paging!), 1, 4);
  core.runThread(program, bound.space, 0);
  m.sim.run();
  return (path: string) => m.stats.value(`node0.core0.${path}`);
}

describe("software prefetch and the TLB (fact 6)", () => {
  it("walks for a software prefetch, so a later load of that page hits the TLB", () => {
    const s = runOps([
      [OpKind.Prefetch, 8192, 0],
      [OpKind.Load, 8192 + 512, 2000],
    ]);
    expect(s("tlb.walker.walks")).toBe(1);
    expect(s("tlb.l1.hits")).toBe(1);
  });

  it("leaves the load to walk when nothing warmed its page", () => {
    const s = runOps([
      [OpKind.Load, 0, 0],
      [OpKind.Load, 8192 + 512, 2000],
    ]);
    expect(s("tlb.walker.walks")).toBe(2);
    expect(s("tlb.l1.hits")).toBe(0);
  });
});
