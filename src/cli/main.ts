import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { HOPSIM_VERSION } from "../version.ts";
import { LOG_LEVELS } from "./logger.ts";
import { benchCommandModule } from "./commands/bench.ts";
import { dramCommand } from "./commands/dram.ts";
import { plotCommandModule } from "./commands/plot.ts";
import { reportCommandModule } from "./commands/report.ts";
import { reproCommandModule } from "./commands/repro.ts";
import { runCommandModule } from "./commands/run.ts";
import { sweepCommandModule } from "./commands/sweep.ts";
import { topoCommandModule } from "./commands/topo.ts";

/** The `hopsim` command line: one yargs program with a command per job. */
await yargs(hideBin(process.argv))
  .scriptName("hopsim")
  .usage("$0 <command> [options]\n\nA discrete-event simulator for NUMA and heterogeneous machines.")
  .option("log-level", { type: "string", choices: LOG_LEVELS, default: "warn", describe: "log level on stderr (info shows progress)", global: true })
  .command(runCommandModule)
  .command(benchCommandModule)
  .command(topoCommandModule)
  .command(reproCommandModule)
  .command(dramCommand)
  .command(sweepCommandModule)
  .command(plotCommandModule)
  .command(reportCommandModule)
  .demandCommand(1, "name a command: run, topo, repro, dram, sweep, plot, report, bench (see --help)")
  .strict()
  .version(HOPSIM_VERSION)
  .help()
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .fail((msg, err, y) => {
    if (err) throw err;
    process.stderr.write(`${y.help === undefined ? "" : ""}hopsim: ${msg}\nRun hopsim --help for usage.\n`);
    process.exit(2);
  })
  .parseAsync();
