/**
 * The fuzz properties' one rule: an input either runs to completion or is refused with readable
 * problem lines, never anything else. `judge` applies it to one outcome (allowing known gaps), and
 * a Tally counts what the cases did so a test can show it was not vacuous.
 */
import { badProblemLines } from "../../../src/trust/problem-lines.ts";
import { describeCrash, type Outcome } from "../../../src/trust/run-inputs.ts";
import { knownGapOf, type CaseInfo } from "./known-gaps.ts";

/** Seed of every fuzz test (set HOPSIM_FUZZ_SEED to explore others; fast-check prints the seed of a failure). */
export const FUZZ_SEED = Number(process.env.HOPSIM_FUZZ_SEED ?? 20261121);

/** Multiplier of every fuzz test's case count (HOPSIM_FUZZ_SCALE=10 for a longer local run). */
export const FUZZ_SCALE = Number(process.env.HOPSIM_FUZZ_SCALE ?? 1);

/** Cases for a fuzz test that runs `n` by default. */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * FUZZ_SCALE));
}

/** A case as judged: what it changed and whether it must be refused. */
export interface JudgedCase extends CaseInfo {
  mustReject: boolean;
}

/** Why an outcome breaks the rule, or null when it keeps it. */
export function judge(c: JudgedCase, o: Outcome, sources: readonly string[], tally?: Tally): string | null {
  const gap = knownGapOf(c, o);
  if (gap !== undefined) {
    tally?.add(`known gap ${gap.id}`);
    return null;
  }
  tally?.add(o.kind);
  switch (o.kind) {
    case "crashed":
      return `uncaught exception for ${c.kind} at ${c.path}:\n${describeCrash(o.error)}`;
    case "over-budget":
      if (o.excess.absurd === undefined) return null; // legal, just too big or long to run here
      return `accepted (${c.kind} at ${c.path}) but no machine could build it: ${o.excess.absurd}`;
    case "ran":
      return c.mustReject ? `accepted an invalid input (${c.kind} at ${c.path})` : null;
    case "rejected": {
      if (o.lines.length === 0) return "refused without naming a problem";
      // "hopsim: ..." is a run that reached the end of simulated time (see known gap time-range).
      const bad = badProblemLines(o.lines.join("\n"), [...sources, "hopsim"]);
      if (bad.length > 0) return `problem lines not of the form "<file>: <path>: <message>":\n${bad.join("\n")}`;
      // A line must say what was expected, not only that the value was wrong (fixed gap union-message).
      const vague = o.lines.filter((l) => /: Invalid input$/.test(l));
      return vague.length > 0 ? `problem lines that say only "Invalid input":\n${vague.join("\n")}` : null;
    }
  }
}

/** Counts of outcomes by kind (and by known gap). */
export class Tally {
  readonly counts = new Map<string, number>();

  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  toString(): string {
    return [...this.counts].sort().map(([k, v]) => `${k}: ${v}`).join(", ");
  }
}
