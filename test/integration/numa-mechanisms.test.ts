import { describe, expect, it } from "vitest";
import { streamBandwidth } from "../../src/repro/numa-repro.ts";
import { amdTestNs, idleLatencyNs, machine } from "./numa-helpers.ts";

describe("remote-access costs come out of the mechanism", () => {
  it("a slower link raises the 2-hop read time more than the 1-hop one", () => {
    const rows = (m: ReturnType<typeof machine>) => ({ r1: amdTestNs(m, "read", 1), r2: amdTestNs(m, "read", 3) });
    const fast = rows(machine("machines/opteron-4p.yaml"));
    const slow = rows(machine("machines/opteron-4p.yaml", "link.latency=20ns"));
    expect(slow.r1).toBeGreaterThan(fast.r1);
    expect(slow.r2 - fast.r2).toBeGreaterThan(slow.r1 - fast.r1);
  });

  it("with broadcast probes a slower link raises local reads too, so the 2-hop ratio falls", () => {
    // A local read waits for the farthest node's probe answer (four link traversals), as long as
    // the 2-hop read's own path: both grow alike, while the 1-hop read grows less.
    const ratio2 = (m: ReturnType<typeof machine>) => amdTestNs(m, "read", 3) / amdTestNs(m, "read", 0);
    expect(ratio2(machine("machines/opteron-4p.yaml", "link.latency=20ns"))).toBeLessThan(ratio2(machine("machines/opteron-4p.yaml")));
  });

  it("a narrower link (less bandwidth) makes remote reads slower", () => {
    const wide = machine("machines/opteron-4p.yaml");
    const narrow = machine("machines/opteron-4p.yaml", "link.widthBits=8");
    expect(amdTestNs(narrow, "read", 1)).toBeGreaterThan(amdTestNs(wide, "read", 1));
  });

  it("a 2-socket Opteron has a lower local latency than the 4-socket one (fewer probes to wait for)", () => {
    const two = idleLatencyNs(machine("machines/opteron-2p.yaml"), 0);
    const four = idleLatencyNs(machine("machines/opteron-4p.yaml"), 0);
    expect(two).toBeLessThan(four);
  });

  it("a directory in place of broadcast probes lowers local latency", () => {
    const broadcast = idleLatencyNs(machine("machines/opteron-4p.yaml"), 0);
    const directory = idleLatencyNs(machine("machines/opteron-4p.yaml", "coherence=directory", "directoryLatency=5ns"), 0);
    expect(directory).toBeLessThan(broadcast);
  });

  it("a slower probe lookup raises local latency but not the 2-hop one as much", () => {
    const base = machine("machines/opteron-4p.yaml");
    const slowProbe = machine("machines/opteron-4p.yaml", "node.northbridge.probeLatency=45ns");
    const dLocal = idleLatencyNs(slowProbe, 0) - idleLatencyNs(base, 0);
    const dFar = idleLatencyNs(slowProbe, 3) - idleLatencyNs(base, 3);
    expect(dLocal).toBeGreaterThan(10);
    expect(dFar).toBeLessThan(dLocal);
  });

  it("remote latency grows with hops on the 8-socket twisted ladder (node 1: 1 hop, 2: 2 hops, 3: 3 hops)", () => {
    const m = machine("machines/opteron-8p-twisted-ladder.yaml");
    const [h1, h2, h3] = [1, 2, 3].map((n) => idleLatencyNs(m, n, 800));
    expect(h2).toBeGreaterThan(h1);
    expect(h3).toBeGreaterThan(h2);
  });

  it("beyond the cache, remote writes are not markedly slower: memory is the bottleneck, until the link is the narrower pipe (Drepper fig. 5.4)", () => {
    const ratio = (m: ReturnType<typeof machine>) => streamBandwidth(m, "write", 1, 4 << 20) / streamBandwidth(m, "write", 0, 4 << 20);
    const base = ratio(machine("machines/opteron-4p.yaml"));
    expect(base).toBeGreaterThanOrEqual(0.94);
    expect(base).toBeLessThanOrEqual(1.03);
    // An 8-bit link carries 2 GB/s each way, less than the 4 GB/s the remote stream moves in all.
    expect(ratio(machine("machines/opteron-4p.yaml", "link.widthBits=8"))).toBeLessThan(0.8);
  });

  it("on bank-level DDR-400, interleaved chip-selects keep a fill and its victim apart; in one rank they conflict and writes slow down", () => {
    const m = "machines/opteron-4p-ddr400.yaml";
    const two = amdTestNs(machine(m), "write", 1);
    const one = amdTestNs(machine(m, "node.memory.dram.ranks=1"), "write", 1);
    expect(one).toBeGreaterThan(1.1 * two);
    // The exclusive L2 is what puts the victim in the other rank: inclusive, it is exactly 1 MiB
    // away, in the same rank and bank.
    const inclusive = amdTestNs(machine(m, "node.core.l2.exclusive=false"), "write", 1);
    expect(inclusive).toBeGreaterThan(1.1 * two);
  });
});
