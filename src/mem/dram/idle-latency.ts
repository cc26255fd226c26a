import { Message } from "../../kernel/message.ts";
import { Port, type PortOwner } from "../../kernel/port.ts";
import { Simulator } from "../../kernel/simulator.ts";
import { StatsRegistry } from "../../stats/registry.ts";
import { MsgKind } from "../msg-kind.ts";
import { DirectConnection } from "./direct-connection.ts";
import { DramController } from "./dram-controller.ts";
import type { DramParams } from "./dram-params.ts";

/** Idle read latencies of one channel, measured by simulation, in ns. */
export interface IdleLatencies {
  /** Read to an open row (CL + burst). */
  rowHitNs: number;
  /** Read to a precharged bank (tRCD + CL + burst). */
  closedBankNs: number;
  /** Read to a bank with another row open (tRP + tRCD + CL + burst). */
  rowConflictNs: number;
}

/** Records when each response arrives. */
class Probe implements PortOwner {
  readonly name = "probe";
  readonly port = new Port(this, "probe.port");
  lastResponseTick = -1;
  constructor(private readonly sim: Simulator) {}
  recv(): boolean {
    this.lastResponseTick = this.sim.now;
    return true;
  }
  wake(): void {}
}

/**
 * Measures the three idle read latencies of a parameter set by simulating single reads on an
 * otherwise idle channel (open page policy, refresh off), one request at a time.
 */
export function measureIdleLatencies(params: DramParams): IdleLatencies {
  const p: DramParams = { ...params, channels: 1, refresh: "none", pagePolicy: "open" };
  const sim = new Simulator();
  const ctrl = new DramController(sim, new StatsRegistry(), "idle", p);
  const probe = new Probe(sim);
  new DirectConnection(probe.port, ctrl.port);
  const read = (addr: number): number => {
    const start = sim.now;
    const m = new Message();
    m.kind = MsgKind.MemRead;
    m.addr = addr;
    m.sizeBytes = p.lineBytes;
    if (!probe.port.send(m)) throw new Error("idle channel refused a read");
    sim.run();
    const latency = probe.lastResponseTick - start;
    // Let every timing window close before the next probe.
    sim.run(sim.now + 1000 * p.tCKps);
    return latency / 1000;
  };
  const bg = p.bankGroups - 1;
  const bank = p.banksPerGroup - 1;
  const closedBankNs = read(ctrl.mapping.encode(0, 0, bg, bank, 1, 0));
  const rowHitNs = read(ctrl.mapping.encode(0, 0, bg, bank, 1, 1));
  const rowConflictNs = read(ctrl.mapping.encode(0, 0, bg, bank, 2, 0));
  return { rowHitNs, closedBankNs, rowConflictNs };
}
