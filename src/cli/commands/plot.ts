import path from "node:path";
import type { CommandModule } from "yargs";
import { ConfigError } from "../../config/errors.ts";
import { runWithConfigErrors } from "../../config/exit.ts";
import { writeFileAtomic } from "../../util/atomic-write.ts";

/** Options of `hopsim plot`. */
export interface PlotArgs {
  dir: string;
  y: string;
  x: string;
  by?: string;
  out?: string;
  title?: string;
  where: string[];
  logX: boolean;
  logY: boolean;
}

/** Renders one chart of a sweep folder to SVG; returns the exit code. */
export async function plotCommand(a: PlotArgs): Promise<number> {
  const { readSweepTable } = await import("../../report/sweep-table.ts");
  const { chartFileName, chartSvg } = await import("../../report/sweep-chart.ts");
  const table = readSweepTable(a.dir);
  const where: Record<string, string> = {};
  for (const w of a.where) {
    const eq = w.indexOf("=");
    if (eq <= 0) throw ConfigError.single("--where", `expected PARAM=VALUE, got "${w}"`);
    where[w.slice(0, eq)] = w.slice(eq + 1);
  }
  const request = { y: a.y, x: a.x, logX: a.logX, logY: a.logY, ...(a.by === undefined ? {} : { by: a.by }), ...(a.title === undefined ? {} : { title: a.title }), ...(a.where.length === 0 ? {} : { where }) };
  const svg = await chartSvg(table, request);
  const out = a.out ?? path.join(table.dir, "charts", chartFileName(request));
  writeFileAtomic(out, svg);
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

/** The yargs definition of `hopsim plot`. */
export const plotCommandModule: CommandModule<object, PlotArgs> = {
  command: "plot <dir>",
  describe: "Chart a statistic of a sweep against a parameter, as SVG",
  builder: (y) =>
    y
      .positional("dir", { type: "string", demandOption: true, describe: "sweep folder (or its points.csv)" })
      .option("y", { type: "string", demandOption: true, describe: "statistic column of points.csv" })
      .option("x", { type: "string", demandOption: true, describe: "parameter (or column) on the horizontal axis" })
      .option("by", { type: "string", describe: "parameter with one line per value" })
      .option("out", { type: "string", describe: "SVG file (default <dir>/charts/<y>-vs-<x>[-by-<by>].svg)" })
      .option("title", { type: "string", describe: "chart title" })
      .option("where", { type: "string", array: true, default: [], describe: "only points with PARAM=VALUE (repeatable)" })
      .option("log-x", { type: "boolean", default: false, describe: "logarithmic horizontal axis" })
      .option("log-y", { type: "boolean", default: false, describe: "logarithmic vertical axis" })
      .example("$0 plot results/sweeps/hops --y slowdown --x link.latency --by link.widthBits", "") as never,
  handler: async (a) => {
    await runWithConfigErrors(async () => {
      process.exitCode = await plotCommand(a);
    });
  },
};
