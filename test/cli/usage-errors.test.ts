import { describe, expect, it } from "vitest";
import { hopsim } from "./run-cli.ts";

/** Exit code 2 and exactly `lines` on stderr, nothing on stdout. */
function expectUsage(args: string[], lines: string[]) {
  const r = hopsim(args);
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split("\n")).toEqual(lines);
  expect(r.stdout).toBe("");
}

describe("command-line mistakes", () => {
  it("calls an unknown command a command and suggests the nearest", () => {
    expectUsage(["rnu"], ['hopsim: unknown command "rnu" (did you mean "run"?); see hopsim --help']);
    expectUsage(["rnu", "-m", "machines/default.yaml"], ['hopsim: unknown command "rnu" (did you mean "run"?); see hopsim --help']);
    expectUsage(["frobnicate"], ['hopsim: unknown command "frobnicate"; see hopsim --help']);
  });

  it("names the missing argument and points at the command's help", () => {
    expectUsage(["topo"], ["hopsim topo: missing the <machine> argument; see hopsim topo --help"]);
    expectUsage(["repro"], ["hopsim repro: missing the <what> argument; see hopsim repro --help"]);
    expectUsage(["sweep", "collect"], ["hopsim sweep collect: missing the <dir> argument; see hopsim sweep collect --help"]);
    expectUsage(["sweep"], ["hopsim sweep: missing the <file> argument; see hopsim sweep --help"]);
  });

  it("says once, with no command, what to name", () => {
    expectUsage([], ["hopsim: name a command: run, topo, repro, dram, sweep, plot, report, bench; see hopsim --help"]);
  });

  it("names a missing option, an unknown option (with the nearest) and an extra argument of a command", () => {
    expectUsage(["plot", "results/x"], ["hopsim plot: missing the --y option; see hopsim plot --help", "hopsim plot: missing the --x option; see hopsim plot --help"]);
    expectUsage(["topo", "machines/opteron-4p.yaml", "--acesses", "5"], ["hopsim topo: unknown option --acesses (did you mean --accesses?); see hopsim topo --help"]);
    expectUsage(["topo", "machines/opteron-4p.yaml", "extra"], ['hopsim topo: unexpected argument "extra"; see hopsim topo --help']);
  });

  it("lists the choices of a positional argument or an option in one line", () => {
    expectUsage(["repro", "numaa"], ['hopsim repro: <what> must be one of "numa", "tiering", "vm", "hetero", got "numaa"; see hopsim repro --help']);
    expectUsage(["run", "-m", "a.yaml", "-w", "b.yaml", "--log-level", "loud"], [
      'hopsim run: --log-level must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "loud"; see hopsim run --help',
    ]);
  });
});
