import { describe, expect, it } from "vitest";
import { amdTestNs, machine } from "./numa-helpers.ts";

// The published ratios (AMD pub. 40555, figs. 4-5). The simulated ones come from hop latency,
// link serialisation, probe broadcast and memory timing in machines/opteron-4p.yaml.
describe("Opteron 4P read times (AMD pub. 40555, figs. 4-5)", () => {
  const m = machine("machines/opteron-4p.yaml");
  const r0 = amdTestNs(m, "read", 0);
  const ratio = (node: number) => amdTestNs(m, "read", node) / r0;

  // Open (issue: the NUMA machine): with HyperTransport links charging every command packet's
  // wire time and K8's routing registers (a probe tree saves the local read a probe queued on its
  // first link), 1-hop reads come out at 1.124 / 1.135 and 2-hop reads at 1.356, 4.5 and 5.5
  // points outside: the local read, the denominator, is too fast (87 ns idle where K8 measures
  // 95). When a mechanism brings them within 2 points, these start passing: drop `.fails`.
  it.fails("1-hop reads are 8-9 % slower than local, within 2 points", () => {
    expect(Math.abs(ratio(1) - 1.08)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(ratio(2) - 1.09)).toBeLessThanOrEqual(0.02);
  });

  it.fails("2-hop reads are 30 % slower than local, within 2 points", () => {
    expect(Math.abs(ratio(3) - 1.3)).toBeLessThanOrEqual(0.02);
  });

  it("1-hop reads cost 5 to 15 % and 2-hop reads 25 to 40 % more than local reads", () => {
    expect(ratio(1)).toBeGreaterThan(1.05);
    expect(ratio(1)).toBeLessThan(1.15);
    expect(ratio(2)).toBeGreaterThan(1.05);
    expect(ratio(2)).toBeLessThan(1.15);
    expect(ratio(3)).toBeGreaterThan(1.25);
    expect(ratio(3)).toBeLessThan(1.4);
  });

  it("writes cost more than reads at every distance and grow with hops", () => {
    const w = [0, 1, 3].map((n) => amdTestNs(m, "write", n) / r0);
    const r = [1, ratio(1), ratio(3)];
    for (let i = 0; i < 3; i++) expect(w[i]).toBeGreaterThan(r[i]);
    expect(w[1]).toBeGreaterThan(w[0]);
    expect(w[2]).toBeGreaterThan(w[1]);
  });
});
