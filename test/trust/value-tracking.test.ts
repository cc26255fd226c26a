// Value tracking (--check): every store makes a new version of its line, versions travel with the
// data, and every coherent read must see its line's latest. These runs share lines between nodes
// every way the generators can, and a deliberately broken protocol must be caught.
import { describe, expect, it } from "vitest";
import type { RegionSpec, ThreadSpec, WorkloadSpec } from "../../src/config/workload-spec.ts";
import { loadConfigFile } from "../../src/config/load.ts";
import { MachineSpec } from "../../src/config/machine-spec.ts";
import { WorkloadSpec as WorkloadSchema } from "../../src/config/workload-spec.ts";
import { InvariantError } from "../../src/machine/invariant-error.ts";
import { prepareRun, type RunContext } from "../../src/machine/run-simulation.ts";
import { ValueAudit } from "../../src/machine/value-audit.ts";
import { fromDirtyCopyAt } from "../../src/mem/data-source.ts";
import { LineState } from "../../src/mem/moesi.ts";
import { SharedCache } from "../../src/mem/shared-cache.ts";
import { CANCELLED, HELD, NOT_HELD, VictimBuffer } from "../../src/mem/victim-buffer.ts";
import type { Message } from "../../src/kernel/message.ts";
import { StatsRegistry } from "../../src/stats/registry.ts";
import { reproduceTiering } from "../../src/repro/tiering-repro.ts";

const KiB = 1024;

function machine(file: string, ...sets: string[]): MachineSpec {
  return loadConfigFile(file, MachineSpec, { overrides: sets });
}

/** Builds and runs a machine with every check on; returns the run context. */
function runChecked(m: MachineSpec, w: WorkloadSpec, seed = 1): RunContext {
  const ctx = prepareRun(m, w, seed, w.name, { check: true });
  ctx.machine.sim.run();
  return ctx;
}

function region(name: string, size: number, policy: RegionSpec["policy"] = { kind: "interleave" }): RegionSpec {
  return { name, size, policy, kind: "anon" };
}

function thread(core: number, t: Partial<ThreadSpec> & { generator: ThreadSpec["generator"] }): ThreadSpec {
  return { core, gapCycles: 0, startNs: 0, ...t } as ThreadSpec;
}

/** One core on each of the first four nodes (or each node of a smaller machine). */
function coresOnNodes(m: MachineSpec, nodes: number): number[] {
  return Array.from({ length: nodes }, (_, n) => n * m.node.cores);
}

/** A producer on one node writing a buffer while a consumer on another reads it, over and over. */
function producerConsumer(producer: number, consumer: number): WorkloadSpec {
  return {
    name: "producer-consumer",
    description: "",
    regions: [region("buf", 64 * KiB)],
    threads: [thread(producer, { generator: "stream-write", region: "buf", elementBytes: 64, passes: 20 }), thread(consumer, { generator: "stream-read", region: "buf", elementBytes: 64, passes: 20 })],
  };
}

/** Read-modify-write updates of one small table from a core on every node: lines bounce between them. */
function pingPong(cores: number[], tableBytes = 4 * KiB, updates = 3000): WorkloadSpec {
  return { name: "ping-pong", description: "", regions: [region("t", tableBytes)], threads: cores.map((c) => thread(c, { generator: "gups", region: "t", updates })) };
}

/** STREAM triad over the same three arrays from a core on every node (each writes what the others read). */
function sharedTriad(cores: number[]): WorkloadSpec {
  return {
    name: "shared-triad",
    description: "",
    regions: ["a", "b", "c"].map((n) => region(n, 32 * KiB)),
    threads: cores.map((c) => thread(c, { generator: "triad", a: "a", b: "b", c: "c", chunk: 0, chunks: 1, elementBytes: 8, passes: 4 })),
  };
}

/** Caches small enough that dirty lines are written back all the time, racing other nodes' requests. */
const TINY_CACHES = ["node.core.l1d.size=1KiB", "node.core.l1d.assoc=2", "node.core.l2.size=4KiB", "node.core.l2.assoc=4"];

describe("value tracking: sharing between nodes runs clean", () => {
  const machines = [
    ["broadcast probes (opteron-4p)", "machines/opteron-4p.yaml", 4],
    ["a directory and a shared L3 (xeon-2s)", "machines/xeon-2s.yaml", 2],
  ] as const;

  for (const [what, file, nodes] of machines) {
    it(`producer/consumer, ping-pong and a shared triad under ${what}`, () => {
      const m = machine(file);
      const cores = coresOnNodes(m, nodes);
      for (const w of [producerConsumer(cores[0], cores[nodes - 1]), pingPong(cores), sharedTriad(cores)]) {
        const values = runChecked(m, w).machine.values as ValueAudit;
        expect(values.readsChecked, w.name).toBeGreaterThan(1000);
        expect(values.versionsMade, w.name).toBeGreaterThan(100);
      }
    });
  }

  // A load reads its data at its hit or at the fill of the miss it waits for; loads merged into
  // one outstanding miss share that fill's check.
  it("checks every load, at its hit or at its miss's fill", () => {
    const m = machine("machines/opteron-4p.yaml");
    const ctx = runChecked(m, pingPong(coresOnNodes(m, 4)));
    const sum = (leaf: string) => ctx.machine.cores.reduce((s, c) => s + ctx.machine.stats.value(`${c.name}.${leaf}`), 0);
    expect(sum("loads")).toBeGreaterThan(10_000);
    expect((ctx.machine.values as ValueAudit).readsChecked).toBeGreaterThanOrEqual(sum("loads") - sum("mshr.merged"));
  });
});

describe("value tracking: stale values the check found, fixed", () => {
  // A node's L3 held a line O (the only up-to-date copy) when a second read miss of one of its
  // cores, sent to the home alongside the first, came back S: the fill overwrote O with S and the
  // dirty data was gone; the next writer read memory's old copy.
  it("a shared cache keeps a dirty line dirty when a second miss of its node fills it", () => {
    const l3 = new SharedCache(new StatsRegistry(), "l3", { sizeBytes: 4 * KiB, assoc: 4, lineBytes: 64 });
    l3.fill(7, LineState.E);
    l3.absorbWriteBack(7, LineState.O);
    l3.fill(7, LineState.S);
    expect(l3.cache.stateOf(7)).toBe(LineState.O);
    l3.fill(7, LineState.M);
    expect(l3.cache.stateOf(7)).toBe(LineState.M);
    const m = machine("machines/xeon-2s.yaml");
    expect(() => runChecked(m, pingPong([0, 1, 2, 28, 29], 64 * KiB, 4000))).not.toThrow();
  });

  // A dirty line written back raced a read of it by another node: the home read memory before the
  // write-back arrived, and the probe found the line gone from the writer's caches; and an old
  // write-back, slowed on the links, reached memory after newer data. A write-back now stays with
  // its node (a core's write-back buffer, then the node's victim buffer), where probes find it,
  // until its home gives it a turn in the line's order; an invalidating probe that takes its data
  // cancels it.
  it("a write-back on its way home is neither missed nor allowed to land after newer data", () => {
    for (const file of ["machines/opteron-4p.yaml", "machines/default.yaml"]) {
      const m = machine(file, ...TINY_CACHES);
      let cancelled = 0;
      for (const seed of [1, 2, 3]) {
        const ctx = runChecked(m, pingPong(coresOnNodes(m, file.includes("4p") ? 4 : 2), 64 * KiB), seed);
        const sum = (leaf: string) => ctx.machine.nodes.reduce((s, n) => s + ctx.machine.stats.value(`${n.nb.name}.${leaf}`), 0);
        expect(sum("probe.victimHits"), `${file} seed ${seed}`).toBeGreaterThan(0);
        cancelled += sum("writeBacksCancelled");
      }
      expect(cancelled, file).toBeGreaterThan(0);
    }
  });

  it("a victim buffer hands write-backs out oldest first and drops the ones whose data went on", () => {
    const b = new VictimBuffer(64);
    b.trackVersions();
    b.add(0x40, 7);
    b.add(0x40, 9);
    expect(b.versionOf(0x40)).toBe(9);
    b.cancel(0x40);
    b.add(0x40, 12);
    expect(b.remove(0x40)).toBe(CANCELLED);
    expect(b.removedVersion).toBe(7);
    expect(b.remove(0x40)).toBe(CANCELLED);
    expect(b.remove(0x40)).toBe(HELD);
    expect(b.removedVersion).toBe(12);
    expect(b.remove(0x40)).toBe(NOT_HELD);
    expect(b.holds(0x40)).toBe(false);
  });

  // With a directory, one core's write-back dropped its whole node from the line's entry while a
  // sibling core (no L3) still held it, or while the node's own request for it was under way; the
  // next writer then skipped the node. The home now keeps such a node.
  it("a directory keeps a node that still holds, or is getting, the line it wrote back", () => {
    const noL3 = machine("machines/opteron-4p.yaml", ...TINY_CACHES, "coherence=directory");
    const smallL3 = machine("machines/xeon-2s.yaml", ...TINY_CACHES, "node.l3.size=16KiB", "node.l3.assoc=4");
    for (const seed of [1, 2, 3, 4]) {
      expect(() => runChecked(noL3, pingPong([0, 1, 2, 3, 4, 5, 6, 7], 64 * KiB), seed), `no L3, seed ${seed}`).not.toThrow();
      expect(() => runChecked(smallL3, pingPong([1, 8, 15, 22, 29, 36, 43, 50], 64 * KiB), seed), `small L3, seed ${seed}`).not.toThrow();
    }
  });

  // The tiering daemon copied hot pages while threads kept writing them: a store that landed in
  // the old frame after its line was copied was lost when the mapping switched. A batch's pages
  // are now unmapped (accesses wait) and the TLBs shot down before the copies start.
  it("a page being moved takes no store its copy misses", () => {
    const m = machine("machines/nvm-tier.yaml", "node.memory.size=2MiB", "os.tiering.epoch=20us", "os.tiering.hotThreshold=4");
    const rows = reproduceTiering(m, { tableBytes: 8 << 20, updatesPerThread: 20_000, threads: 2, zipfTheta: 1.3 });
    expect(rows.find((r) => r.id === "TIERING")?.promotions).toBeGreaterThan(50);
  });
});

describe("value tracking: devices", () => {
  const gpuNode = "machines/gpu-node.yaml";
  const dma = (direction: "h2d" | "d2h", coherent: boolean): WorkloadSpec =>
    WorkloadSchema.parse({
      name: `dma-${direction}`,
      description: "",
      regions: [{ name: "buf", size: "256KiB", policy: { kind: "bind", nodes: [0] } }],
      threads: [{ core: { node: 0, core: 0 }, generator: "dma-driver", device: "gpu0", region: "buf", direction, coherent, prepare: true, iterations: 2 }],
    });

  it("coherent DMA both ways, and no-snoop DMA with the driver's flushes, run clean", () => {
    for (const direction of ["h2d", "d2h"] as const) {
      for (const coherent of [true, false]) {
        const values = runChecked(machine(gpuNode), dma(direction, coherent)).machine.values as ValueAudit;
        expect(values.readsChecked, `${direction} coherent=${coherent}`).toBeGreaterThan(0);
      }
    }
  });

  it("the workload files run clean: dma-copy, ping-pong (gpu-node) and apu-vector-add (apu)", () => {
    const dmaCopy = loadConfigFile("workloads/dma-copy.yaml", WorkloadSchema, { overrides: ["regions[0].size=1MiB"] });
    const pingPongFile = loadConfigFile("workloads/ping-pong.yaml", WorkloadSchema, { overrides: ["threads[0].iterations=20"] });
    const apuAdd = loadConfigFile("workloads/apu-vector-add.yaml", WorkloadSchema);
    for (const [file, w] of [[gpuNode, dmaCopy], [gpuNode, pingPongFile], ["machines/apu.yaml", apuAdd]] as const) {
      const ctx = runChecked(machine(file), w);
      expect((ctx.machine.values as ValueAudit).readsChecked, w.name).toBeGreaterThan(0);
    }
  });

  it("a device's whole-line write makes a version a host core then reads", () => {
    const values = runChecked(machine(gpuNode), dma("d2h", true)).machine.values as ValueAudit;
    // The device wrote the buffer's 4096 lines twice; the driver read them after each copy.
    expect(values.versionsMade).toBeGreaterThanOrEqual(2 * 4096);
  });
});

describe("value tracking: a broken protocol is caught", () => {
  /**
   * Breaks node 1's probe engine: an invalidating probe leaves core `node1.core0`'s copy of the
   * line in place (as S). Nothing else notices (the one-owner audit is switched off here, so that
   * only the value check can see it), and that core goes on reading its stale copy.
   */
  function brokenRun(checkValues: boolean): RunContext {
    const m = machine("machines/opteron-4p.yaml");
    const ctx = prepareRun(m, pingPong([0, 2, 4, 6], 4 * KiB), 1, "broken", { check: true });
    const mach = ctx.machine;
    for (const c of mach.cores) {
      c.audit = null;
      if (!checkValues) c.values = null;
    }
    const victim = mach.nodes[1].cores[0];
    const nb = mach.nodes[1].nb as unknown as { answerProbe(msg: Message, at: number): void };
    const answer = nb.answerProbe.bind(nb);
    const INVALIDATE = 1 << 16;
    nb.answerProbe = (msg: Message, at: number) => {
      const line = Math.floor(msg.addr / 64);
      // Read before answerProbe turns the probe into its response.
      const invalidate = (msg.aux & INVALIDATE) !== 0;
      const v2 = victim.l2.versionOf(line);
      const v1 = victim.l1d.versionOf(line);
      answer(msg, at);
      if (!invalidate) return;
      if (v2 >= 0) victim.l2.insert(line, LineState.S, v2);
      if (v1 >= 0) victim.l1d.insert(line, LineState.S, v1);
    };
    mach.sim.run();
    return ctx;
  }

  it("stops the run at the stale read, naming the reader, the tick, the line and both versions", () => {
    let error: unknown = null;
    try {
      brokenRun(true);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvariantError);
    expect((error as Error).message).toMatch(/^node1\.core0: invariant broken at \d+ ps: stale read: load hit in (L1d|L2) of line 0x[0-9a-f]+ saw version \d+ .*, but the latest is version \d+ \(written by node\d\.core\d at \d+ ps\)$/);
  });

  it("goes unnoticed without the value check (so the catch above is the check's)", () => {
    expect(() => brokenRun(false)).not.toThrow();
  });

  it("words a stale read with where its data came from", () => {
    const audit = new ValueAudit(64);
    const v1 = audit.store("node0.core0", 0x91, 1000);
    audit.store("node2.core1", 0x91, 2000);
    expect(() => audit.read("node1.core0", 0x91, v1, 2500, "fill of a read miss", fromDirtyCopyAt(3))).toThrowError(
      "node1.core0: invariant broken at 2500 ps: stale read: fill of a read miss of line 0x2440 saw version 1 from a dirty copy at node 3 (probe response) (written by node0.core0 at 1000 ps), but the latest is version 2 (written by node2.core1 at 2000 ps)",
    );
    expect(() => audit.read("node1.core0", 0x92, 0, 2600, "load hit in L1d")).not.toThrow();
    expect(audit.readsChecked).toBe(2);
  });
});
