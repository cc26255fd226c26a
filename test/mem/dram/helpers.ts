import { Message } from "../../../src/kernel/message.ts";
import { Port, type PortOwner } from "../../../src/kernel/port.ts";
import { Simulator } from "../../../src/kernel/simulator.ts";
import { DirectConnection } from "../../../src/mem/dram/direct-connection.ts";
import { DRAM_CMD_NAMES, type CommandObserver } from "../../../src/mem/dram/dram-command.ts";
import { DramController } from "../../../src/mem/dram/dram-controller.ts";
import type { DramParams } from "../../../src/mem/dram/dram-params.ts";
import { DramSpec, resolveDramParams, type DramSpecInput } from "../../../src/mem/dram/dram-spec.ts";
import { ProtocolChecker } from "../../../src/mem/dram/protocol-checker.ts";
import { MsgKind } from "../../../src/mem/msg-kind.ts";
import { StatsRegistry } from "../../../src/stats/registry.ts";

/** Resolved parameters of a preset with overrides. */
export function paramsOf(preset: string, overrides: Omit<DramSpecInput, "preset"> = {}): DramParams {
  return resolveDramParams(DramSpec.parse({ preset, ...overrides }));
}

/** One issued command as recorded by CommandLog. */
export interface LoggedCommand {
  cmd: string;
  rank: number;
  bankGroup: number;
  bank: number;
  row: number;
  tick: number;
}

/** Records every command (for order assertions). */
export class CommandLog implements CommandObserver {
  readonly commands: LoggedCommand[] = [];
  onCommand(_ch: number, cmd: number, rank: number, bankGroup: number, bank: number, row: number, tick: number): void {
    this.commands.push({ cmd: DRAM_CMD_NAMES[cmd]!, rank, bankGroup, bank, row, tick });
  }
  /** Command names in order. */
  names(): string[] {
    return this.commands.map((c) => c.cmd);
  }
}

/** A response as seen by the Requester. */
export interface Response {
  txnId: number;
  kind: number;
  tick: number;
}

/** A test requester: sends messages on demand (keeping refused ones in order) and records responses. */
export class Requester implements PortOwner {
  readonly name = "req";
  readonly port: Port;
  readonly responses: Response[] = [];
  private readonly waiting: Message[] = [];
  private nextTxn = 0;
  constructor(private readonly sim: Simulator) {
    this.port = new Port(this, "req.port");
  }
  /** Sends (or queues behind refused ones) a request; returns its txnId. */
  send(kind: number, addr: number, sizeBytes = 64): number {
    const m = new Message();
    m.kind = kind;
    m.addr = addr;
    m.sizeBytes = sizeBytes;
    m.txnId = this.nextTxn++;
    m.issuedAt = this.sim.now;
    this.waiting.push(m);
    this.pump();
    return m.txnId;
  }
  read(addr: number, sizeBytes = 64): number {
    return this.send(MsgKind.MemRead, addr, sizeBytes);
  }
  write(addr: number, sizeBytes = 64): number {
    return this.send(MsgKind.MemWrite, addr, sizeBytes);
  }
  /** Requests not yet accepted. */
  get backlog(): number {
    return this.waiting.length;
  }
  recv(_p: Port, m: Message): boolean {
    this.responses.push({ txnId: m.txnId, kind: m.kind, tick: this.sim.now });
    return true;
  }
  wake(): void {
    this.pump();
  }
  /** Tick at which request `txnId` was answered (throws if it was not). */
  doneAt(txnId: number): number {
    const r = this.responses.find((x) => x.txnId === txnId);
    if (r === undefined) throw new Error(`request ${txnId} was not answered`);
    return r.tick;
  }
  private pump(): void {
    while (this.waiting.length > 0) {
      if (!this.port.send(this.waiting[0]!)) return;
      this.waiting.shift();
    }
  }
}

/** Runs `fn` at `tick` of the simulation. */
export function at(sim: Simulator, tick: number, fn: () => void): void {
  sim.scheduleAt({ name: "test", handleEvent: () => fn() }, tick, 0, null);
}

/** A controller wired to a Requester, with a protocol checker and a command log attached. */
export function channel(params: DramParams, make?: (sim: Simulator, stats: StatsRegistry, p: DramParams, obs: CommandObserver[]) => DramController) {
  const sim = new Simulator();
  const stats = new StatsRegistry();
  const checker = new ProtocolChecker({ ...params, channels: 1 });
  const log = new CommandLog();
  const observers: CommandObserver[] = [checker, log];
  const p = { ...params, channels: 1 };
  const ctrl = make !== undefined ? make(sim, stats, p, observers) : new DramController(sim, stats, "mc", p, { observers });
  const req = new Requester(sim);
  new DirectConnection(req.port, ctrl.port);
  return { sim, stats, ctrl, req, checker, log };
}
