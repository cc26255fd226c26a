import { MessageQueue, type Message, type MessagePool } from "../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import { MsgKind, NO_SNOOP } from "../mem/msg-kind.ts";
import { UNTRACKED_VERSION } from "../mem/line-versions.ts";
import { completionTlpBytes, DLLP_KIND, DllpCounter, readRequestTlpBytes, writeTlpBytes, type FabricLinkConfig } from "./pcie.ts";

/** Parameters of a device router (defaults in brackets). */
export interface DeviceRouterParams {
  /** Timing of the device link. */
  link: FabricLinkConfig;
  /** Line size of device memory accesses in bytes [64]. */
  lineBytes?: number;
  /** First byte of device memory (physical). */
  deviceMemLo: number;
  /** End (exclusive) of device memory; equal to deviceMemLo when the device has none. */
  deviceMemHi: number;
  /** First byte of the device's register range [0]. */
  mmioLo?: number;
  /** End (exclusive) of the register range [0: none]. */
  mmioHi?: number;
  /** Requests (agents' and the host's) the router tracks at once [1024]; beyond it agents are refused. */
  maxRequests?: number;
  /** Device memory sees addresses relative to deviceMemLo [true]. */
  localMemAddresses?: boolean;
}

/** How a device agent's traffic is marked and told about invalidations. */
export interface DeviceAgentOptions {
  /** Every host access of this agent is non-coherent (NO_SNOOP) [false]; else per request (aux). */
  noSnoop?: boolean;
  /** The agent caches translations and must receive XlatInval [false]. */
  translates?: boolean;
}

const PORT_LINK = 0;
const PORT_MEM = 1;
const PORT_REG = 2;
const PORT_XLAT = 3;
const PORT_AGENT0 = 10;
/** Request origins besides agent indices. */
const FROM_LINK = -1;
const FROM_XLAT = -2;
/** What a request slot tracks. */
const R_MEM = 1;
const R_HOST_READ = 2;
const R_HOST_WRITE = 3;
const R_XLAT = 4;
const R_INVAL = 5;

/**
 * The device end of a host-device link: routes by physical address. Device-memory accesses go
 * to the memory port (split into lines), register accesses from the host to the register block,
 * and agents' accesses to anything else cross the link to the host as read requests (at most
 * MRRS bytes each, one tag each, at most `tags` outstanding) and posted writes (at most MPS bytes
 * each; the agent's write is acknowledged when its last piece has been accepted by the link).
 * Translation requests go to a local MMU when one is connected, else over the link to the host's
 * IOMMU; invalidations reach every translating agent and are answered once all have answered.
 */
export class DeviceRouter implements PortOwner {
  /** Component path. */
  readonly name: string;
  /** The device link. */
  readonly linkPort: Port;
  /** To the device-memory controller (line memory protocol). */
  readonly memPort: Port;
  /** To the register block (MmioRead / MmioWrite). */
  readonly regPort: Port;
  /** To a local translation service (a GPU MMU); unconnected: translations go to the host. */
  readonly translationPort: Port;
  /** Agent ports, by agent index. */
  readonly agentPorts: Port[] = [];
  private readonly sim: Simulator;
  private readonly pool: MessagePool;
  private readonly c: FabricLinkConfig;
  private readonly lineBytes: number;
  private readonly memLo: number;
  private readonly memHi: number;
  private readonly mmioLo: number;
  private readonly mmioHi: number;
  private readonly memBase: number;
  private readonly dll: DllpCounter;
  private readonly agentNoSnoop: number[] = [];
  private readonly agentTranslates: boolean[] = [];
  private readonly agentQs: MessageQueue[] = [];
  private readonly linkQ = new MessageQueue();
  private readonly memQ = new MessageQueue();
  private readonly regQ = new MessageQueue();
  private readonly xlatQ = new MessageQueue();
  private agentsRefused: boolean;

  // Request slots (struct of arrays).
  private readonly maxRequests: number;
  private readonly reqMsg: (Message | null)[];
  private readonly reqWhat: Uint8Array;
  private readonly reqOrigin: Int32Array;
  private readonly reqLeft: Int32Array;
  private readonly reqNext: Float64Array;
  private readonly reqEnd: Float64Array;
  private readonly reqZero: Uint8Array;
  private readonly reqFree: Int32Array;
  private reqFreeTop: number;
  /** Host reads waiting for a tag, in arrival order (a ring of slots). */
  private readonly tagWait: Int32Array;
  private tagWaitHead: number;
  private tagWaitLen: number;
  private readonly tagSlot: Int32Array;
  private readonly tagLeft: Int32Array;
  private readonly tagFree: Int32Array;
  private tagFreeTop: number;

  private readonly stHostReads: Counter;
  private readonly stHostReadBytes: Counter;
  private readonly stHostWrites: Counter;
  private readonly stHostWriteBytes: Counter;
  private readonly stMemAccesses: Counter;
  private readonly stTagWaits: Counter;
  private readonly stXlat: Counter;

  constructor(sim: Simulator, stats: StatsRegistry, pool: MessagePool, name: string, p: DeviceRouterParams) {
    this.name = name;
    this.sim = sim;
    this.pool = pool;
    this.c = p.link;
    this.lineBytes = p.lineBytes ?? 64;
    this.memLo = p.deviceMemLo;
    this.memHi = p.deviceMemHi;
    this.mmioLo = p.mmioLo ?? 0;
    this.mmioHi = p.mmioHi ?? 0;
    this.memBase = (p.localMemAddresses ?? true) ? p.deviceMemLo : 0;
    this.linkPort = new Port(this, `${name}.link`, PORT_LINK);
    this.memPort = new Port(this, `${name}.mem`, PORT_MEM);
    this.regPort = new Port(this, `${name}.regs`, PORT_REG);
    this.translationPort = new Port(this, `${name}.xlat`, PORT_XLAT);
    this.dll = new DllpCounter(stats, `${name}.link`, this.c);
    this.agentsRefused = false;
    const n = p.maxRequests ?? 1024;
    this.maxRequests = n;
    this.reqMsg = new Array<Message | null>(n).fill(null);
    this.reqWhat = new Uint8Array(n);
    this.reqOrigin = new Int32Array(n);
    this.reqLeft = new Int32Array(n);
    this.reqNext = new Float64Array(n);
    this.reqEnd = new Float64Array(n);
    this.reqZero = new Uint8Array(n);
    this.reqFree = new Int32Array(n);
    for (let i = 0; i < n; i++) this.reqFree[i] = n - 1 - i;
    this.reqFreeTop = n;
    this.tagWait = new Int32Array(n);
    this.tagWaitHead = 0;
    this.tagWaitLen = 0;
    const t = this.c.tags;
    this.tagSlot = new Int32Array(t);
    this.tagLeft = new Int32Array(t);
    this.tagFree = new Int32Array(t);
    for (let i = 0; i < t; i++) this.tagFree[i] = t - 1 - i;
    this.tagFreeTop = t;
    this.stHostReads = stats.counter(`${name}.hostReads`, "count", "read request TLPs sent to the host");
    this.stHostReadBytes = stats.counter(`${name}.hostReadBytes`, "bytes", "bytes read from host memory");
    this.stHostWrites = stats.counter(`${name}.hostWrites`, "count", "posted write TLPs sent to the host");
    this.stHostWriteBytes = stats.counter(`${name}.hostWriteBytes`, "bytes", "bytes written to host memory");
    this.stMemAccesses = stats.counter(`${name}.memAccesses`, "count", "line accesses sent to device memory");
    this.stTagWaits = stats.counter(`${name}.tagWaits`, "count", "read requests that waited for a free tag");
    this.stXlat = stats.counter(`${name}.xlatRequests`, "count", "translation requests routed");
  }

  /** Adds a port for a device agent (GPU L2, DMA engine, MMU walker) and returns it. */
  addAgentPort(label: string, options: DeviceAgentOptions = {}): Port {
    const i = this.agentPorts.length;
    const port = new Port(this, `${this.name}.${label}`, PORT_AGENT0 + i);
    this.agentPorts.push(port);
    this.agentNoSnoop.push(options.noSnoop === true ? NO_SNOOP : 0);
    this.agentTranslates.push(options.translates === true);
    this.agentQs.push(new MessageQueue());
    return port;
  }

  /** True if `addr` is device memory (served on the device, not over the link). */
  isDeviceMemory(addr: number): boolean {
    return addr >= this.memLo && addr < this.memHi;
  }

  /** What is still outstanding here, or null. */
  outstanding(): string | null {
    const used = this.maxRequests - this.reqFreeTop;
    return used > 0 ? `${used} requests still in flight` : null;
  }

  /** A message from the link, device memory, the registers, the MMU or an agent (agents may be refused when slots run out). */
  recv(port: Port, msg: Message): boolean {
    switch (port.index) {
      case PORT_LINK:
        this.fromLink(msg);
        return true;
      case PORT_MEM:
        this.fromMem(msg);
        return true;
      case PORT_REG:
        // A register read's answer: back to the host.
        this.linkOut(msg, completionTlpBytes(this.c, this.c.mmioPayloadBytes));
        return true;
      case PORT_XLAT:
        this.fromTranslator(msg, FROM_XLAT);
        return true;
      default:
        return this.fromAgent(port.index - PORT_AGENT0, msg);
    }
  }

  /** A refused output has room again: send its backlog. */
  wake(port: Port): void {
    switch (port.index) {
      case PORT_LINK:
        this.drainLink();
        return;
      case PORT_MEM:
        drainBacklog(this.memPort, this.memQ);
        return;
      case PORT_REG:
        drainBacklog(this.regPort, this.regQ);
        return;
      case PORT_XLAT:
        drainBacklog(this.translationPort, this.xlatQ);
        return;
      default:
        drainBacklog(port, this.agentQs[port.index - PORT_AGENT0]);
    }
  }

  // ---- slots ----------------------------------------------------------------------------------

  private alloc(msg: Message, what: number, origin: number): number {
    const s = this.reqFree[--this.reqFreeTop];
    this.reqMsg[s] = msg;
    this.reqWhat[s] = what;
    this.reqOrigin[s] = origin;
    this.reqLeft[s] = 0;
    this.reqZero[s] = 0;
    return s;
  }

  private release(s: number): void {
    this.reqMsg[s] = null;
    this.reqWhat[s] = 0;
    this.reqFree[this.reqFreeTop++] = s;
    if (this.agentsRefused) {
      this.agentsRefused = false;
      for (const p of this.agentPorts) p.ready();
    }
  }

  /** Sends a finished request's message back to where it came from. */
  private answer(origin: number, msg: Message): void {
    msg.headAt = 0;
    msg.sendAt = 0;
    if (origin >= 0) sendOrQueue(this.agentPorts[origin], this.agentQs[origin], msg);
    else if (origin === FROM_XLAT) sendOrQueue(this.translationPort, this.xlatQ, msg);
    else if (msg.kind === MsgKind.MemWriteAck) this.pool.put(msg);
    else if (msg.kind === MsgKind.XlatInvalDone) this.linkOut(msg, readRequestTlpBytes(this.c, 1 << 32));
    else this.linkOut(msg, completionTlpBytes(this.c, this.lineBytes));
  }

  // ---- link -----------------------------------------------------------------------------------

  /** Sends a TLP on the link (in order behind any waiting); a posted write acknowledges its piece when accepted. */
  private linkOut(msg: Message, bytes: number): void {
    msg.sizeBytes = bytes;
    msg.headAt = 0;
    msg.sendAt = 0;
    if (this.linkQ.length === 0) {
      const posted = msg.kind === MsgKind.MemWrite ? msg.txnId : -1;
      if (this.linkPort.send(msg)) {
        if (posted >= 0) this.postedAccepted(posted);
        return;
      }
    }
    this.linkQ.push(msg);
  }

  private drainLink(): void {
    for (let m = this.linkQ.shift(); m !== null; m = this.linkQ.shift()) {
      const posted = m.kind === MsgKind.MemWrite ? m.txnId : -1;
      if (!this.linkPort.send(m)) {
        this.linkQ.pushFront(m);
        return;
      }
      if (posted >= 0) this.postedAccepted(posted);
    }
  }

  private fromLink(msg: Message): void {
    if (msg.kind === DLLP_KIND) {
      this.dll.received(msg);
      this.pool.put(msg);
      return;
    }
    const d = this.dll.tlpReceived();
    if (d > 0) this.linkOut(this.dll.dllp(this.pool, d), d);
    switch (msg.kind) {
      case MsgKind.MemReadResp:
        this.completion(msg);
        return;
      case MsgKind.MemRead:
      case MsgKind.MemWrite:
        if (!this.isDeviceMemory(msg.addr)) throw new Error(`${this.name}: host access to ${msg.addr}, outside device memory, at tick ${this.sim.now}`);
        if (this.reqFreeTop === 0) throw new Error(`${this.name}: request slots exhausted by host accesses`);
        this.toMemory(this.alloc(msg, R_MEM, FROM_LINK), msg.kind, msg.addr, this.lineBytes);
        return;
      case MsgKind.MmioRead:
      case MsgKind.MmioWrite:
        if (!this.regPort.connected) throw new Error(`${this.name}: register access but no register block`);
        msg.headAt = 0;
        sendOrQueue(this.regPort, this.regQ, msg);
        return;
      case MsgKind.XlatResp:
        this.xlatAnswered(msg);
        return;
      case MsgKind.XlatInval:
        this.invalidate(msg, FROM_LINK);
        return;
      default:
        throw new Error(`${this.name}: unexpected TLP kind ${msg.kind} from the host at tick ${this.sim.now}`);
    }
  }

  // ---- agents ---------------------------------------------------------------------------------

  private fromAgent(agent: number, msg: Message): boolean {
    if (msg.kind === MsgKind.XlatInvalDone) {
      this.invalDone(msg);
      return true;
    }
    if (this.reqFreeTop === 0) {
      this.agentsRefused = true;
      return false;
    }
    switch (msg.kind) {
      case MsgKind.MemRead:
      case MsgKind.MemWrite: {
        const addr = msg.addr;
        const bytes = msg.sizeBytes;
        if (this.isDeviceMemory(addr)) {
          this.toMemory(this.alloc(msg, R_MEM, agent), msg.kind, addr, bytes);
          return true;
        }
        if (addr >= this.mmioLo && addr < this.mmioHi) throw new Error(`${this.name}: device agents may not access the register range`);
        const s = this.alloc(msg, msg.kind === MsgKind.MemRead ? R_HOST_READ : R_HOST_WRITE, agent);
        this.reqNext[s] = addr;
        this.reqEnd[s] = addr + bytes;
        if (msg.kind === MsgKind.MemRead) {
          this.reqZero[s] = bytes === 0 ? 1 : 0;
          this.tagWait[(this.tagWaitHead + this.tagWaitLen) % this.maxRequests] = s;
          this.tagWaitLen++;
          if (this.tagWaitLen > 1 || this.tagFreeTop === 0) this.stTagWaits.value++;
          this.issueReads();
        } else this.issueWrites(s, (msg.aux & NO_SNOOP) | this.agentNoSnoop[agent]);
        return true;
      }
      case MsgKind.XlatReq: {
        this.stXlat.value++;
        const s = this.alloc(msg, R_XLAT, agent);
        this.reqNext[s] = msg.txnId;
        msg.txnId = s;
        msg.headAt = 0;
        if (this.translationPort.connected) sendOrQueue(this.translationPort, this.xlatQ, msg);
        else this.linkOut(msg, readRequestTlpBytes(this.c, 1 << 32));
        return true;
      }
      default:
        throw new Error(`${this.name}: unexpected message kind ${msg.kind} from agent ${agent} at tick ${this.sim.now}`);
    }
  }

  // ---- device memory --------------------------------------------------------------------------

  private toMemory(s: number, kind: number, addr: number, bytes: number): void {
    if (!this.memPort.connected) throw new Error(`${this.name}: device memory access but no memory controller`);
    const lb = this.lineBytes;
    const first = Math.floor(addr / lb);
    const last = Math.floor((addr + (bytes > 0 ? bytes : 1) - 1) / lb);
    this.reqLeft[s] = last - first + 1;
    // A host write (through the host's coherence) carries its data's version; the device's own
    // agents are not coherent with the host's caches and write untracked data.
    const version = this.reqOrigin[s] === FROM_LINK ? (this.reqMsg[s] as Message).version : UNTRACKED_VERSION;
    for (let l = first; l <= last; l++) {
      const m = this.pool.get();
      m.kind = kind;
      m.addr = l * lb - this.memBase;
      m.sizeBytes = lb;
      m.txnId = s;
      m.issuedAt = this.sim.now;
      if (kind === MsgKind.MemWrite) m.version = version;
      this.stMemAccesses.value++;
      sendOrQueue(this.memPort, this.memQ, m);
    }
  }

  private fromMem(m: Message): void {
    const s = m.txnId;
    // A read's data version goes back with the answer (the host's one-line reads use it).
    if (m.kind === MsgKind.MemReadResp) (this.reqMsg[s] as Message).version = m.version;
    this.pool.put(m);
    if (--this.reqLeft[s] > 0) return;
    this.finish(s);
  }

  private finish(s: number): void {
    const msg = this.reqMsg[s] as Message;
    const origin = this.reqOrigin[s];
    msg.kind = msg.kind === MsgKind.MemRead ? MsgKind.MemReadResp : MsgKind.MemWriteAck;
    this.release(s);
    this.answer(origin, msg);
  }

  // ---- host memory ----------------------------------------------------------------------------

  /** Issues read TLPs for waiting host reads while tags are free. */
  private issueReads(): void {
    const mrrs = this.c.maxReadRequestBytes;
    while (this.tagWaitLen > 0 && this.tagFreeTop > 0) {
      const s = this.tagWait[this.tagWaitHead];
      const msg = this.reqMsg[s] as Message;
      const a = this.reqNext[s];
      const boundary = (Math.floor(a / mrrs) + 1) * mrrs;
      const e = this.reqEnd[s] < boundary ? this.reqEnd[s] : boundary;
      const tag = this.tagFree[--this.tagFreeTop];
      this.tagSlot[tag] = s;
      this.tagLeft[tag] = e - a;
      this.reqLeft[s]++;
      this.reqNext[s] = e;
      this.reqZero[s] = 0;
      if (e >= this.reqEnd[s]) {
        this.tagWaitHead = (this.tagWaitHead + 1) % this.maxRequests;
        this.tagWaitLen--;
      }
      const r = this.pool.get();
      r.kind = MsgKind.MemRead;
      r.addr = a;
      r.aux = (e - a) | (msg.aux & NO_SNOOP) | this.agentNoSnoop[this.reqOrigin[s]];
      r.txnId = tag;
      r.issuedAt = this.sim.now;
      this.stHostReads.value++;
      this.stHostReadBytes.value += e - a;
      this.linkOut(r, readRequestTlpBytes(this.c, a));
    }
  }

  /** A completion TLP from the host. */
  private completion(m: Message): void {
    const tag = m.txnId;
    this.tagLeft[tag] -= m.aux;
    this.pool.put(m);
    if (this.tagLeft[tag] > 0) return;
    const s = this.tagSlot[tag];
    this.tagFree[this.tagFreeTop++] = tag;
    this.reqLeft[s]--;
    if (this.reqLeft[s] === 0 && this.reqNext[s] >= this.reqEnd[s] && this.reqZero[s] === 0) this.finish(s);
    this.issueReads();
  }

  private issueWrites(s: number, noSnoop: number): void {
    const mps = this.c.maxPayloadBytes;
    let a = this.reqNext[s];
    const end = this.reqEnd[s];
    // Held open (one extra count) until every piece is queued: pieces accepted at once count down.
    this.reqLeft[s] = 1;
    do {
      const boundary = (Math.floor(a / mps) + 1) * mps;
      const e = end < boundary ? end : boundary;
      const w = this.pool.get();
      w.kind = MsgKind.MemWrite;
      w.addr = a;
      w.aux = (e - a) | noSnoop;
      w.txnId = s;
      this.stHostWrites.value++;
      this.stHostWriteBytes.value += e - a;
      this.reqLeft[s]++;
      this.linkOut(w, writeTlpBytes(this.c, a, e - a));
      a = e;
    } while (a < end);
    this.reqNext[s] = end;
    if (--this.reqLeft[s] === 0) this.finish(s);
  }

  private postedAccepted(s: number): void {
    if (--this.reqLeft[s] === 0) this.finish(s);
  }

  // ---- translation ----------------------------------------------------------------------------

  private fromTranslator(msg: Message, origin: number): void {
    if (msg.kind === MsgKind.XlatResp) this.xlatAnswered(msg);
    else if (msg.kind === MsgKind.XlatInval) this.invalidate(msg, origin);
    else throw new Error(`${this.name}: unexpected message kind ${msg.kind} from the translation service`);
  }

  private xlatAnswered(msg: Message): void {
    const s = msg.txnId;
    const agent = this.reqOrigin[s];
    msg.txnId = this.reqNext[s];
    this.release(s);
    this.answer(agent, msg);
  }

  private invalidate(msg: Message, origin: number): void {
    if (this.reqFreeTop === 0) throw new Error(`${this.name}: request slots exhausted by an invalidation`);
    const s = this.alloc(msg, R_INVAL, origin);
    let n = 0;
    for (let i = 0; i < this.agentPorts.length; i++) if (this.agentTranslates[i]) n++;
    if (n === 0) {
      this.invalFinished(s);
      return;
    }
    // Counted before sending: an agent may answer inside the send. One extra count is held
    // until every agent has been told.
    this.reqLeft[s] = n + 1;
    for (let i = 0; i < this.agentPorts.length; i++) {
      if (!this.agentTranslates[i]) continue;
      const m = this.pool.get();
      m.kind = MsgKind.XlatInval;
      m.addr = msg.addr;
      m.aux = msg.aux;
      m.txnId = s;
      sendOrQueue(this.agentPorts[i], this.agentQs[i], m);
    }
    if (--this.reqLeft[s] === 0) this.invalFinished(s);
  }

  private invalDone(m: Message): void {
    const s = m.txnId;
    this.pool.put(m);
    if (--this.reqLeft[s] === 0) this.invalFinished(s);
  }

  private invalFinished(s: number): void {
    const msg = this.reqMsg[s] as Message;
    const origin = this.reqOrigin[s];
    msg.kind = MsgKind.XlatInvalDone;
    this.release(s);
    this.answer(origin, msg);
  }
}
