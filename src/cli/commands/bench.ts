import type { CommandModule } from "yargs";
import { runBench } from "../../bench/run-bench.ts";
import { numberOption, POSITIVE_WHOLE } from "../number-option.ts";

/** Options of `hopsim bench`. */
export interface BenchArgs {
  events: number;
  repetitions: number;
  write: boolean;
}

/** The yargs definition of `hopsim bench`. */
export const benchCommandModule: CommandModule<object, BenchArgs> = {
  command: "bench",
  describe: "Measure the kernel (hold model) and end-to-end simulation speed; merge results/bench.json",
  builder: (y) =>
    y
      .option("events", numberOption("events", POSITIVE_WHOLE, { default: 5_000_000, describe: "events per timed repetition of the hold model" }))
      .option("repetitions", numberOption("repetitions", POSITIVE_WHOLE, { default: 5, describe: "timed repetitions; the median is reported" }))
      .option("write", { type: "boolean", default: true, describe: "write results/bench.json (--no-write to skip)" }) as never,
  handler: async (a) => {
    await runBench({ events: a.events, repetitions: a.repetitions, write: a.write, print: (l) => process.stdout.write(`${l}\n`) });
  },
};
