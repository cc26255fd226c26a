// npm run bench: the kernel hold model and end-to-end speed, merged into results/bench.json.
import { runBench } from "../src/bench/run-bench.ts";

await runBench({ events: 5_000_000, repetitions: 5, write: true, print: (l) => console.log(l) });
