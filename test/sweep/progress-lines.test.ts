import { describe, expect, it } from "vitest";
import { SweepProgress } from "../../src/sweep/progress.ts";

describe("sweep progress without a terminal", () => {
  it("prints plain lines with points done, failures and the time left", async () => {
    const lines: string[] = [];
    const p = new SweepProgress({ name: "demo", tty: false, intervalSeconds: 0.05, write: (t) => lines.push(t) });
    p.start(8, 2, 6);
    expect(p.plainLine()).toBe("sweep demo: 2/8 points, 0 failed, estimating");
    await new Promise((r) => setTimeout(r, 20));
    p.pointsDone(1, false, true);
    p.pointsDone(1, true, true);
    await new Promise((r) => setTimeout(r, 300));
    p.stop();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^sweep demo: \d\/8 points, \d failed, (~[\d.]+ s left|estimating)\n$/);
    expect(lines.at(-1)).toMatch(/^sweep demo: 4\/8 points, 1 failed, ~[\d.]+ s left\n$/);
  });

  it("prints log lines as they come", () => {
    const lines: string[] = [];
    const p = new SweepProgress({ name: "demo", tty: false, write: (t) => lines.push(t) });
    p.line("point 3 failed: no");
    expect(lines).toEqual(["point 3 failed: no\n"]);
  });
});
