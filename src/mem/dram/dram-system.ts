import { MessageQueue, type Message } from "../../kernel/message.ts";
import { drainBacklog, Port, type PortOwner } from "../../kernel/port.ts";
import type { Simulator } from "../../kernel/simulator.ts";
import type { StatsRegistry } from "../../stats/registry.ts";
import { AddressMapping } from "./address-mapping.ts";
import type { CommandObserver } from "./dram-command.ts";
import { DramController } from "./dram-controller.ts";
import { channelPeakBytesPerNs, type DramParams } from "./dram-params.ts";
import { DirectConnection } from "./direct-connection.ts";
import type { ProtocolChecker } from "./protocol-checker.ts";
import { LineVersions } from "../line-versions.ts";
import { MsgKind } from "../msg-kind.ts";

/** Options of a DramSystem beyond its parameters. */
export interface DramSystemOptions {
  /** A checker fed every command of every channel (null or absent: no checking). */
  checker?: ProtocolChecker | null;
  /** Further observers of every command. */
  observers?: CommandObserver[];
  /**
   * Requests held per channel when that channel's queue is full (0: refuse at once). With it, a
   * full channel refuses only once its own backlog is full, so it does not stop requests for the
   * other channels behind it at a single-port requester (head-of-line blocking).
   */
  channelBacklog?: number;
}

/**
 * A memory behind one port: N channel controllers, each request routed by the channel field of
 * the address mapping, responses merged back onto the one port. Same protocol as a controller.
 * Back-pressure passes straight through: a request its channel refuses is refused here (and the
 * port is readied when that channel has room), unless the channel's backlog has room; a response
 * the port refuses stays in its channel.
 */
export class DramSystem implements PortOwner {
  /** Component path; channels are `<name>.ch<i>`. */
  readonly name: string;
  /** The memory port. */
  readonly port: Port;
  /** Organisation, timing and policies shared by all channels. */
  readonly params: DramParams;
  /** The address mapping used to pick a channel. */
  readonly mapping: AddressMapping;
  /** One controller per channel, in channel order. */
  readonly controllers: DramController[];
  /** The protocol checker, when checking. */
  readonly checker: ProtocolChecker | null;
  /** Version of each line held (value tracking of `--check`), or null. */
  versions: LineVersions | null = null;
  private readonly inner: Port[];
  private readonly responseRefused: Uint8Array;
  private anyResponseRefused: boolean;
  private readonly backlogLimit: number;
  private readonly backlogs: MessageQueue[];
  private outerRefused: boolean;

  constructor(sim: Simulator, stats: StatsRegistry, name: string, params: DramParams, options: DramSystemOptions = {}) {
    this.name = name;
    this.port = new Port(this, `${name}.port`);
    this.params = params;
    this.mapping = new AddressMapping(params.mapping, params);
    this.checker = options.checker ?? null;
    const observers: CommandObserver[] = [...(options.observers ?? [])];
    if (this.checker !== null) observers.push(this.checker);
    this.controllers = [];
    this.inner = [];
    for (let ch = 0; ch < params.channels; ch++) {
      const c = new DramController(sim, stats, `${name}.ch${ch}`, params, { channelIndex: ch, observers });
      const p = new Port(this, `${name}.to-ch${ch}`, ch);
      new DirectConnection(p, c.port);
      this.controllers.push(c);
      this.inner.push(p);
    }
    this.responseRefused = new Uint8Array(params.channels);
    this.anyResponseRefused = false;
    this.backlogLimit = options.channelBacklog ?? 0;
    this.backlogs = this.inner.map(() => new MessageQueue());
    this.outerRefused = false;
    const sum = (leaf: string): number => {
      let s = 0;
      for (const c of this.controllers) s += stats.value(`${c.name}.${leaf}`);
      return s;
    };
    stats.formula(`${name}.reads`, "count", "reads accepted by all channels", () => sum("reads"));
    stats.formula(`${name}.writes`, "count", "writes accepted by all channels", () => sum("writes"));
    stats.formula(`${name}.bandwidthGBs`, "GB/s", "bytes read and written by all channels over simulated time", () => sum("bandwidthGBs"));
    stats.formula(`${name}.rowHitRate`, "ratio", "row hits over all classified requests of all channels", () => {
      const h = sum("rowHits");
      return h / (h + sum("rowMisses") + sum("rowConflicts"));
    });
    stats.formula(`${name}.avgReadLatencyNs`, "ns", "mean read latency over all channels", () => {
      let n = 0;
      let s = 0;
      for (const c of this.controllers) {
        n += c.stats.readLatencyPs.count;
        s += c.stats.readLatencyPs.sum;
      }
      return s / n / 1000;
    });
    stats.formula(`${name}.peakGBs`, "GB/s", "theoretical peak data bandwidth of all channels", () => channelPeakBytesPerNs(params) * params.channels);
  }

  /** Starts keeping the version of each line written (value tracking of `--check`). */
  trackVersions(): void {
    this.versions ??= new LineVersions();
  }

  /** A request from outside (routed to its channel), or a response from a channel (passed out). */
  recv(port: Port, msg: Message): boolean {
    if (port === this.port) {
      const ch = this.mapping.channelOf(msg.addr);
      const q = this.backlogs[ch];
      const versions = this.versions;
      // A write's address and version, read before a channel turns it into its acknowledgement.
      const writeAddr = versions !== null && msg.kind === MsgKind.MemWrite ? msg.addr : -1;
      const version = msg.version;
      let accepted = q.length === 0 && this.inner[ch].send(msg);
      if (!accepted && q.length < this.backlogLimit) {
        q.push(msg);
        accepted = true;
      }
      if (accepted) {
        // A request takes effect (for value tracking) once accepted: a line's requests keep
        // their order through its channel's backlog and queues.
        if (versions !== null) {
          if (writeAddr >= 0) versions.write(writeAddr, version);
          else versions.read(msg);
        }
        return true;
      }
      this.outerRefused = true;
      return false;
    }
    if (this.port.send(msg)) return true;
    this.responseRefused[port.index] = 1;
    this.anyResponseRefused = true;
    return false;
  }

  /** The outside port can take responses again, or a channel has room for requests again. */
  wake(port: Port): void {
    if (port !== this.port) {
      if (this.backlogLimit > 0) drainBacklog(port, this.backlogs[port.index]);
      if (this.backlogLimit === 0 || this.outerRefused) {
        this.outerRefused = false;
        this.port.ready();
      }
      return;
    }
    if (!this.anyResponseRefused) return;
    this.anyResponseRefused = false;
    for (let ch = 0; ch < this.inner.length; ch++) {
      if (this.responseRefused[ch] !== 0) {
        this.responseRefused[ch] = 0;
        this.inner[ch].ready();
      }
    }
  }
}
