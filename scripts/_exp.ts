import { loadConfigFile } from "../src/config/load.ts";
import { MachineSpec } from "../src/config/machine-spec.ts";
import { WorkloadSpec } from "../src/config/workload-spec.ts";
import { runSimulation } from "../src/machine/run-simulation.ts";
const sets = process.argv.slice(2);
const m = loadConfigFile("machines/opteron-4p.yaml", MachineSpec, { overrides: sets });
const ws = 8 << 20;
const run = (gen: string, node: number) => {
  const w = WorkloadSpec.parse({ name: "x", regions: [{ name: "buf", size: ws, policy: { kind: "bind", nodes: [node] } }],
    threads: [{ core: 0, generator: gen, region: "buf", elementBytes: 64, dependsOn: +(process.env.DEP ?? 2) }] });
  const r = runSimulation(m, w, 1);
  return r;
};
const onlyR = process.env.ONLY_R === "1";
const rows0: [string, string, number][] = [["R0","stream-read",0],["R1","stream-read",1],["R1b","stream-read",2],["R2","stream-read",3],["W0","stream-write",0],["W1","stream-write",1],["W1b","stream-write",2],["W2","stream-write",3]];
const rows = onlyR ? rows0.slice(0, 4) : rows0;
let base = 0; const t0 = performance.now(); let ev = 0;
for (const [id, gen, node] of rows) {
  const r = run(gen, node); ev += r.events;
  if (id === "R0") base = r.simulatedNs;
  const t = r.threads[0];
  console.log(id, (r.simulatedNs / base).toFixed(3), "lat", t.meanMissLatencyNs.toFixed(1), "GB/s", (ws / r.simulatedNs).toFixed(2));
}
console.log("wall", ((performance.now() - t0)/1000).toFixed(1), "s", (ev/((performance.now()-t0)/1000)/1e6).toFixed(2), "Mev/s");
