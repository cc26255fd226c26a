// Kernel benchmark: the hold model with 1,000 and 100,000 pending events; writes results/bench.json.
import { measureHold } from "../src/bench/hold-model.ts";
import { mergeBenchResults } from "../src/bench/bench-file.ts";

const EVENTS = 5_000_000;
const REPS = 5;
const SEED = 1;
const kernel: Record<string, { eventsPerSec: number }> = {};
for (const pending of [1000, 100_000]) {
  const r = measureHold(pending, EVENTS, REPS, SEED);
  kernel[`pending${pending}`] = { eventsPerSec: r.eventsPerSec };
  const reps = r.repetitionsPerSec.map((x) => (x / 1e6).toFixed(1)).join(" ");
  console.log(`kernel hold model, ${pending} pending: ${(r.eventsPerSec / 1e6).toFixed(2)} M events/s (median of ${REPS} x ${EVENTS / 1e6} M events: ${reps})`);
}
const file = mergeBenchResults({ kernel });
console.log(`wrote ${file}`);
