import { describe, expect, it } from "vitest";
import { makeLogger } from "../../src/cli/logger.ts";

function logged(level: string, use: (log: ReturnType<typeof makeLogger>) => void): string[] {
  const lines: string[] = [];
  use(makeLogger(level, (l) => lines.push(l)));
  return lines;
}

describe("log lines", () => {
  it("read as plain lines, level and message first, then the fields", () => {
    const lines = logged("info", (log) => {
      log.info({ machine: "opteron-4p", workload: "default", seed: 1 }, "running");
      log.info({ out: "results/sweeps/my sweep", points: 36 }, "planned");
      log.debug({ id: "abc" }, "point finished");
    });
    expect(lines).toEqual(["hopsim: info: running machine=opteron-4p workload=default seed=1", 'hopsim: info: planned out="results/sweeps/my sweep" points=36']);
  });

  it("show a sweep's warning about a misspelled column as one line", () => {
    const warning = 'column "threads[0].nsPerAcess": no statistic named "threads[0].nsPerAcess" (did you mean "threads[0].nsPerAccess"?); its cells are empty';
    expect(logged("warn", (log) => log.warn(warning))).toEqual([`hopsim: warning: ${warning}`]);
  });

  it("follow the level: nothing below it, nothing at all when silent", () => {
    expect(logged("warn", (log) => log.info("running"))).toEqual([]);
    expect(logged("silent", (log) => log.error("broken"))).toEqual([]);
  });
});
