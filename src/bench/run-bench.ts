import { mergeBenchResults } from "./bench-file.ts";
import { measureHold } from "./hold-model.ts";

/** Options of the benchmark run. */
export interface BenchOptions {
  /** Events per timed repetition of the hold model. */
  events: number;
  /** Timed repetitions (the median is reported). */
  repetitions: number;
  /** Write results/bench.json. */
  write: boolean;
  /** Where progress lines go. */
  print: (line: string) => void;
}

/** Runs the kernel hold-model benchmark (and the end-to-end ones) and merges results/bench.json. */
export async function runBench(o: BenchOptions): Promise<Record<string, unknown>> {
  const kernel: Record<string, { eventsPerSec: number }> = {};
  for (const pending of [1000, 100_000]) {
    const r = measureHold(pending, o.events, o.repetitions, 1);
    kernel[`pending${pending}`] = { eventsPerSec: r.eventsPerSec };
    const reps = r.repetitionsPerSec.map((x) => (x / 1e6).toFixed(1)).join(" ");
    o.print(`kernel hold model, ${pending} pending: ${(r.eventsPerSec / 1e6).toFixed(2)} M events/s (median of ${o.repetitions} x ${o.events / 1e6} M events: ${reps})`);
  }
  const sections: Record<string, unknown> = { kernel };
  const { endToEndBench } = await import("./end-to-end.ts");
  const e2e = endToEndBench(o.print);
  sections.endToEnd = Object.fromEntries(Object.entries(e2e).map(([k, v]) => [k, { accessesPerSec: v.accessesPerSec }]));
  const { gpuBench } = await import("./gpu-bench.ts");
  const gpu = gpuBench(o.print);
  sections.gpu = { linesPerSec: gpu.linesPerSec, eventsPerSec: gpu.eventsPerSec };
  if (o.write) o.print(`wrote ${mergeBenchResults(sections)}`);
  return sections;
}
