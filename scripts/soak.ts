// Soak: 100 million events through the kernel and the whole simulator, watching the heap.
//   npm run soak   (node --expose-gc --import tsx scripts/soak.ts [events])
// Rounds of three loads, each on fresh objects (what a sweep does) except the long-lived hold model:
//   - the kernel's hold model (one simulator kept for the whole soak, 1,000 pending events),
//   - an M/M/1 queue of 100,000 customers at ρ = 0.8 (new simulator, pooled messages),
//   - a run of the bundled default machine and workload (two pointer chases of 20,000 loads).
// Heap used is measured after a full GC before the warm-up, after it (the first 10 % of events)
// and at the end; the growth after the warm-up should stay under 50 MB.
import { loadConfigFile } from "../src/config/load.ts";
import { MachineSpec } from "../src/config/machine-spec.ts";
import { WorkloadSpec } from "../src/config/workload-spec.ts";
import { HoldModel } from "../src/bench/hold-model.ts";
import { buildSingleServerQueue } from "../src/kernel/queueing/single-server-queue.ts";
import { Simulator } from "../src/kernel/simulator.ts";
import { runSimulation } from "../src/machine/run-simulation.ts";
import { canCollect, heapUsedBytes, mb } from "../src/trust/heap.ts";

const TARGET_EVENTS = Number(process.argv[2] ?? 100_000_000);
const WARM_UP_EVENTS = Math.round(TARGET_EVENTS / 10);
const GROWTH_GOAL_MB = 50;

const machine = loadConfigFile("machines/default.yaml", MachineSpec);
const workload = loadConfigFile("workloads/default.yaml", WorkloadSpec);

if (!canCollect()) console.log("note: run with node --expose-gc for heap figures after a full collection");

const holdSim = new Simulator(2048);
const hold = new HoldModel(holdSim, 1, 1_000_000);
hold.prime(1000);

let events = 0;
let round = 0;
let machineRuns = 0;
const perLoad = { hold: 0, queue: 0, machine: 0 };
const t0 = performance.now();
const heapStart = heapUsedBytes();
let heapWarm = -1;
let nextReport = 10_000_000;
const print = (label: string, heap: number) =>
  console.log(`${label.padEnd(22)} ${(events / 1e6).toFixed(1).padStart(6)} M events  heap ${mb(heap).padStart(7)} MB  rss ${mb(process.memoryUsage().rss).padStart(7)} MB  ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s`);
print("start", heapStart);

while (events < TARGET_EVENTS) {
  round++;
  // Kernel: a million hold-model events on the long-lived simulator.
  const before = holdSim.eventsDispatched;
  hold.allow(1_000_000);
  holdSim.run();
  perLoad.hold += holdSim.eventsDispatched - before;
  events += holdSim.eventsDispatched - before;
  // Queueing: a fresh M/M/1.
  const q = buildSingleServerQueue({ seed: round, meanGapPs: 1_250_000, meanServicePs: 1_000_000, service: "exponential", customers: 100_000 });
  q.source.start();
  q.sim.run();
  perLoad.queue += q.sim.eventsDispatched;
  events += q.sim.eventsDispatched;
  // The whole simulator: a fresh machine each time.
  const r = runSimulation(machine, workload, round);
  machineRuns++;
  perLoad.machine += r.events;
  events += r.events;
  if (heapWarm < 0 && events >= WARM_UP_EVENTS) {
    heapWarm = heapUsedBytes();
    print("after warm-up", heapWarm);
  }
  if (events >= nextReport) {
    print(`round ${round}`, process.memoryUsage().heapUsed);
    nextReport += 10_000_000;
  }
}

const heapEnd = heapUsedBytes();
print("end", heapEnd);
const seconds = (performance.now() - t0) / 1000;
const growthMb = (heapEnd - heapWarm) / (1024 * 1024);
console.log(`events: ${events.toLocaleString("en")} in ${seconds.toFixed(1)} s (${(events / seconds / 1e6).toFixed(2)} M events/s) over ${round} rounds`);
console.log(`  hold model ${(perLoad.hold / 1e6).toFixed(1)} M, M/M/1 ${(perLoad.queue / 1e6).toFixed(1)} M, ${machineRuns} machine runs ${(perLoad.machine / 1e6).toFixed(1)} M`);
console.log(`heap: start ${mb(heapStart)} MB, after warm-up ${mb(heapWarm)} MB, end ${mb(heapEnd)} MB; growth after warm-up ${growthMb.toFixed(1)} MB (goal < ${GROWTH_GOAL_MB} MB)${canCollect() ? "" : " [without --expose-gc: not after a full GC]"}`);
process.exitCode = growthMb < GROWTH_GOAL_MB ? 0 : 1;
