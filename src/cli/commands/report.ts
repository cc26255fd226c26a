import type { CommandModule } from "yargs";
import { runWithConfigErrors } from "../../config/exit.ts";

/** Options of `hopsim report`. */
export interface ReportArgs {
  dir: string;
}

/** Writes a sweep folder's report.html and charts; returns the exit code. */
export async function reportCommand(a: ReportArgs): Promise<number> {
  const { writeSweepReport } = await import("../../report/sweep-report.ts");
  const r = await writeSweepReport(a.dir);
  process.stdout.write(`wrote ${r.report} (${r.charts.length} chart${r.charts.length === 1 ? "" : "s"}: ${r.charts.join(", ")})\n`);
  return 0;
}

/** The yargs definition of `hopsim report`. */
export const reportCommandModule: CommandModule<object, ReportArgs> = {
  command: "report <dir>",
  describe: "Write report.html for a sweep folder: its charts (SVG, inline) and its points table",
  builder: (y) => y.positional("dir", { type: "string", demandOption: true, describe: "sweep folder" }).example("$0 report results/sweeps/placement-opteron-4p", "") as never,
  handler: async (a) => {
    await runWithConfigErrors(async () => {
      process.exitCode = await reportCommand(a);
    });
  },
};
