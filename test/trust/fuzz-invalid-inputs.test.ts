// Valid inputs broken in one place: refused with one readable line per problem, never a crash.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runRawGuarded } from "../../src/trust/run-inputs.ts";
import { FUZZ_SEED, judge, runs, Tally } from "./fuzz/judge.ts";
import { mutatedArb } from "./fuzz/mutations.ts";
import { validCaseArb } from "./fuzz/valid-inputs.ts";

const SOURCES = ["machine.yaml", "workload.yaml"];

describe("fuzzed invalid inputs (in process)", () => {
  it("are refused with problem lines naming the file and field, or run if the change was legal", () => {
    const tally = new Tally();
    fc.assert(
      fc.property(mutatedArb(validCaseArb), (c) => {
        const why = judge(c, runRawGuarded(c.machine, c.workload, c.seed), SOURCES, tally);
        if (why !== null) throw new Error(why);
      }),
      { numRuns: runs(600), seed: FUZZ_SEED },
    );
    // Not vacuous: most broken inputs are refused.
    expect(tally.get("rejected")).toBeGreaterThan(tally.total / 2);
    console.log(`invalid inputs: ${tally}`);
  });

  it("name the field they break", () => {
    fc.assert(
      fc.property(mutatedArb(validCaseArb), (c) => {
        const o = runRawGuarded(c.machine, c.workload, c.seed);
        fc.pre(o.kind === "rejected" && c.mustReject && c.kind !== "bad-topology" && c.kind !== "bad-placement" && c.kind !== "bad-combination" && c.kind !== "unknown-key" && c.kind !== "missing-field");
        if (o.kind !== "rejected") return;
        // The changed field (or the mapping holding it, for a union or a tuple) is named.
        const file = c.target === "machine" ? "machine.yaml" : "workload.yaml";
        const parent = c.path.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
        const named = o.lines.some((l) => l.startsWith(`${file}: ${c.path}`) || (parent !== "" && l.startsWith(`${file}: ${parent}`)) || (parent === "" && l.startsWith(`${file}: `)));
        if (!named) throw new Error(`${c.kind} at ${c.path} = ${String(c.value)}: no line names it:\n${o.lines.join("\n")}`);
      }),
      { numRuns: runs(200), seed: FUZZ_SEED + 1 },
    );
  });
});
