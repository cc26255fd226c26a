import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.ts";
import { MachineSpec } from "../../src/config/machine-spec.ts";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { InvariantError } from "../../src/machine/invariant-error.ts";
import { prepareRun } from "../../src/machine/run-simulation.ts";
import { LinkAudit } from "../../src/net/link-audit.ts";

/** STREAM triad on both cores of node 0 over arrays on node 1: the HyperTransport link busy both ways. */
const remoteTriad: WorkloadSpec = {
  name: "remote-triad",
  description: "",
  regions: ["a", "b", "c"].map((name) => ({ name, size: 1 << 20, policy: { kind: "bind", nodes: [1] }, kind: "anon" })),
  threads: [0, 1].map((core) => ({ core, generator: "triad", a: "a", b: "b", c: "c", chunk: core, chunks: 2, elementBytes: 8, passes: 1, gapCycles: 0, startNs: 0 })),
};

describe("link bandwidth audit", () => {
  it("stops a run when a direction carries more than its bandwidth in a window", () => {
    // 1 byte/ns: a 1 us window holds 1000 bytes (plus one largest packet).
    const honest = new LinkAudit("test.link", 1);
    for (let i = 0; i < 10; i++) honest.record(0, i * 64_000, 64_000, 64, i * 64_000);
    expect(() => honest.finish(2_000_000)).not.toThrow();
    expect(honest.checked).toBeGreaterThan(0);
    const fast = new LinkAudit("test.link", 1);
    // Twenty 100-byte packets claimed to take 10 ns each: 2000 bytes in one window.
    for (let i = 0; i < 20; i++) fast.record(0, i * 10_000, 10_000, 100, i * 10_000);
    expect(() => fast.finish(2_000_000)).toThrow(InvariantError);
  });

  it("keeps two windows for a transfer that spans a billion of them", () => {
    // 4096 bytes at 4 bytes per second: about 17 minutes on the wire.
    const slow = new LinkAudit("test.slow", 4e-9);
    slow.record(0, 0, 1024e12, 4096, 0);
    slow.record(0, 1024e12, 1024e12, 4096, 1024e12);
    expect(() => slow.finish(2048e12)).not.toThrow();
    expect(slow.checked).toBe(4);
  });

  it("is part of --check on every link", () => {
    const m = loadConfigFile("machines/gpu-node.yaml", MachineSpec);
    const w: WorkloadSpec = {
      name: "stream",
      description: "",
      regions: [{ name: "r", size: 1 << 20, policy: { kind: "bind", nodes: [1] }, kind: "anon" }],
      threads: [0, 1].map((core) => ({ core, generator: "stream-read", region: "r", elementBytes: 64, passes: 1, dependsOn: 0, gapCycles: 0, startNs: 0 })),
    };
    const ctx = prepareRun(m, w, 1, "w", { check: true });
    const audited = ctx.machine.links.filter((l) => l.audit !== null);
    expect(audited.length).toBeGreaterThan(0);
    for (const l of ctx.machine.links) expect(l.audit).not.toBeNull();
    ctx.machine.sim.run();
    for (const l of audited) l.audit?.finish(ctx.machine.sim.now);
    expect(audited.reduce((n, l) => n + (l.audit?.checked ?? 0), 0)).toBeGreaterThan(audited.length);
  });

  it("keeps a link that does not insert commands within its bandwidth, probe answers booked ahead included", () => {
    // Opteron links without command insertion: each probe answer is handed to the link when its
    // lookup starts, due when it ends, and must not share the wire with what is sent meanwhile.
    const m = loadConfigFile("machines/opteron-2p.yaml", MachineSpec);
    m.link.controlInsert = 0;
    const ctx = prepareRun(m, remoteTriad, 1, "w", { check: true });
    const ht = ctx.machine.links.filter((l) => l.name.startsWith("ht."));
    expect(ht.length).toBe(1);
    expect(ht[0].audit).not.toBeNull();
    ctx.machine.sim.run();
    for (const l of ctx.machine.links) l.audit?.finish(ctx.machine.sim.now);
    expect(ht[0].audit?.checked).toBeGreaterThan(100);
  });

  it("keeps every HyperTransport link within its bandwidth under remote streaming, commands inserted into data packets", () => {
    const m = loadConfigFile("machines/opteron-2p.yaml", MachineSpec);
    const ctx = prepareRun(m, remoteTriad, 1, "w", { check: true });
    for (const l of ctx.machine.links) l.audit = new LinkAudit(l.name, l.bandwidthBytesPerNs);
    ctx.machine.sim.run();
    for (const l of ctx.machine.links) l.audit?.finish(ctx.machine.sim.now);
  });

  it("keeps the links of a 4-socket square within their bandwidth as packets held by inserted commands are forwarded cut-through", () => {
    // Striped triad on all eight cores: data crosses two hops to node 3 and back, each hop's data
    // packets stretched by the probes and answers inserted into them.
    const m = loadConfigFile("machines/opteron-4p.yaml", MachineSpec);
    const w: WorkloadSpec = {
      name: "striped-triad",
      description: "",
      regions: ["a", "b", "c"].map((name) => ({ name, size: 1 << 20, policy: { kind: "interleave" }, kind: "anon" })),
      threads: Array.from({ length: 8 }, (_, core) => ({ core, generator: "triad", a: "a", b: "b", c: "c", chunk: core, chunks: 8, elementBytes: 8, passes: 1, gapCycles: 0, startNs: 0 })),
    };
    const ctx = prepareRun(m, w, 1, "w", { check: true });
    ctx.machine.sim.run();
    const ht = ctx.machine.links.filter((l) => l.name.startsWith("ht."));
    for (const l of ht) l.audit?.finish(ctx.machine.sim.now);
    expect(ht.every((l) => (l.audit?.checked ?? 0) > 10)).toBe(true);
    // Commands did hold data packets up, and the links were busy.
    const held = ht.reduce((sum, l) => sum + ctx.machine.stats.value(`${l.name}.fwd.interruptedSumPs`) + ctx.machine.stats.value(`${l.name}.rev.interruptedSumPs`), 0);
    expect(held).toBeGreaterThan(0);
  });
});
