import type { EventHandler } from "../kernel/event-queue.ts";
import { IntTable } from "../kernel/int-table.ts";
import { MessageQueue, type Message, type MessagePool } from "../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Average } from "../stats/average.ts";
import type { Counter } from "../stats/counter.ts";
import type { Histogram } from "../stats/histogram.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import type { TraceWriter } from "../stats/trace-writer.ts";
import { newPresenceFilter, surelyAbsent, type Cache } from "./cache.ts";
import type { SharedCache } from "./shared-cache.ts";
import { InvariantError } from "../machine/invariant-error.ts";
import { LineState } from "./moesi.ts";
import { MsgKind, NO_SNOOP, WRITE_BACK_CANCELLED } from "./msg-kind.ts";
import type { HomeMap } from "./home-map.ts";
import type { ValueAudit } from "../machine/value-audit.ts";
import { fromDirtyCopyAt, fromMemoryAt, fromSharedCacheAt } from "./data-source.ts";
import { CANCELLED, NOT_HELD, type VictimBuffer } from "./victim-buffer.ts";
import { WriteBacksInFlight } from "./write-backs-in-flight.ts";

/** How a home node keeps its lines coherent. */
export type CoherenceMode = "broadcast" | "directory";

/** Bytes each kind of packet occupies on a link (HyperTransport-style sizes). */
export interface PacketSizes {
  /** Read / read-exclusive request. */
  requestBytes: number;
  /** Probe. */
  probeBytes: number;
  /** Probe response without data. */
  probeRespBytes: number;
  /** Header of a packet carrying a line (data response, dirty probe response, write-back). */
  dataHeaderBytes: number;
  /** Source-done notice. */
  doneBytes: number;
}

/** Parameters of a node's northbridge. */
export interface NorthbridgeParams {
  /** This node's index. */
  nodeId: number;
  /** Nodes in the machine. */
  nodes: number;
  /** Line size in bytes. */
  lineBytes: number;
  /** Broadcast probes (Opteron) or a directory / probe filter at the home. */
  coherence: CoherenceMode;
  /** Time to look up a probed line in the node's caches, in ps. */
  probeLatencyPs: number;
  /** Time for the home to consult its directory before acting, in ps (directory mode). */
  directoryLatencyPs: number;
  /** Outstanding requests the node's request queue holds for its cores. */
  requestQueueEntries: number;
  /** Latency of a hit in the node's shared cache, in ps (when it has one). */
  sharedCacheLatencyPs: number;
  /** Packet sizes on the links. */
  packets: PacketSizes;
}

/** 1 for the kinds that travel as responses (a firmware may route them apart from requests). */
const IS_RESPONSE = new Uint8Array(64);
for (const k of [MsgKind.ProbeResp, MsgKind.ProbeRespData, MsgKind.Data, MsgKind.SrcDone, MsgKind.WriteBackAck, MsgKind.MmioReadResp]) IS_RESPONSE[k] = 1;

const EV_SHARED_HIT = 2;
/** Event kinds from this value up complete request-queue entry (kind - EV_COMPLETE). */
const EV_COMPLETE = 1 << 20;
const INVALIDATE = 1 << 16;
const SHARED_BY_DIRECTORY = 1 << 16;
const COUNT_MASK = 0xffff;
const MAYBE_DIRTY = 1 << 30;
const NODE_BITS = (1 << 30) - 1;
/** Set by the requester's northbridge on a request from an I/O agent (it caches nothing). */
const IO_REQUEST = 1 << 25;
/**
 * Set in a write-back's aux (directory mode) when its node still holds the line in another cache
 * or had a request or fill for it under way as it left: the directory must keep counting the node.
 */
const KEEP_SHARER = 1 << 27;

/** `busyLines` value of a line no request waits for. */
const NO_WAITERS = -1;
/** `busyLines.get` default: the line is not busy. */
const FREE = -2;
/** Core-tag bits of an MMIO message's txnId (the core's local index sits above them). */
const MMIO_TAG_BITS = 16;

/** A physical range of device registers and the socket whose I/O port reaches the device. */
export interface MmioRange {
  lo: number;
  hi: number;
  node: number;
}

/**
 * A node's northbridge: the crossbar that routes packets between its cores, its links and its
 * memory controller; the home agent for the lines its memory holds (one transaction per line at a
 * time; probes broadcast to every node, or sent only where a directory says the line may be); the
 * probe engine for its caches; and the request queue that collects, for each miss of its cores,
 * the data and every probe response before filling the core's caches.
 */
export class Northbridge implements PortOwner, EventHandler {
  /** Component path, e.g. `node0.nb`. */
  readonly name: string;
  /** Port to the memory controller. */
  readonly memPort: Port;
  /** Timeline writer, when the run records one (set by the machine builder). */
  trace: TraceWriter | null = null;
  /** Value audit of `--check` (set by `trackValues`): whole-line I/O writes take versions from it. */
  values: ValueAudit | null = null;
  /** Ports to this node's cores, by local core index. */
  readonly corePorts: Port[] = [];
  /** Ports to the interconnect links, by link index at this node. */
  readonly linkPorts: Port[] = [];
  private readonly sim: Simulator;
  private readonly pool: MessagePool;
  private readonly p: NorthbridgeParams;
  /** True with a directory, false with broadcast probes (a flag: the mode's string came from a file, and comparing it costs a call). */
  private readonly directoryMode: boolean;
  private readonly homeMap: HomeMap;
  /** The node's shared last-level cache, if it has one. */
  private shared: SharedCache | null = null;
  /** With a shared cache: fills on their way to this node's cores, by line number (count). */
  private readonly fillsInFlight = new IntTable();
  /** Requests and probes for a line waiting until its fills in flight have landed. */
  private readonly deferred = new Map<number, MessageQueue>();
  /** Replayed core requests the full request queue refused: retried as entries free. */
  private readonly retryQueue = new MessageQueue();
  /** Outer caches probed at this node (each core's L2, the shared level). */
  private readonly caches: Cache[] = [];
  /** For each outer cache, the inner cache it includes (a core's L1d), or null. */
  private readonly innerCaches: (Cache | null)[] = [];
  /** Counts of the outer caches' valid lines by line hash: a probe of a line none holds looks no further. */
  private readonly presence = newPresenceFilter();
  /** For each destination node, the link port index a request or probe takes there (-1 for this node). */
  private routeOut: Int32Array;
  /** Likewise for responses (the same table unless the firmware routes them differently). */
  private responseOut: Int32Array;
  /**
   * Broadcast trees (firmware tables), or null for a probe from the home to each node: for each
   * originating node, the nodes this one passes its probes on to (for itself, where they go first).
   */
  private treeChildren: number[][] | null = null;
  private readonly coreQueues: MessageQueue[] = [];
  private readonly linkQueues: MessageQueue[] = [];
  /** Event target that hands a request to the home logic after the directory lookup. */
  private readonly homeDelay: EventHandler;
  private readonly memQueue = new MessageQueue();
  /** Memory controllers of memory-only nodes (and devices) this socket serves: port, queue, address range. */
  private readonly extraMem: { port: Port; queue: MessageQueue; lo: number; hi: number }[] = [];
  /** Which core ports face an I/O agent (a root complex) rather than a core. */
  private readonly ioPorts: boolean[] = [];
  /** Device register ranges of the whole machine, and the socket each is reached through. */
  private mmio: MmioRange[] = [];

  // Requester side: one entry per outstanding core miss (struct of arrays).
  private readonly txnCore: Int32Array;
  private readonly txnCoreTag: Int32Array;
  private readonly txnLine: Float64Array;
  private readonly txnKind: Int32Array;
  private readonly txnExpected: Int32Array;
  private readonly txnReceived: Int32Array;
  private readonly txnShared: Uint8Array;
  private readonly txnHasData: Uint8Array;
  private readonly txnStart: Float64Array;
  /** Latest arrival tick among the responses counted so far (replies may be due after now). */
  private readonly txnReadyAt: Float64Array;
  /** Version of the data the entry will fill with (value tracking), and where it came from (mem/data-source.ts). */
  private readonly txnVersion: Float64Array;
  private readonly txnSource: Int32Array;
  /** 1 once a probe response brought dirty data (it takes precedence over memory's). */
  private readonly txnDirtyData: Uint8Array;
  private readonly txnFree: Int32Array;
  private readonly txnBusy: Uint8Array;
  private txnFreeTop: number;


  /** This node's dirty lines on their way out (and, with a directory, requests waiting for them). */
  private readonly writeBacks: WriteBacksInFlight;
  /** Directory mode: lines this node's cores have requests under way for (until the fill is installed), by line address (count). */
  private readonly linesRequested = new IntTable();

  // Home side.
  /**
   * Lines with a transaction under way here, by line number: the index in `lineWaiters` of the
   * requests waiting for them, or NO_WAITERS.
   */
  private readonly busyLines = new IntTable();
  /** Queues of requests waiting for a busy line; those at the indices in `freeWaiters` are unused. */
  private readonly lineWaiters: MessageQueue[] = [];
  private readonly freeWaiters: number[] = [];
  private readonly homeSlots: (Message | null)[] = [];
  private readonly homeFree: number[] = [];
  /** Directory mode: the nodes that may hold each line (NODE_BITS) and MAYBE_DIRTY, by line address. */
  private readonly directory = new IntTable();

  // Statistics.
  private readonly stats: StatsRegistry;
  private readonly stCoreRequests: Counter[] = [];
  private readonly stCoreRemote: Counter[] = [];
  private readonly stRequests: Counter;
  private readonly stRemote: Counter;
  private readonly stProbesSent: Counter;
  private readonly stProbesHit: Counter;
  private readonly stProbesDirty: Counter;
  private readonly stForwarded: Counter;
  private readonly stLineWaits: Counter;
  private readonly stQueueFull: Counter;
  private readonly stNoSnoop: Counter;
  private readonly stVictimHits: Counter;
  private readonly stWriteBacksCancelled: Counter;
  private readonly stMissLatency: Histogram;
  private readonly stRemoteMissLatency: Average;
  private readonly stLocalMissLatency: Average;

  constructor(sim: Simulator, stats: StatsRegistry, pool: MessagePool, name: string, p: NorthbridgeParams, homeMap: HomeMap) {
    this.name = name;
    this.sim = sim;
    this.stats = stats;
    this.pool = pool;
    this.p = p;
    this.directoryMode = p.coherence === "directory";
    this.homeMap = homeMap;
    this.memPort = new Port(this, `${name}.mem`, -1);
    this.homeDelay = { name: `${name}.directory`, handleEvent: (_k: number, payload: unknown) => this.atHome(payload as Message) };
    this.routeOut = new Int32Array(p.nodes).fill(-1);
    this.responseOut = this.routeOut;
    this.writeBacks = new WriteBacksInFlight(p.lineBytes);
    const n = p.requestQueueEntries;
    this.txnCore = new Int32Array(n);
    this.txnCoreTag = new Int32Array(n);
    this.txnLine = new Float64Array(n);
    this.txnKind = new Int32Array(n);
    this.txnExpected = new Int32Array(n);
    this.txnReceived = new Int32Array(n);
    this.txnShared = new Uint8Array(n);
    this.txnHasData = new Uint8Array(n);
    this.txnStart = new Float64Array(n);
    this.txnReadyAt = new Float64Array(n);
    this.txnVersion = new Float64Array(n);
    this.txnSource = new Int32Array(n);
    this.txnDirtyData = new Uint8Array(n);
    this.txnFree = new Int32Array(n);
    this.txnBusy = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.txnFree[i] = n - 1 - i;
    this.txnFreeTop = n;

    this.stRequests = stats.counter(`${name}.requests`, "count", "misses of this node's cores sent to a home");
    this.stRemote = stats.counter(`${name}.remoteRequests`, "count", "misses whose home is another node");
    this.stProbesSent = stats.counter(`${name}.home.probesSent`, "count", "probes this home sent");
    this.stProbesHit = stats.counter(`${name}.probe.hits`, "count", "probes that found the line in this node's caches");
    this.stProbesDirty = stats.counter(`${name}.probe.dirty`, "count", "probes answered with dirty data");
    this.stForwarded = stats.counter(`${name}.xbar.forwarded`, "count", "packets routed through this node to another");
    this.stVictimHits = stats.counter(`${name}.probe.victimHits`, "count", "probes answered with the data of a write-back on its way out");
    this.stWriteBacksCancelled = stats.counter(`${name}.writeBacksCancelled`, "count", "write-backs not written: an invalidating probe gave their data to a new owner first");
    this.stNoSnoop = stats.counter(`${name}.home.noSnoop`, "count", "I/O requests served from memory without probing (non-coherent DMA)");
    this.stQueueFull = stats.counter(`${name}.requestQueue.waits`, "count", "core requests that waited for a free request-queue entry");
    this.stLineWaits = stats.counter(`${name}.home.lineWaits`, "count", "requests that waited for an earlier one to the same line");
    this.stMissLatency = stats.histogram(`${name}.missLatencyPs`, "ps", "request queue entry to fill, per miss of this node's cores");
    this.stLocalMissLatency = stats.average(`${name}.localMissLatencyPs`, "ps", "miss latency when the home is this node");
    this.stRemoteMissLatency = stats.average(`${name}.remoteMissLatencyPs`, "ps", "miss latency when the home is another node");
  }

  private defer(line: number, msg: Message): void {
    let q = this.deferred.get(line);
    if (q === undefined) {
      q = new MessageQueue();
      this.deferred.set(line, q);
    }
    q.push(msg);
  }

  /** A core has installed a fill of `line`: when none is left in flight, replay what waited. */
  private fillLanded(line: number): void {
    if (this.fillsInFlight.takeOne(line) > 1) return;
    const q = this.deferred.get(line);
    if (q === undefined) return;
    this.deferred.delete(line);
    for (let m = q.shift(); m !== null; m = q.shift()) {
      // A replayed request may start a new fill; what follows it then waits again, in order.
      if (this.fillsInFlight.has(line)) this.defer(line, m);
      else if (m.kind === MsgKind.Probe) this.local(m);
      else if (!this.fromCore(m.src, m)) this.retryQueue.push(m);
    }
  }

  /** Turns value tracking on: versions travel with the data through this node. */
  trackValues(values: ValueAudit): void {
    this.values = values;
    this.writeBacks.sent.trackVersions();
  }

  /** What is still outstanding here (a quiet machine has nothing), or null. */
  outstanding(): string | null {
    const inQueue = this.p.requestQueueEntries - this.txnFreeTop;
    if (inQueue > 0) return `${inQueue} request-queue entries still waiting for responses`;
    if (this.busyLines.size > 0) return `${this.busyLines.size} lines still busy at their home`;
    if (this.deferred.size > 0) return `${this.deferred.size} lines with requests still waiting for a fill`;
    if (this.retryQueue.length > 0) return `${this.retryQueue.length} requests still waiting for the request queue`;
    return this.writeBacks.outstanding();
  }

  /**
   * Adds a port facing a local core and returns it (index = local core index); `writeBacks` is the
   * core's buffer of write-backs on their way here, which probes look into.
   */
  addCorePort(writeBacks: VictimBuffer | null = null): Port {
    const port = new Port(this, `${this.name}.core${this.corePorts.length}`, this.corePorts.length);
    const k = this.corePorts.length;
    this.corePorts.push(port);
    this.writeBacks.addPort(writeBacks);
    this.coreQueues.push(new MessageQueue());
    this.stCoreRequests.push(this.stats.counter(`${this.name}.core${k}.requests`, "count", `misses of core ${k} sent to a home`));
    this.stCoreRemote.push(this.stats.counter(`${this.name}.core${k}.remoteRequests`, "count", `misses of core ${k} whose home is another node`));
    return port;
  }

  /**
   * Adds a port facing an I/O agent (a root complex): it speaks the core protocol but caches
   * nothing, so its requests bypass the shared cache, and NO_SNOOP requests probe no cache.
   */
  addIoPort(): Port {
    const port = this.addCorePort();
    this.ioPorts[port.index] = true;
    return port;
  }

  /** Routes another physical range [lo, hi) to an existing memory-side port (e.g. a device's registers). */
  addMemoryRange(port: Port, lo: number, hi: number): void {
    const x = this.extraMem.find((e) => e.port === port);
    if (x === undefined) throw new Error(`${this.name}: ${port.name} is not a memory port of this northbridge`);
    this.extraMem.push({ port, queue: x.queue, lo, hi });
  }

  /** Sets the machine's device register ranges (MMIO reads and writes are routed by them). */
  setMmioRanges(ranges: MmioRange[]): void {
    this.mmio = ranges;
  }

  /** Adds a port facing an interconnect link and returns it. */
  addLinkPort(label: string): Port {
    const port = new Port(this, `${this.name}.${label}`, 1000 + this.linkPorts.length);
    this.linkPorts.push(port);
    this.linkQueues.push(new MessageQueue());
    return port;
  }

  /** Sets the next-hop link port index for every destination node (-1 = this node), for requests and for responses. */
  setRoutes(routeOut: Int32Array, responseOut: Int32Array = routeOut): void {
    this.routeOut = routeOut;
    this.responseOut = responseOut;
  }

  /** Sends this home's broadcast probes along trees (`broadcastChildren`'s entry for this node). */
  setBroadcastTrees(children: number[][]): void {
    this.treeChildren = children;
  }

  /**
   * Adds a port to the memory controller of a memory-only node (HBM, NVM) whose physical range
   * [lo, hi) this socket serves, and returns it.
   */
  addMemoryPort(lo: number, hi: number): Port {
    const port = new Port(this, `${this.name}.mem${this.extraMem.length + 1}`, -2 - this.extraMem.length);
    this.extraMem.push({ port, queue: new MessageQueue(), lo, hi });
    return port;
  }

  /** Gives the node a shared last-level cache (its lines are probed like the cores'). */
  setSharedCache(c: SharedCache): void {
    this.shared = c;
    this.addSnoopedCache(c.cache, null);
  }

  /**
   * Registers a cache whose lines this node's probes must check, with the inner cache it is
   * inclusive of (probes look inside only when the outer one holds the line).
   */
  addSnoopedCache(outer: Cache, inner: Cache | null = null): void {
    outer.trackPresence(this.presence);
    this.caches.push(outer);
    this.innerCaches.push(inner);
  }

  /** Receives a packet from a core, a link or the memory controller. */
  recv(port: Port, msg: Message): boolean {
    if (port.index >= 0 && port.index < 1000) return this.fromCore(port.index, msg);
    if (port.index < 0) {
      this.fromMemory(msg);
      return true;
    }
    this.deliver(msg);
    return true;
  }

  /** A refused output has room again: drain its queue. */
  wake(port: Port): void {
    if (port === this.memPort) {
      drainBacklog(this.memPort, this.memQueue);
      return;
    }
    if (port.index < 0) {
      const x = this.extraMem.find((e) => e.port === port);
      if (x !== undefined) drainBacklog(x.port, x.queue);
      return;
    }
    drainBacklog(port, port.index >= 1000 ? this.linkQueues[port.index - 1000] : this.coreQueues[port.index]);
  }

  /** Probe lookups that have finished. */
  handleEvent(kind: number, payload: unknown): void {
    if (kind >= EV_COMPLETE) this.complete(kind - EV_COMPLETE);
    else if (kind === EV_SHARED_HIT) {
      const msg = payload as Message;
      const core = msg.src;
      msg.src = fromSharedCacheAt(this.p.nodeId);
      this.sendOn(this.coreQueues[core], this.corePorts[core], msg);
    }
  }

  // ---- requester side -------------------------------------------------------------------------

  private fromCore(coreIdx: number, msg: Message, replay = false): boolean {
    const io = this.ioPorts[coreIdx] === true;
    const shared = io ? null : this.shared;
    if (msg.kind === MsgKind.MmioRead || msg.kind === MsgKind.MmioWrite) {
      this.toDevice(coreIdx, msg);
      return true;
    }
    if (msg.kind === MsgKind.SrcDone) {
      // From a core that installed a fill: release the line at its home (a shared-cache hit has none).
      if (shared !== null) this.fillLanded(Math.floor(msg.addr / this.p.lineBytes));
      if (msg.aux !== 1 && !io && this.directoryMode) {
        // The request is over only now that its fill is in the core's caches.
        this.linesRequested.takeOne(msg.addr);
      }
      if (msg.aux === 1) {
        this.pool.put(msg);
        return true;
      }
      msg.src = this.p.nodeId;
      msg.dst = this.homeMap.homeOf(msg.addr);
      msg.sizeBytes = this.p.packets.doneBytes;
      msg.headAt = 0;
      this.route(msg);
      return true;
    }
    if (msg.kind === MsgKind.WriteBack) {
      const addr = msg.addr;
      // Dropped if its data went on meanwhile (to a new owner, or home with the shared cache's victim).
      if (this.writeBacks.arrived(coreIdx, addr) === CANCELLED) this.pool.put(msg);
      else if (shared !== null && shared.absorbWriteBack(Math.floor(addr / this.p.lineBytes), msg.aux, msg.version)) this.pool.put(msg);
      else this.writeBackHome(msg);
      return true;
    }
    if (!io && this.directoryMode) {
      // A request for a line this node is still writing back waits for the home's acknowledgement.
      msg.src = coreIdx;
      if (this.writeBacks.holdRequest(msg)) return true;
    }
    if (shared !== null && msg.kind !== MsgKind.FlushReq) {
      const lineNo = Math.floor(msg.addr / this.p.lineBytes);
      if (this.fillsInFlight.has(lineNo)) {
        // Another core's fill of this line is on its way: wait for it to land.
        msg.src = coreIdx;
        this.defer(lineNo, msg);
        return true;
      }
      const state = shared.tryHit(Math.floor(msg.addr / this.p.lineBytes), msg.kind !== MsgKind.ReadReq, coreIdx);
      if (state >= 0) {
        // Served by the shared cache: the same message returns as the fill.
        msg.kind = MsgKind.Data;
        msg.aux = state;
        msg.version = shared.hitVersion;
        msg.src = coreIdx;
        // Marks the fill as the shared cache's: the core's SrcDone for it goes no further.
        msg.dst = -1;
        msg.sizeBytes = this.p.lineBytes;
        this.fillsInFlight.addTo(lineNo, 1);
        this.sim.schedule(this, this.p.sharedCacheLatencyPs, EV_SHARED_HIT, msg);
        return true;
      }
    }
    if (this.txnFreeTop === 0 || (!replay && this.retryQueue.length > 0)) {
      // The request queue is full: the request waits here, in order. The core's port never
      // stalls, so its SrcDones and write-backs, which free entries and lines, never queue behind
      // a refused request (a deadlock when that request's line waits for one of them).
      msg.src = coreIdx;
      this.retryQueue.push(msg);
      this.stQueueFull.value++;
      return true;
    }
    const t = this.txnFree[--this.txnFreeTop];
    this.txnBusy[t] = 1;
    this.txnCore[t] = coreIdx;
    this.txnCoreTag[t] = msg.txnId;
    this.txnLine[t] = msg.addr;
    this.txnKind[t] = msg.kind;
    this.txnExpected[t] = -1;
    this.txnReceived[t] = 0;
    this.txnShared[t] = 0;
    this.txnHasData[t] = 0;
    this.txnStart[t] = this.sim.now;
    this.txnReadyAt[t] = 0;
    this.txnVersion[t] = 0;
    this.txnSource[t] = -1;
    this.txnDirtyData[t] = 0;
    if (!io && this.directoryMode) this.linesRequested.addTo(msg.addr, 1);
    const home = this.homeMap.homeOf(msg.addr);
    this.stRequests.value++;
    this.stCoreRequests[coreIdx].value++;
    if (home !== this.p.nodeId) {
      this.stRemote.value++;
      this.stCoreRemote[coreIdx].value++;
    }
    msg.src = this.p.nodeId;
    msg.dst = home;
    msg.txnId = t;
    // A core's request carries no flags; an I/O agent's says so, and whether it snoops.
    msg.aux = io ? (msg.aux & NO_SNOOP) | IO_REQUEST : 0;
    msg.sizeBytes = msg.kind === MsgKind.WriteLineReq ? this.p.packets.dataHeaderBytes + this.p.lineBytes : this.p.packets.requestBytes;
    msg.issuedAt = this.sim.now;
    msg.hops = 0;
    msg.headAt = 0;
    this.route(msg);
    return true;
  }

  private onResponse(msg: Message): void {
    const t = msg.txnId;
    if (this.txnBusy[t] !== 1) throw new InvariantError(this.name, this.sim.now, `response ${msg.kind} for request-queue entry ${t}, which has no request outstanding`);
    // A local probe's answer is due after the lookup: count it now, complete no earlier.
    if (msg.sendAt > this.txnReadyAt[t]) this.txnReadyAt[t] = msg.sendAt;
    if (msg.kind === MsgKind.ProbeRespData && this.txnKind[t] === MsgKind.FlushReq) {
      // A clflush found the line dirty in another cache: that copy goes back to memory.
      this.txnReceived[t]++;
      msg.headAt = 0;
      msg.sendAt = 0;
      this.writeBackHome(msg);
      if (this.txnHasData[t] === 1 && this.txnReceived[t] === this.txnExpected[t]) {
        if (this.txnReadyAt[t] > this.sim.now) this.sim.scheduleAt(this, this.txnReadyAt[t], EV_COMPLETE + t, null);
        else this.complete(t);
      }
      return;
    }
    if (msg.kind === MsgKind.Data) {
      this.txnHasData[t] = 1;
      this.txnExpected[t] = msg.aux & COUNT_MASK;
      if ((msg.aux & SHARED_BY_DIRECTORY) !== 0) this.txnShared[t] = 1;
      // Memory's data, unless a dirty copy came (a whole-line write's own version always wins).
      if (this.txnDirtyData[t] === 0 || this.txnKind[t] === MsgKind.WriteLineReq) {
        this.txnVersion[t] = msg.version;
        this.txnSource[t] = fromMemoryAt(msg.src);
      }
    } else {
      this.txnReceived[t]++;
      if (msg.aux !== 0) this.txnShared[t] = 1;
      if (msg.kind === MsgKind.ProbeRespData && this.txnKind[t] !== MsgKind.WriteLineReq) {
        // A dirty copy is newer than memory; of two (never expected), the newer.
        if (this.txnDirtyData[t] === 0 || msg.version > this.txnVersion[t]) this.txnVersion[t] = msg.version;
        this.txnDirtyData[t] = 1;
        this.txnSource[t] = fromDirtyCopyAt(msg.src);
      }
    }
    this.pool.put(msg);
    if (this.txnHasData[t] === 1 && this.txnReceived[t] === this.txnExpected[t]) {
      if (this.txnReadyAt[t] > this.sim.now) this.sim.scheduleAt(this, this.txnReadyAt[t], EV_COMPLETE + t, null);
      else this.complete(t);
    }
  }

  private complete(t: number): void {
    const line = this.txnLine[t];
    const home = this.homeMap.homeOf(line);
    const latency = this.sim.now - this.txnStart[t];
    this.stMissLatency.sample(latency);
    if (this.trace !== null) this.trace.span(this.name, home === this.p.nodeId ? "local request" : "remote request", this.txnStart[t], this.sim.now, { line: this.txnLine[t], home });
    if (home === this.p.nodeId) this.stLocalMissLatency.sample(latency);
    else this.stRemoteMissLatency.sample(latency);
    // Fill the core.
    const fill = this.pool.get();
    fill.kind = MsgKind.Data;
    fill.addr = line;
    fill.txnId = this.txnCoreTag[t];
    const io = this.ioPorts[this.txnCore[t]] === true;
    fill.aux = io || this.txnKind[t] === MsgKind.FlushReq ? LineState.I : this.txnKind[t] === MsgKind.ReadReq ? (this.txnShared[t] === 1 ? LineState.S : LineState.E) : LineState.M;
    fill.sizeBytes = this.p.lineBytes;
    // The fill's source names where its data came from (value tracking reports it).
    fill.src = this.txnSource[t];
    fill.dst = this.p.nodeId;
    fill.issuedAt = this.txnStart[t];
    fill.version = this.txnVersion[t];
    const shared = io ? null : this.shared;
    if (shared !== null) {
      const lineNo = Math.floor(line / this.p.lineBytes);
      this.fillsInFlight.addTo(lineNo, 1);
    }
    if (shared !== null && this.txnKind[t] !== MsgKind.FlushReq && shared.fill(Math.floor(line / this.p.lineBytes), fill.aux, fill.version) && shared.victimDirty()) {
      const wb = this.pool.get();
      wb.addr = shared.victimLine * this.p.lineBytes;
      wb.version = shared.victimVersion;
      this.writeBackHome(wb);
    }
    // The core releases the line at its home (SrcDone) once it has installed it: a later request
    // for the line must not probe this node while the fill is still on its way to the core.
    this.sendOn(this.coreQueues[this.txnCore[t]], this.corePorts[this.txnCore[t]], fill);
    this.txnFree[this.txnFreeTop++] = t;
    this.txnBusy[t] = 0;
    // Waiting requests take the free entries, oldest first.
    while (this.retryQueue.length > 0 && this.txnFreeTop > 0) {
      const m = this.retryQueue.shift() as Message;
      this.fromCore(m.src, m, true);
    }
  }

  // ---- home side ------------------------------------------------------------------------------

  private atHome(msg: Message): void {
    const line = msg.addr / this.p.lineBytes;
    let w = this.busyLines.get(line, FREE);
    if (w !== FREE) {
      if (w === NO_WAITERS) {
        w = this.freeWaiters.length > 0 ? (this.freeWaiters.pop() as number) : this.lineWaiters.push(new MessageQueue()) - 1;
        this.busyLines.set(line, w);
      }
      this.lineWaiters[w].push(msg);
      this.stLineWaits.value++;
      return;
    }
    this.busyLines.set(line, NO_WAITERS);
    this.startHome(msg);
  }

  private startHome(msg: Message): void {
    const slot = this.homeFree.length > 0 ? (this.homeFree.pop() as number) : this.homeSlots.push(null) - 1;
    this.homeSlots[slot] = msg;
    if (msg.kind === MsgKind.WriteBackReq) {
      // A write-back's turn: the node sends its data (or a cancel) and the line stays held until then.
      const ack = this.pool.get();
      ack.kind = MsgKind.WriteBackAck;
      ack.addr = msg.addr;
      ack.src = this.p.nodeId;
      ack.dst = msg.src;
      ack.txnId = slot;
      ack.sizeBytes = this.p.packets.doneBytes;
      ack.issuedAt = this.sim.now;
      this.route(ack);
      return;
    }
    const exclusive = msg.kind !== MsgKind.ReadReq;
    const requester = msg.src;
    const io = (msg.aux & IO_REQUEST) !== 0;
    let probes = 0;
    let sharedByDir = 0;
    if ((msg.aux & NO_SNOOP) !== 0) {
      // Non-coherent DMA: memory only; the driver has flushed or will invalidate the caches.
      this.stNoSnoop.value++;
    } else if (io) {
      // An I/O agent caches nothing: a read finds dirty data in the caches (they keep it), a
      // whole-line write invalidates every copy. The directory learns of no new sharer.
      if (!this.directoryMode) probes = this.broadcastProbes(msg, exclusive);
      else {
        const entry = this.directory.get(msg.addr, 0);
        const sharers = entry & NODE_BITS;
        if (exclusive || (entry & MAYBE_DIRTY) !== 0) {
          for (let n = 0; n < this.p.nodes; n++) {
            if ((sharers & (1 << n)) !== 0) {
              this.sendProbe(msg, n, exclusive);
              probes++;
            }
          }
        }
        if (exclusive) this.directory.delete(msg.addr);
      }
    } else if (!this.directoryMode) {
      probes = this.broadcastProbes(msg, exclusive);
    } else {
      const entry = this.directory.get(msg.addr, 0);
      const sharers = entry & NODE_BITS;
      const maybeDirty = (entry & MAYBE_DIRTY) !== 0;
      if (exclusive) {
        for (let n = 0; n < this.p.nodes; n++) {
          if ((sharers & (1 << n)) !== 0) {
            this.sendProbe(msg, n, true);
            probes++;
          }
        }
        this.directory.set(msg.addr, (1 << requester) | MAYBE_DIRTY);
      } else {
        if (maybeDirty) {
          for (let n = 0; n < this.p.nodes; n++) {
            if ((sharers & (1 << n)) !== 0) {
              this.sendProbe(msg, n, false);
              probes++;
            }
          }
        }
        if (sharers !== 0) sharedByDir = SHARED_BY_DIRECTORY;
        // A sole reader is granted E and may write without asking: treat its copy as maybe dirty.
        this.directory.set(msg.addr, sharers | (1 << requester) | (sharers === 0 || maybeDirty ? MAYBE_DIRTY : 0));
      }
    }
    if (msg.kind === MsgKind.FlushReq) {
      // clflush: nothing to read or write here (the flushing core wrote its dirty copy back);
      // the home's answer goes at once, and the requester waits for the invalidations too.
      if (this.directoryMode) this.directory.delete(msg.addr);
      const ack = this.pool.get();
      ack.kind = MsgKind.MemReadResp;
      ack.addr = msg.addr;
      ack.txnId = slot;
      ack.aux = probes;
      this.fromMemory(ack);
      return;
    }
    // The memory read starts in parallel with the probes (a directory lookup delays both); a
    // whole-line write goes to memory at once and its acknowledgement completes the home's part.
    const rd = this.pool.get();
    if (msg.kind === MsgKind.WriteLineReq && this.values !== null) {
      // The write takes effect here, in the line's order at its home: its data is a new version,
      // which the writer commits once every other copy is gone (its Data carries it back).
      msg.version = this.values.make(this.name, this.sim.now);
      rd.version = msg.version;
    }
    rd.kind = msg.kind === MsgKind.WriteLineReq ? MsgKind.MemWrite : MsgKind.MemRead;
    rd.addr = msg.addr;
    rd.sizeBytes = this.p.lineBytes;
    rd.txnId = slot;
    rd.aux = probes | sharedByDir;
    rd.src = this.p.nodeId;
    rd.dst = this.p.nodeId;
    this.toMemory(rd);
  }

  /** Probes every node for request `req`; returns how many answers the requester awaits. */
  private broadcastProbes(req: Message, invalidate: boolean): number {
    const tree = this.treeChildren;
    if (tree === null) {
      for (let n = 0; n < this.p.nodes; n++) this.sendProbe(req, n, invalidate);
    } else {
      // Down this home's tree: its own caches, then the nodes it sends to; they pass it on.
      this.sendProbe(req, this.p.nodeId, invalidate);
      for (const n of tree[this.p.nodeId]) this.sendProbe(req, n, invalidate);
    }
    return this.p.nodes;
  }

  /** Passes a broadcast probe on down its home's tree, as its head arrives (the crossbar routes it). */
  private passOn(pr: Message): void {
    for (const n of (this.treeChildren as number[][])[pr.src]) {
      const c = this.pool.get();
      c.kind = MsgKind.Probe;
      c.addr = pr.addr;
      c.src = pr.src;
      c.dst = n;
      c.txnId = pr.txnId;
      c.aux = pr.aux;
      c.sizeBytes = pr.sizeBytes;
      c.issuedAt = pr.issuedAt;
      c.headAt = pr.headAt;
      this.stForwarded.value++;
      this.route(c);
    }
  }

  private sendProbe(req: Message, node: number, invalidate: boolean): void {
    const pr = this.pool.get();
    pr.kind = MsgKind.Probe;
    pr.addr = req.addr;
    pr.src = this.p.nodeId;
    pr.dst = node;
    pr.txnId = req.txnId;
    pr.aux = req.src | (invalidate ? INVALIDATE : 0);
    pr.sizeBytes = this.p.packets.probeBytes;
    pr.issuedAt = req.issuedAt;
    this.stProbesSent.value++;
    this.route(pr);
  }

  private fromMemory(msg: Message): void {
    if (msg.kind === MsgKind.MmioReadResp) {
      // A device register's value, back to the node whose core asked.
      msg.dst = msg.src;
      msg.src = this.p.nodeId;
      msg.sizeBytes = this.p.packets.dataHeaderBytes + 8;
      msg.headAt = 0;
      this.route(msg);
      return;
    }
    if (msg.kind === MsgKind.MemWriteAck && msg.txnId < 0) {
      this.pool.put(msg);
      return;
    }
    const written = msg.kind === MsgKind.MemWriteAck;
    const slot = msg.txnId;
    const req = this.homeSlots[slot] as Message;
    this.homeSlots[slot] = null;
    this.homeFree.push(slot);
    msg.kind = MsgKind.Data;
    msg.src = this.p.nodeId;
    msg.dst = req.src;
    msg.txnId = req.txnId;
    msg.sizeBytes = written || req.kind === MsgKind.FlushReq ? this.p.packets.dataHeaderBytes : this.p.packets.dataHeaderBytes + this.p.lineBytes;
    msg.issuedAt = req.issuedAt;
    msg.hops = 0;
    if (written) msg.version = req.version;
    // aux already holds the probe count and the directory's shared flag.
    this.pool.put(req);
    this.route(msg);
  }

  private onSrcDone(msg: Message): void {
    const line = msg.addr / this.p.lineBytes;
    this.pool.put(msg);
    this.releaseLine(line);
  }

  /** The transaction on line number `line` is over at its home: the next one waiting starts. */
  private releaseLine(line: number): void {
    const w = this.busyLines.get(line, NO_WAITERS);
    if (w === NO_WAITERS) {
      this.busyLines.delete(line);
      return;
    }
    const q = this.lineWaiters[w];
    const next = q.shift() as Message;
    if (q.length === 0) {
      this.busyLines.set(line, NO_WAITERS);
      this.freeWaiters.push(w);
    }
    this.startHome(next);
  }

  /**
   * A write-back's data (or its cancel) reaches the home, which told its node to send it: the
   * data goes to memory, and the line is free for the next transaction. Held in the line's order
   * like any request, a write-back can never reach memory after newer data.
   */
  private onWriteBackData(msg: Message): void {
    const slot = msg.txnId;
    const req = this.homeSlots[slot] as Message;
    this.homeSlots[slot] = null;
    this.homeFree.push(slot);
    const line = req.addr;
    if (msg.aux === WRITE_BACK_CANCELLED) this.pool.put(msg);
    else {
      // The request's flags (KEEP_SHARER) govern the directory.
      msg.aux = req.aux;
      msg.addr = line;
      this.writeMemory(msg);
    }
    this.pool.put(req);
    this.releaseLine(line / this.p.lineBytes);
  }

  /** Sends a write-back's data to memory (the directory no longer counts its sender, unless told to keep it). */
  private writeMemory(msg: Message): void {
    if (this.directoryMode && (msg.aux & KEEP_SHARER) === 0) {
      const entry = this.directory.get(msg.addr, -1);
      if (entry !== -1) {
        const left = entry & NODE_BITS & ~(1 << msg.src);
        if (left === 0) this.directory.delete(msg.addr);
        else this.directory.set(msg.addr, left | (entry & MAYBE_DIRTY));
      }
    }
    msg.kind = MsgKind.MemWrite;
    msg.sizeBytes = this.p.lineBytes;
    msg.txnId = -1;
    this.toMemory(msg);
  }

  /**
   * Writes a dirty line from this node back to its home: the node keeps the data in its victim
   * buffer (probes find it there) and asks the home for its turn.
   */
  private writeBackHome(msg: Message): void {
    msg.kind = MsgKind.WriteBackReq;
    msg.sizeBytes = this.p.packets.requestBytes;
    msg.src = this.p.nodeId;
    msg.dst = this.homeMap.homeOf(msg.addr);
    if (this.directoryMode) {
      // The directory must keep this node if another of its caches still holds the line (one
      // core's write-back is not the node's), or a new copy of the line may be on its way here.
      const lineNo = Math.floor(msg.addr / this.p.lineBytes);
      const keep = this.linesRequested.has(msg.addr) || (this.shared !== null && this.fillsInFlight.has(lineNo)) || this.holdsLine(lineNo);
      msg.aux = keep ? KEEP_SHARER : 0;
    }
    this.writeBacks.sent.add(msg.addr, msg.version);
    msg.version = 0;
    this.route(msg);
  }

  /** True if a cache of this node holds `lineNo`. */
  private holdsLine(lineNo: number): boolean {
    for (let i = 0; i < this.caches.length; i++) if (this.caches[i].find(lineNo) >= 0) return true;
    return false;
  }

  /**
   * The home's turn for a write-back of this node's: the oldest one held for the line goes, its
   * data to memory or, if an invalidating probe gave the data to a new owner meanwhile, a cancel.
   */
  private onWriteBackAck(msg: Message): void {
    const addr = msg.addr;
    const held = this.writeBacks.sent.remove(addr);
    if (held === NOT_HELD) throw new InvariantError(this.name, this.sim.now, `home's turn for a write-back of line 0x${addr.toString(16)}, which has none held`);
    msg.kind = MsgKind.WriteBackData;
    msg.dst = msg.src;
    msg.src = this.p.nodeId;
    msg.hops = 0;
    msg.headAt = 0;
    msg.sendAt = 0;
    if (held === CANCELLED) {
      this.stWriteBacksCancelled.value++;
      msg.aux = WRITE_BACK_CANCELLED;
      msg.sizeBytes = this.p.packets.doneBytes;
    } else {
      msg.aux = 0;
      msg.sizeBytes = this.p.packets.dataHeaderBytes + this.p.lineBytes;
      msg.version = this.writeBacks.sent.removedVersion;
    }
    this.route(msg);
    const requests = this.writeBacks.releaseRequests(addr);
    if (requests !== null) for (let m = requests.shift(); m !== null; m = requests.shift()) this.fromCore(m.src, m);
  }

  // ---- probes ---------------------------------------------------------------------------------

  private answerProbe(msg: Message, answerAt: number): void {
    const line = Math.floor(msg.addr / this.p.lineBytes);
    const invalidate = (msg.aux & INVALIDATE) !== 0;
    let hit = false;
    let dirty = false;
    // Version of the dirty data (value tracking): the newest of the dirty copies, an inner
    // cache's being newer than the outer one's.
    let version = 0;
    const n = surelyAbsent(this.presence, line) ? 0 : this.caches.length;
    for (let i = 0; i < n; i++) {
      const c = this.caches[i];
      const slot = c.find(line);
      if (slot < 0) continue;
      hit = true;
      const v = c.slotVersion(slot);
      if (probeSlot(c, slot, invalidate)) {
        dirty = true;
        if (v > version) version = v;
      }
      const inner = this.innerCaches[i];
      if (inner !== null) {
        const s1 = inner.find(line);
        if (s1 >= 0) {
          const v1 = inner.slotVersion(s1);
          if (probeSlot(inner, s1, invalidate)) {
            dirty = true;
            if (v1 > version) version = v1;
          }
        }
      }
    }
    // A write-back of the line on its way out answers with its data (an invalidating probe
    // cancels it: the data is the new owner's now).
    const victim = this.writeBacks.probe(msg.addr, invalidate);
    if (victim >= 0) {
      this.stVictimHits.value++;
      dirty = true;
      if (victim > version) version = victim;
    }
    if (hit) this.stProbesHit.value++;
    if (dirty) this.stProbesDirty.value++;
    msg.kind = dirty ? MsgKind.ProbeRespData : MsgKind.ProbeResp;
    msg.version = version;
    msg.sizeBytes = dirty ? this.p.packets.dataHeaderBytes + this.p.lineBytes : this.p.packets.probeRespBytes;
    msg.dst = msg.aux & COUNT_MASK;
    msg.src = this.p.nodeId;
    // A requester that gets a write-back's data shares it: the write-back still owns the line
    // until its data is in memory.
    msg.aux = (hit || victim >= 0) && !invalidate ? 1 : 0;
    msg.hops = 0;
    msg.sendAt = answerAt;
    this.route(msg);
  }

  // ---- routing --------------------------------------------------------------------------------

  /** Sends a packet toward its destination node, or handles it here. */
  private route(msg: Message): void {
    if (msg.dst === this.p.nodeId) {
      this.local(msg);
      return;
    }
    const li = (IS_RESPONSE[msg.kind] === 1 ? this.responseOut : this.routeOut)[msg.dst];
    this.sendOn(this.linkQueues[li], this.linkPorts[li], msg);
  }

  private deliver(msg: Message): void {
    // A broadcast's copy is addressed to the node that takes it; a directed probe only passes through.
    if (this.treeChildren !== null && msg.kind === MsgKind.Probe && msg.dst === this.p.nodeId) this.passOn(msg);
    if (msg.dst === this.p.nodeId) {
      this.local(msg);
      return;
    }
    this.stForwarded.value++;
    this.route(msg);
  }

  private local(msg: Message): void {
    msg.headAt = 0;
    switch (msg.kind) {
      case MsgKind.ReadReq:
      case MsgKind.ReadExReq:
      case MsgKind.UpgradeReq:
      case MsgKind.WriteLineReq:
      case MsgKind.FlushReq:
        if (this.directoryMode && this.p.directoryLatencyPs > 0) {
          // The lookup delays the request at the home; modelled as a probe-style event.
          this.sim.schedule(this.homeDelay, this.p.directoryLatencyPs, 0, msg);
        } else this.atHome(msg);
        return;
      case MsgKind.Probe:
        if (this.shared !== null) {
          const lineNo = Math.floor(msg.addr / this.p.lineBytes);
          if (this.fillsInFlight.has(lineNo)) {
            // A fill of this line is on its way to a core here: probe once it has landed.
            this.defer(lineNo, msg);
            return;
          }
        }
        // The lookup is done on arrival; its answer leaves one probe latency later.
        this.answerProbe(msg, this.sim.now + this.p.probeLatencyPs);
        return;
      case MsgKind.ProbeResp:
      case MsgKind.ProbeRespData:
      case MsgKind.Data:
        this.onResponse(msg);
        return;
      case MsgKind.SrcDone:
        this.onSrcDone(msg);
        return;
      case MsgKind.WriteBackReq:
        this.atHome(msg);
        return;
      case MsgKind.WriteBackData:
        this.onWriteBackData(msg);
        return;
      case MsgKind.WriteBackAck:
        this.onWriteBackAck(msg);
        return;
      case MsgKind.MmioRead:
      case MsgKind.MmioWrite:
        this.toMemory(msg);
        return;
      case MsgKind.MmioReadResp: {
        const core = msg.txnId >>> MMIO_TAG_BITS;
        msg.txnId &= (1 << MMIO_TAG_BITS) - 1;
        this.sendOn(this.coreQueues[core], this.corePorts[core], msg);
        return;
      }
      default:
        throw new Error(`${this.name}: unexpected message kind ${msg.kind} at tick ${this.sim.now}`);
    }
  }

  /** Sends a core's MMIO read or write toward the socket that reaches the device. */
  private toDevice(coreIdx: number, msg: Message): void {
    let node = -1;
    for (let i = 0; i < this.mmio.length; i++) {
      const r = this.mmio[i];
      if (msg.addr >= r.lo && msg.addr < r.hi) node = r.node;
    }
    if (node < 0) throw new InvariantError(this.name, this.sim.now, `MMIO access at 0x${msg.addr.toString(16)} outside every device register range`);
    msg.src = this.p.nodeId;
    msg.dst = node;
    msg.txnId = (coreIdx << MMIO_TAG_BITS) | (msg.txnId & ((1 << MMIO_TAG_BITS) - 1));
    msg.sizeBytes = msg.kind === MsgKind.MmioWrite ? this.p.packets.dataHeaderBytes + 8 : this.p.packets.requestBytes;
    msg.issuedAt = this.sim.now;
    msg.hops = 0;
    msg.headAt = 0;
    this.route(msg);
  }

  private toMemory(msg: Message): void {
    for (let i = 0; i < this.extraMem.length; i++) {
      const x = this.extraMem[i];
      if (msg.addr >= x.lo && msg.addr < x.hi) {
        sendOrQueue(x.port, x.queue, msg);
        return;
      }
    }
    sendOrQueue(this.memPort, this.memQueue, msg);
  }

  private sendOn(q: MessageQueue, port: Port, msg: Message): void {
    // A packet that has to wait can no longer leave from its head's arrival time.
    if (!sendOrQueue(port, q, msg)) msg.headAt = 0;
  }
}

/** Applies a probe to one cache slot (invalidate, or downgrade M to O and E to S); true if it was dirty. */
function probeSlot(c: Cache, slot: number, invalidate: boolean): boolean {
  const s = c.slotState(slot);
  if (invalidate) c.setSlotState(slot, LineState.I);
  else if (s === LineState.M) c.setSlotState(slot, LineState.O);
  else if (s === LineState.E) c.setSlotState(slot, LineState.S);
  return s === LineState.M || s === LineState.O;
}
