import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { HOPSIM_VERSION } from "../version.ts";
import { longFormsOfLetterOptions } from "./help-text.ts";
import { LOG_LEVELS } from "./logger.ts";
import { optionProblems } from "./number-option.ts";
import { trackProgram, tracked, UsageError, usageLines } from "./usage.ts";
import { benchCommandModule } from "./commands/bench.ts";
import { dramCommand } from "./commands/dram.ts";
import { plotCommandModule } from "./commands/plot.ts";
import { reportCommandModule } from "./commands/report.ts";
import { reproCommandModule } from "./commands/repro.ts";
import { runCommandModule } from "./commands/run.ts";
import { sweepCommandModule } from "./commands/sweep.ts";
import { topoCommandModule } from "./commands/topo.ts";

const args = hideBin(process.argv);

/** The `hopsim` command line: one yargs program with a command per job. */
const cli = trackProgram(
  yargs(args)
    .scriptName("hopsim")
    .usage("$0 <command> [options]\n\nA discrete-event simulator for NUMA and heterogeneous machines.")
    .option("log-level", { type: "string", choices: LOG_LEVELS, default: "warn", describe: "log level on stderr (info shows progress)", global: true }),
)
  .command(tracked(runCommandModule))
  .command(tracked(benchCommandModule))
  .command(tracked(topoCommandModule))
  .command(tracked(reproCommandModule))
  .command(tracked(dramCommand))
  .command(tracked(sweepCommandModule))
  .command(tracked(plotCommandModule))
  .command(tracked(reportCommandModule))
  .demandCommand(1, "name a command: run, topo, repro, dram, sweep, plot, report, bench")
  // Numeric options hold an OptionProblem where the value was bad: all are reported before any command runs.
  .middleware((argv) => {
    const problems = optionProblems(argv);
    if (problems.length > 0) throw new UsageError(problems);
  })
  .strict()
  .version(HOPSIM_VERSION)
  .help()
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .fail((msg, err) => {
    // yargs' own errors (YError) are usage mistakes like the messages; anything else is a bug.
    if (err && err.name !== "YError") throw err;
    throw new UsageError(usageLines(msg ?? err?.message ?? "", args));
  });

try {
  // With a callback yargs hands over the help and version text instead of printing it.
  await cli.parseAsync(args, {}, (_err, _argv, output) => {
    if (output !== "") process.stdout.write(`${longFormsOfLetterOptions(output)}\n`);
  });
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  for (const line of e.lines) process.stderr.write(`${line}\n`);
  process.exitCode = 2;
}
