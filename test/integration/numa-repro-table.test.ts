import { describe, expect, it } from "vitest";
import { amdTestNs, machine } from "./numa-helpers.ts";

// The published ratios (AMD pub. 40555, figs. 4-5). The simulated ones come from hop latency,
// link serialisation, probe broadcast and memory timing in machines/opteron-4p.yaml.
describe("Opteron 4P read times (SEED-FACTS 20)", () => {
  const m = machine("machines/opteron-4p.yaml");
  const r0 = amdTestNs(m, "read", 0);
  const ratio = (node: number) => amdTestNs(m, "read", node) / r0;

  it("1-hop reads are 8-9 % slower than local, within 2 points", () => {
    expect(Math.abs(ratio(1) - 1.08)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(ratio(2) - 1.09)).toBeLessThanOrEqual(0.02);
  });

  it("2-hop reads are 30 % slower than local, within 2 points", () => {
    expect(Math.abs(ratio(3) - 1.3)).toBeLessThanOrEqual(0.02);
  });

  it("writes cost more than reads at every distance and grow with hops", () => {
    const w = [0, 1, 3].map((n) => amdTestNs(m, "write", n) / r0);
    const r = [1, ratio(1), ratio(3)];
    for (let i = 0; i < 3; i++) expect(w[i]).toBeGreaterThan(r[i]);
    expect(w[1]).toBeGreaterThan(w[0]);
    expect(w[2]).toBeGreaterThan(w[1]);
  });
});
