// DRAM model figures: for each preset, achieved bandwidth (GB/s and % of the theoretical peak of all
// its channels) under sequential and random reads and a random 2:1 read/write mix, the idle read
// latencies, and the simulator's speed. Prints a table (or JSON with --json); writes no file.
import { measureIdleLatencies } from "../src/mem/dram/idle-latency.ts";
import { randomTrace, sequentialTrace } from "../src/mem/dram/request-trace.ts";
import { runSystemTrace } from "../src/mem/dram/system-bandwidth.ts";
import { DRAM_PRESETS } from "../src/mem/presets/dram-presets.ts";

const json = process.argv.includes("--json");
const SEQ = 100_000;
const RND = 40_000;
const out: Record<string, unknown> = {};
const rows: string[][] = [];
let requests = 0;
const t0 = performance.now();
for (const [name, p] of Object.entries(DRAM_PRESETS)) {
  const seq = runSystemTrace(p, sequentialTrace(SEQ, { lineBytes: p.lineBytes, strideBytes: p.lineBytes }));
  const rnd = runSystemTrace(p, randomTrace(RND, { seed: 1, rangeBytes: 2 ** 30, lineBytes: p.lineBytes }));
  const mix = runSystemTrace(p, randomTrace(RND, { seed: 2, rangeBytes: 2 ** 30, lineBytes: p.lineBytes, writeFraction: 1 / 3 }));
  const seqW = runSystemTrace(p, sequentialTrace(SEQ / 2, { lineBytes: p.lineBytes, strideBytes: p.lineBytes, writeFraction: 1 }));
  const idle = measureIdleLatencies(p);
  requests += 2 * SEQ + 2 * RND - SEQ / 2;
  const pct = (x: number) => (100 * x) / seq.peakGBs;
  out[name] = {
    peakGBs: seq.peakGBs,
    seqReadGBs: seq.bandwidthGBs,
    seqReadPctPeak: pct(seq.bandwidthGBs),
    seqWriteGBs: seqW.bandwidthGBs,
    randReadGBs: rnd.bandwidthGBs,
    randReadPctPeak: pct(rnd.bandwidthGBs),
    randMixGBs: mix.bandwidthGBs,
    idleRowHitNs: idle.rowHitNs,
    idleClosedBankNs: idle.closedBankNs,
    idleRowConflictNs: idle.rowConflictNs,
  };
  rows.push([
    name,
    String(p.channels),
    seq.peakGBs.toFixed(1),
    `${seq.bandwidthGBs.toFixed(1)} (${pct(seq.bandwidthGBs).toFixed(1)}%)`,
    `${rnd.bandwidthGBs.toFixed(1)} (${pct(rnd.bandwidthGBs).toFixed(1)}%)`,
    `${mix.bandwidthGBs.toFixed(1)} (${pct(mix.bandwidthGBs).toFixed(1)}%)`,
    seqW.bandwidthGBs.toFixed(1),
    `${idle.rowHitNs.toFixed(1)} / ${idle.closedBankNs.toFixed(1)} / ${idle.rowConflictNs.toFixed(1)}`,
  ]);
}
const wall = (performance.now() - t0) / 1000;
if (json) {
  process.stdout.write(`${JSON.stringify({ dram: out, requestsPerSec: requests / wall }, null, 1)}\n`);
} else {
  const head = ["preset", "ch", "peak GB/s", "seq read GB/s", "random read GB/s", "random 2:1 r/w GB/s", "seq write GB/s", "idle hit / closed / conflict ns"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log(`\n${requests} requests simulated in ${wall.toFixed(1)} s (${(requests / wall / 1e6).toFixed(2)} M requests/s); random traffic over 1 GiB`);
}
