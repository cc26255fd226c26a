// Valid machines and workloads, varied over their whole ranges, always run to completion.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { threadOperations } from "../../src/trust/run-budget.ts";
import { runRawGuarded, validateRaw } from "../../src/trust/run-inputs.ts";
import { FUZZ_SEED, runs, Tally } from "./fuzz/judge.ts";
import { validCaseArb } from "./fuzz/valid-inputs.ts";

describe("fuzzed valid inputs", () => {
  it("run to completion, every thread issuing exactly its operations", () => {
    const tally = new Tally();
    fc.assert(
      fc.property(validCaseArb, (c) => {
        const o = runRawGuarded(c.machine, c.workload, c.seed);
        tally.add(o.kind);
        if (o.kind === "rejected") throw new Error(`a valid input was refused:\n${o.lines.join("\n")}`);
        if (o.kind === "crashed") throw o.error;
        if (o.kind === "over-budget") throw new Error(`the generator made an input too big for a test: ${JSON.stringify(o.excess)}`);
        const { machine, workload } = validateRaw(c.machine, c.workload);
        const sizes = new Map(workload.regions.map((r) => [r.name, Math.ceil(r.size / machine.pageSize) * machine.pageSize] as const));
        const r = o.result;
        expect(Number.isFinite(r.simulatedNs) && r.simulatedNs >= 0).toBe(true);
        for (const t of r.threads) {
          const spec = workload.threads[t.index]!;
          expect(t.loads + t.stores, `thread ${t.index} (${spec.generator})`).toBe(threadOperations(spec, (n) => sizes.get(n) ?? 0));
        }
      }),
      { numRuns: runs(250), seed: FUZZ_SEED },
    );
    expect(tally.get("ran")).toBe(tally.total);
  });
});
