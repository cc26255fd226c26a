import type { MachineSpec } from "../config/machine-spec.ts";
import type { WorkloadSpec } from "../config/workload-spec.ts";
import type { DumpedStat } from "../stats/registry.ts";
import { Mmu } from "../vm/mmu.ts";
import { numaMaps, type NumaMapsEntry } from "../vm/numa-maps.ts";
import { buildMachine, type BuildOptions, type Machine } from "./build-machine.ts";
import { attachTiering } from "./attach-tiering.ts";
import { InvariantError } from "./invariant-error.ts";
import { bindWorkload, type BoundWorkload } from "./bind-workload.ts";
import { RngStream } from "../kernel/rng.ts";
import { bindDevices, type AgentRun, type BoundDevices } from "../accel/bind-devices.ts";

/** What one thread did. */
export interface ThreadResult {
  index: number;
  core: string;
  node: number;
  generator: string;
  /** Regions it touched, with the nodes holding their pages. */
  regions: string[];
  loads: number;
  stores: number;
  /** Device-register accesses (uncacheable MMIO reads and posted writes); absent in results written before they existed. */
  mmio?: number;
  /** Start to the completion of its last operation, in ns. */
  timeNs: number;
  /** Time per memory operation, in ns. */
  nsPerAccess: number;
  /** Mean time from a line miss to its fill, in ns (0 without misses). */
  meanMissLatencyNs: number;
  /** Share of its node's misses that went to another node's memory. */
  remoteShare: number;
}

/** What one device agent (a GPU kernel, with its copies) did. */
export interface AgentResult {
  index: number;
  device: string;
  kernel: string;
  memory: string;
  launches: number;
  /** First copy or launch to the end of the last copy back, in ns. */
  timeNs: number;
  /** Time in kernels, and in explicit copies, in ns. */
  kernelNs: number;
  copyNs: number;
  /** Bytes the kernel asked for over its time (GB/s). */
  programGBs: number;
  /** Bytes the last launch moved through the GPU's memory port over its time (GB/s). */
  memGBs: number;
}

/** Everything a run produces. */
export interface RunResult {
  machine: string;
  workload: string;
  seed: number;
  /** Simulated time until the last thread finished, in ns. */
  simulatedNs: number;
  events: number;
  wallSeconds: number;
  threads: ThreadResult[];
  /** The workload's device agents (GPU kernels), if any. */
  agents: AgentResult[];
  stats: Record<string, DumpedStat>;
  numaMaps: NumaMapsEntry[];
  /** Present when the run was stopped early (SIGINT / SIGTERM). */
  partial?: PartialRun;
}

/** The machine and bound workload of a run, for callers that inspect components afterwards. */
export interface RunContext {
  machine: Machine;
  bound: BoundWorkload;
  /** The devices bound to the process, and the workload's device agents. */
  devices: BoundDevices;
}

/** Where a run was stopped early, if it was. */
export interface PartialRun {
  signal: string;
  stoppedAtPs: number;
}

/**
 * Builds the machine, binds the workload, runs the simulation until every thread has finished
 * and the memory system is quiet, and gathers the results.
 */
export function runSimulation(machineSpec: MachineSpec, workloadSpec: WorkloadSpec, seed: number, workloadFile = "workload", ctxOut?: (ctx: RunContext) => void): RunResult {
  const ctx = prepareRun(machineSpec, workloadSpec, seed, workloadFile);
  const t0 = performance.now();
  ctx.machine.sim.run();
  const wallSeconds = (performance.now() - t0) / 1000;
  ctxOut?.(ctx);
  return collectResults(ctx, machineSpec, workloadSpec, seed, wallSeconds);
}

/** Builds the machine and binds the workload, ready to run (threads started, daemons attached). */
export function prepareRun(machineSpec: MachineSpec, workloadSpec: WorkloadSpec, seed: number, workloadFile = "workload", options: BuildOptions = {}): RunContext {
  const machine = buildMachine(machineSpec, options);
  const bound = bindWorkload(machine, workloadSpec, seed, workloadFile);
  if (bound.paging !== null) {
    const tlb = machineSpec.node.core.tlb;
    for (const t of bound.threads) {
      const core = machine.cores[t.core];
      const os = machineSpec.os;
      const sched = {
        timeslicePs: os.timeslice,
        switchPs: machine.coreClock.cyclesToTicks(os.contextSwitchCycles),
        syscallEveryPs: os.syscallEvery,
        syscallPs: machine.coreClock.cyclesToTicks(os.syscallCycles),
        kernelSeparate: os.kernelPageTables === "separate",
      };
      const mmu = new Mmu(machine.stats, `${core.name}.tlb`, tlb, bound.paging, sched);
      core.attachMmu(mmu, tlb.walkers, tlb.inFlight);
      if (t.code !== null) core.setCode(t.code.startVa, t.code.bytes, t.code.bytesPerAccess, t.code.jumpEvery, new RngStream(seed, `thread${t.index}.code`));
      bound.paging.addCpu({ mmu, pause: (ps) => core.pause(ps) });
    }
  }
  for (const t of bound.threads) machine.cores[t.core].runThread(t.program, bound.space, t.startPs);
  attachTiering(machine, bound);
  const devices = bindDevices(machine, bound, workloadSpec, workloadFile);
  return { machine, bound, devices };
}

/**
 * Gathers a run's results. With `partial` (the run was stopped early) unfinished threads are
 * reported as of the stop instead of being an error.
 */
export function collectResults(ctx: RunContext, machineSpec: MachineSpec, workloadSpec: WorkloadSpec, seed: number, wallSeconds: number, partial?: PartialRun): RunResult {
  const { machine, bound } = ctx;
  if (partial === undefined) {
    // A finished run leaves nothing outstanding: every request completed exactly once.
    for (const n of machine.nodes) {
      const left = n.nb.outstanding();
      if (left !== null) throw new InvariantError(n.nb.name, machine.sim.now, `the run ended with ${left}`);
    }
    for (const d of machine.devices) {
      for (const part of [d.rootComplex, d.router]) {
        const left = part.outstanding();
        if (left !== null) throw new InvariantError(part.name, machine.sim.now, `the run ended with ${left}`);
      }
    }
    for (const l of machine.links) l.audit?.finish(machine.sim.now);
  }
  const stats = machine.stats.dump();
  const perNode = machineSpec.node.cores;
  let simulatedPs = 0;
  const threads: ThreadResult[] = bound.threads.map((t) => {
    const core = machine.cores[t.core];
    if (core.finishedAt < 0 && partial === undefined) throw new Error(`${core.name}: thread ${t.index} did not finish (the simulation ran out of events at ${machine.sim.now} ps)`);
    const endPs = core.finishedAt < 0 ? machine.sim.now : core.finishedAt;
    simulatedPs = Math.max(simulatedPs, endPs);
    const loads = machine.stats.value(`${core.name}.loads`);
    const stores = machine.stats.value(`${core.name}.stores`);
    const mmio = machine.stats.value(`${core.name}.mmio.reads`) + machine.stats.value(`${core.name}.mmio.writes`);
    const timeNs = (endPs - t.startPs) / 1000;
    const miss = stats[`${core.name}.missLatencyPs`].value as { mean: number };
    const nb = `node${t.node}.nb.core${t.core % perNode}`;
    const req = machine.stats.value(`${nb}.requests`);
    return {
      index: t.index,
      core: `node${t.node}.core${t.core % perNode}`,
      node: t.node,
      generator: t.program.name,
      regions: t.regions.map((r) => r.name),
      loads,
      stores,
      mmio,
      timeNs,
      nsPerAccess: loads + stores > 0 ? timeNs / (loads + stores) : 0,
      meanMissLatencyNs: miss.mean / 1000,
      remoteShare: req > 0 ? machine.stats.value(`${nb}.remoteRequests`) / req : 0,
    };
  });
  const agents = ctx.devices.agents.map((a) => agentResult(a, machine.sim.now, partial !== undefined));
  for (const a of ctx.devices.agents) simulatedPs = Math.max(simulatedPs, a.endPs < 0 ? machine.sim.now : a.endPs);
  return {
    machine: machineSpec.name,
    workload: workloadSpec.name,
    seed,
    simulatedNs: simulatedPs / 1000,
    events: machine.sim.eventsDispatched,
    wallSeconds,
    threads,
    agents,
    stats,
    numaMaps: numaMaps(bound.space, machine.memoryNodeCount),
    ...(partial ? { partial } : {}),
  };
}

function agentResult(a: AgentRun, nowPs: number, partial: boolean): AgentResult {
  if (a.endPs < 0 && !partial) throw new Error(`${a.device}: agent ${a.index} (${a.kernel}) did not finish (the simulation ran out of events at ${nowPs} ps)`);
  const end = a.endPs < 0 ? nowPs : a.endPs;
  return {
    index: a.index,
    device: a.device,
    kernel: a.kernel,
    memory: a.memory,
    launches: a.launches,
    timeNs: (end - Math.max(0, a.startPs)) / 1000,
    kernelNs: a.kernelPs / 1000,
    copyNs: a.copyPs / 1000,
    programGBs: a.kernelPs > 0 ? (a.programBytes * 1000) / a.kernelPs : 0,
    memGBs: a.last?.memGBs ?? 0,
  };
}
