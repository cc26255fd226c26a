import { Simulator } from "../../kernel/simulator.ts";
import { StatsRegistry } from "../../stats/registry.ts";
import { DirectConnection } from "./direct-connection.ts";
import { channelPeakBytesPerNs, type DramParams } from "./dram-params.ts";
import { DramSystem } from "./dram-system.ts";
import { ProtocolChecker } from "./protocol-checker.ts";
import { RequestPlayer } from "./request-player.ts";
import type { RequestTrace } from "./request-trace.ts";

/** What a trace played against a whole memory system achieved. */
export interface SystemRun {
  /** Bytes moved over the time to finish, in GB/s. */
  bandwidthGBs: number;
  /** Theoretical peak of all channels, in GB/s. */
  peakGBs: number;
  /** Mean read latency (acceptance to last data beat) over all channels, in ns. */
  avgReadLatencyNs: number;
  /** Row hits over all requests. */
  rowHitRate: number;
  /** Protocol violations (empty unless checking). */
  violations: string[];
}

/**
 * Plays a trace (requests of `lineBytes`) against a DramSystem with every channel of `params`
 * and measures it: the building block of the bandwidth tests and of scripts/dram-bench.ts.
 */
export function runSystemTrace(params: DramParams, trace: RequestTrace, check = false): SystemRun {
  const sim = new Simulator();
  const stats = new StatsRegistry();
  const checker = check ? new ProtocolChecker(params) : null;
  const sys = new DramSystem(sim, stats, "mem", params, { checker });
  const player = new RequestPlayer(sim, "cpu", trace, params.tCKps, params.lineBytes);
  new DirectConnection(player.port, sys.port);
  player.start();
  sim.run();
  if (!player.done) throw new Error(`dram system: only ${player.completed} of ${trace.length} requests completed`);
  let finish = player.lastResponseTick;
  for (const c of sys.controllers) if (c.lastDataEndTick > finish) finish = c.lastDataEndTick;
  return {
    bandwidthGBs: (trace.length * params.lineBytes * 1000) / finish,
    peakGBs: channelPeakBytesPerNs(params) * params.channels,
    avgReadLatencyNs: stats.value("mem.avgReadLatencyNs"),
    rowHitRate: stats.value("mem.rowHitRate"),
    violations: checker !== null ? checker.report() : [],
  };
}
