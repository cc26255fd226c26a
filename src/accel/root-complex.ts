import { MessageQueue, type Message, type MessagePool } from "../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../kernel/port.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Average } from "../stats/average.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import { MsgKind, NO_SNOOP } from "../mem/msg-kind.ts";
import type { ValueAudit } from "../machine/value-audit.ts";
import { completionTlpBytes, DLLP_KIND, DllpCounter, readRequestTlpBytes, writeTlpBytes, type FabricLinkConfig } from "./pcie.ts";

/** Parameters of a root complex (defaults in brackets). */
export interface RootComplexParams {
  /** Timing of the device link (also sizes the read tracker: one slot per tag). */
  link: FabricLinkConfig;
  /** Host cache-line size in bytes [64]. */
  lineBytes?: number;
  /**
   * Line requests (reads and writes) the root complex keeps outstanding at the northbridge [128];
   * more wait here, so the root complex never fills the northbridge's request queue by itself.
   */
  hostRequestLimit?: number;
}

/** Bits of a northbridge txnId naming what the line request is for. */
const WALK_BIT = 1 << 28;
const WRITE_BIT = 1 << 29;
/** A device read's line index sits in the low bits of its txnId (a read is at most 4 KiB). */
const LINE_BITS = 8;
/** Posted writes whose completion order the root complex tracks (a ring). */
const WRITE_RING = 1 << 16;
/** Low bits of a TLP's aux holding its byte count (NO_SNOOP sits above). */
const BYTES_MASK = (1 << 24) - 1;

/**
 * The host end of a device link. Towards the host it is an I/O agent on a northbridge core
 * port: device reads become line ReadReqs, device posted writes WriteLineReqs (no-snoop carried
 * in aux; a partial line is written as a whole line), and each Data is answered with a SrcDone. Device read data goes back in completion
 * TLPs of the read completion boundary, in address order, as the lines arrive; a read's
 * completions also wait until every posted write that reached the root complex before it has
 * completed at its home (PCIe ordering: reads do not pass posted writes), so a zero-length read
 * flushes a device's writes. Host accesses to device memory and registers (from the
 * northbridge's memory-side port) cross the link as TLPs, and address translation traffic is
 * relayed between the link and the IOMMU.
 */
export class RootComplex implements PortOwner {
  /** Component path. */
  readonly name: string;
  /** To a northbridge core port (I/O agent side of the host coherence protocol). */
  readonly nbPort: Port;
  /** From a northbridge memory port: host accesses to device memory and device registers. */
  readonly hostMemPort: Port;
  /** The device link. */
  readonly linkPort: Port;
  /** To the IOMMU's device-facing port (translation requests and invalidations). */
  readonly iommuDevPort: Port;
  /**
   * Value audit of `--check` (set by the machine builder), or null: coherent reads check the data
   * they receive, whole-line writes commit the version their home gave them.
   */
  values: ValueAudit | null = null;
  /** From the IOMMU's memory port (its page-walk reads, line memory protocol). */
  readonly iommuMemPort: Port;
  private readonly sim: Simulator;
  private readonly pool: MessagePool;
  private readonly c: FabricLinkConfig;
  private readonly lineBytes: number;
  private readonly hostRequestLimit: number;
  private readonly dll: DllpCounter;
  private readonly nbQ = new MessageQueue();
  /** Line requests waiting for room under hostRequestLimit. */
  private readonly reqQ = new MessageQueue();
  private readonly hostMemQ = new MessageQueue();
  private readonly linkQ = new MessageQueue();
  private readonly iommuDevQ = new MessageQueue();
  private readonly iommuMemQ = new MessageQueue();
  private nbOutstanding: number;

  // Device reads of host memory: one slot per outstanding read TLP (struct of arrays).
  private readonly maxBlocks: number;
  private readonly rdTag: Int32Array;
  private readonly rdAddr: Float64Array;
  private readonly rdBytes: Int32Array;
  private readonly rdFirstBlock: Float64Array;
  private readonly rdBlocks: Int32Array;
  private readonly rdNextBlock: Int32Array;
  private readonly rdHave: Uint8Array;
  private readonly rdFence: Float64Array;
  /** 1 for a no-snoop read (not checked by value tracking: the driver flushed the caches). */
  private readonly rdNoSnoop: Uint8Array;
  /** 1 while a slot is in use, 2 while its completions wait for earlier posted writes. */
  private readonly rdBusy: Uint8Array;
  private readonly rdStart: Float64Array;
  private readonly rdFree: Int32Array;
  private rdFreeTop: number;
  /** Reads whose completions wait for earlier posted writes. */
  private fenceWaiters: number;

  // Posted writes: sequence numbers in arrival order, and which have completed.
  private wNext: number;
  private wOldest: number;
  private readonly wDone: Uint8Array;

  // IOMMU page-walk accesses in flight, by slot.
  private readonly walkMsgs: (Message | null)[] = [];
  private readonly walkFree: number[] = [];

  private readonly stReadTlps: Counter;
  private readonly stReadBytes: Counter;
  private readonly stWriteTlps: Counter;
  private readonly stWriteBytes: Counter;
  private readonly stCompletions: Counter;
  private readonly stHostToDevice: Counter;
  private readonly stMmio: Counter;
  private readonly stXlat: Counter;
  private readonly stReadLatency: Average;

  constructor(sim: Simulator, stats: StatsRegistry, pool: MessagePool, name: string, p: RootComplexParams) {
    this.name = name;
    this.sim = sim;
    this.pool = pool;
    this.c = p.link;
    this.lineBytes = p.lineBytes ?? 64;
    this.hostRequestLimit = p.hostRequestLimit ?? 128;
    if (this.c.completionBytes < this.lineBytes && this.c.kind === "pcie") throw new Error(`${name}: completion boundary below the line size`);
    this.nbPort = new Port(this, `${name}.nb`, 0);
    this.hostMemPort = new Port(this, `${name}.hostMem`, 1);
    this.linkPort = new Port(this, `${name}.link`, 2);
    this.iommuDevPort = new Port(this, `${name}.iommuDev`, 3);
    this.iommuMemPort = new Port(this, `${name}.iommuMem`, 4);
    this.dll = new DllpCounter(stats, `${name}.link`, this.c);
    this.nbOutstanding = 0;
    const slots = this.c.tags;
    const cb = Math.max(this.c.completionBytes, this.lineBytes);
    this.maxBlocks = Math.ceil(4096 / cb) + 1;
    if (Math.ceil(4096 / this.lineBytes) + 1 > 1 << LINE_BITS) throw new Error(`${name}: line size too small for a 4 KiB read`);
    this.rdTag = new Int32Array(slots);
    this.rdAddr = new Float64Array(slots);
    this.rdBytes = new Int32Array(slots);
    this.rdFirstBlock = new Float64Array(slots);
    this.rdBlocks = new Int32Array(slots);
    this.rdNextBlock = new Int32Array(slots);
    this.rdHave = new Uint8Array(slots * this.maxBlocks);
    this.rdFence = new Float64Array(slots);
    this.rdNoSnoop = new Uint8Array(slots);
    this.rdBusy = new Uint8Array(slots);
    this.rdStart = new Float64Array(slots);
    this.rdFree = new Int32Array(slots);
    for (let i = 0; i < slots; i++) this.rdFree[i] = slots - 1 - i;
    this.rdFreeTop = slots;
    this.fenceWaiters = 0;
    this.wNext = 0;
    this.wOldest = 0;
    this.wDone = new Uint8Array(WRITE_RING);
    this.stReadTlps = stats.counter(`${name}.deviceReads`, "count", "read request TLPs from the device");
    this.stReadBytes = stats.counter(`${name}.deviceReadBytes`, "bytes", "bytes the device read from host memory");
    this.stWriteTlps = stats.counter(`${name}.deviceWrites`, "count", "posted write TLPs from the device");
    this.stWriteBytes = stats.counter(`${name}.deviceWriteBytes`, "bytes", "bytes the device wrote to host memory");
    this.stCompletions = stats.counter(`${name}.completions`, "count", "completion TLPs sent to the device");
    this.stHostToDevice = stats.counter(`${name}.hostMemAccesses`, "count", "host accesses to device memory forwarded over the link");
    this.stMmio = stats.counter(`${name}.mmioAccesses`, "count", "host register accesses forwarded over the link");
    this.stXlat = stats.counter(`${name}.xlatRequests`, "count", "translation requests relayed to the IOMMU");
    this.stReadLatency = stats.average(`${name}.deviceReadLatencyPs`, "ps", "read TLP arrival to its last completion sent");
  }

  /** What is still outstanding here (a quiet root complex has nothing), or null. */
  outstanding(): string | null {
    const reads = this.c.tags - this.rdFreeTop;
    if (reads > 0) return `${reads} device reads still waiting for host memory`;
    if (this.wOldest !== this.wNext) return `${this.wNext - this.wOldest} device writes still in flight`;
    if (this.nbOutstanding > 0) return `${this.nbOutstanding} line requests still at the northbridge`;
    return null;
  }

  /** A message from the northbridge, the link or the IOMMU; never refused (queues are internal). */
  recv(port: Port, msg: Message): boolean {
    switch (port.index) {
      case 0:
        this.fromHost(msg);
        return true;
      case 1:
        this.fromHostMem(msg);
        return true;
      case 2:
        this.fromLink(msg);
        return true;
      case 3:
        // XlatResp / XlatInval from the IOMMU go to the device.
        this.toLink(msg, msg.kind === MsgKind.XlatResp ? completionTlpBytes(this.c, 8) : readRequestTlpBytes(this.c, 1 << 32) + 8);
        return true;
      default:
        this.fromWalker(msg);
        return true;
    }
  }

  /** A refused output has room again: send its backlog. */
  wake(port: Port): void {
    switch (port.index) {
      case 0:
        drainBacklog(this.nbPort, this.nbQ);
        return;
      case 1:
        drainBacklog(this.hostMemPort, this.hostMemQ);
        return;
      case 2:
        drainBacklog(this.linkPort, this.linkQ);
        return;
      case 3:
        drainBacklog(this.iommuDevPort, this.iommuDevQ);
        return;
      default:
        drainBacklog(this.iommuMemPort, this.iommuMemQ);
    }
  }

  // ---- link side ------------------------------------------------------------------------------

  private toLink(msg: Message, bytes: number): void {
    msg.sizeBytes = bytes;
    msg.headAt = 0;
    msg.sendAt = 0;
    sendOrQueue(this.linkPort, this.linkQ, msg);
  }

  private fromLink(msg: Message): void {
    if (msg.kind === DLLP_KIND) {
      this.dll.received(msg);
      this.pool.put(msg);
      return;
    }
    const d = this.dll.tlpReceived();
    if (d > 0) sendOrQueue(this.linkPort, this.linkQ, this.dll.dllp(this.pool, d));
    switch (msg.kind) {
      case MsgKind.MemRead:
        this.deviceRead(msg);
        return;
      case MsgKind.MemWrite:
        this.deviceWrite(msg);
        return;
      case MsgKind.MemReadResp:
      case MsgKind.MemWriteAck:
        // A completion for a host access to device memory: back to the northbridge.
        msg.sizeBytes = this.lineBytes;
        msg.headAt = 0;
        sendOrQueue(this.hostMemPort, this.hostMemQ, msg);
        return;
      case MsgKind.MmioReadResp:
        msg.sizeBytes = this.c.mmioPayloadBytes;
        msg.headAt = 0;
        sendOrQueue(this.hostMemPort, this.hostMemQ, msg);
        return;
      case MsgKind.XlatReq:
      case MsgKind.XlatInvalDone:
        if (msg.kind === MsgKind.XlatReq) this.stXlat.value++;
        if (!this.iommuDevPort.connected) throw new Error(`${this.name}: translation traffic from the device but no IOMMU is connected`);
        msg.headAt = 0;
        sendOrQueue(this.iommuDevPort, this.iommuDevQ, msg);
        return;
      default:
        throw new Error(`${this.name}: unexpected TLP kind ${msg.kind} from the device at tick ${this.sim.now}`);
    }
  }

  // ---- device reads and writes of host memory -------------------------------------------------

  private deviceRead(msg: Message): void {
    if (this.rdFreeTop === 0) throw new Error(`${this.name}: more than ${this.c.tags} device reads outstanding`);
    const s = this.rdFree[--this.rdFreeTop];
    const bytes = msg.aux & BYTES_MASK;
    const noSnoop = msg.aux & NO_SNOOP;
    const addr = msg.addr;
    const cb = this.c.completionBytes;
    this.rdBusy[s] = 1;
    this.rdTag[s] = msg.txnId;
    this.rdAddr[s] = addr;
    this.rdBytes[s] = bytes;
    this.rdFence[s] = this.wNext;
    this.rdNoSnoop[s] = noSnoop !== 0 ? 1 : 0;
    this.rdNextBlock[s] = 0;
    this.rdStart[s] = this.sim.now;
    this.stReadTlps.value++;
    this.stReadBytes.value += bytes;
    const base = s * this.maxBlocks;
    if (bytes > 0) {
      const firstBlock = Math.floor(addr / cb);
      this.rdFirstBlock[s] = firstBlock;
      this.rdBlocks[s] = Math.floor((addr + bytes - 1) / cb) - firstBlock + 1;
      for (let b = 0; b < this.rdBlocks[s]; b++) this.rdHave[base + b] = 0;
      const first = Math.floor(addr / this.lineBytes);
      const last = Math.floor((addr + bytes - 1) / this.lineBytes);
      for (let l = first; l <= last; l++) {
        const r = l === first ? msg : this.pool.get();
        r.kind = MsgKind.ReadReq;
        r.addr = l * this.lineBytes;
        r.txnId = (s << LINE_BITS) | (l - first);
        r.aux = noSnoop;
        this.lineRequest(r);
      }
    } else {
      // A zero-length read (a flush): one completion once earlier writes are done.
      this.rdBlocks[s] = 0;
      this.pool.put(msg);
      this.pumpCompletions(s);
    }
  }

  private deviceWrite(msg: Message): void {
    const bytes = msg.aux & BYTES_MASK;
    const noSnoop = msg.aux & NO_SNOOP;
    const addr = msg.addr;
    this.stWriteTlps.value++;
    this.stWriteBytes.value += bytes;
    const first = Math.floor(addr / this.lineBytes);
    const last = Math.floor((addr + Math.max(bytes, 1) - 1) / this.lineBytes);
    for (let l = first; l <= last; l++) {
      if (this.wNext - this.wOldest >= WRITE_RING) throw new Error(`${this.name}: more than ${WRITE_RING} device writes in flight`);
      const r = l === first ? msg : this.pool.get();
      r.kind = MsgKind.WriteLineReq;
      r.addr = l * this.lineBytes;
      r.txnId = WRITE_BIT | (this.wNext & (WRITE_RING - 1));
      r.aux = noSnoop;
      this.wNext++;
      this.lineRequest(r);
    }
  }

  private lineRequest(r: Message): void {
    r.sizeBytes = r.kind === MsgKind.WriteLineReq ? 8 + this.lineBytes : 8;
    r.issuedAt = this.sim.now;
    r.headAt = 0;
    r.sendAt = 0;
    r.hops = 0;
    if (this.nbOutstanding >= this.hostRequestLimit || this.reqQ.length > 0) {
      this.reqQ.push(r);
      return;
    }
    this.nbOutstanding++;
    sendOrQueue(this.nbPort, this.nbQ, r);
  }

  /** Data from the northbridge: release the line at its home, then use the fill. */
  private fromHost(msg: Message): void {
    if (msg.kind !== MsgKind.Data) throw new Error(`${this.name}: unexpected message kind ${msg.kind} from the northbridge at tick ${this.sim.now}`);
    const tag = msg.txnId;
    const line = msg.addr - (msg.addr % this.lineBytes);
    if (this.values !== null) this.checkData(tag, line / this.lineBytes, msg.version, msg.src);
    // SrcDone exactly as a core builds it (aux 1: the fill came from a shared cache). It goes
    // ahead of any waiting request: the home may hold a line for it.
    msg.aux = msg.dst === -1 ? 1 : 0;
    msg.kind = MsgKind.SrcDone;
    msg.addr = line;
    msg.sizeBytes = 4;
    msg.txnId = 0;
    msg.headAt = 0;
    msg.sendAt = 0;
    if (!this.nbPort.send(msg)) this.nbQ.pushFront(msg);
    this.nbOutstanding--;
    while (this.reqQ.length > 0 && this.nbOutstanding < this.hostRequestLimit) {
      this.nbOutstanding++;
      sendOrQueue(this.nbPort, this.nbQ, this.reqQ.shift() as Message);
    }
    if ((tag & WALK_BIT) !== 0) this.walkDone(tag & ~WALK_BIT);
    else if ((tag & WRITE_BIT) !== 0) this.writeDone(tag & (WRITE_RING - 1));
    else this.lineArrived(tag >>> LINE_BITS, line);
  }

  /**
   * Value tracking of a line request's answer (`source`: where its data came from): a whole-line
   * write is done, so its version is now the line's latest; a coherent read must have received
   * the latest. No-snoop reads are not checked.
   */
  private checkData(tag: number, lineNo: number, version: number, source: number): void {
    const values = this.values as ValueAudit;
    let write = (tag & WRITE_BIT) !== 0;
    if ((tag & WALK_BIT) !== 0) write = (this.walkMsgs[tag & ~WALK_BIT] as Message).kind === MsgKind.MemWrite;
    else if (!write && this.rdNoSnoop[tag >>> LINE_BITS] === 1) return;
    if (write) values.commit(lineNo, version);
    else values.read(this.name, lineNo, version, this.sim.now, (tag & WALK_BIT) !== 0 ? "IOMMU page-walk read" : "coherent DMA read", source);
  }

  private writeDone(seqLow: number): void {
    this.wDone[seqLow] = 1;
    const before = this.wOldest;
    while (this.wOldest < this.wNext && this.wDone[this.wOldest & (WRITE_RING - 1)] === 1) {
      this.wDone[this.wOldest & (WRITE_RING - 1)] = 0;
      this.wOldest++;
    }
    if (this.wOldest !== before && this.fenceWaiters > 0) {
      for (let s = 0; s < this.c.tags; s++) if (this.rdBusy[s] === 2) this.pumpCompletions(s);
    }
  }

  private lineArrived(s: number, line: number): void {
    const b = Math.floor(line / this.c.completionBytes) - this.rdFirstBlock[s];
    this.rdHave[s * this.maxBlocks + b]++;
    this.pumpCompletions(s);
  }

  /** Lines of block `b` of read slot `s` (the part of the block the read covers). */
  private linesInBlock(s: number, b: number): number {
    const cb = this.c.completionBytes;
    const addr = this.rdAddr[s];
    const end = addr + this.rdBytes[s];
    const bs = (this.rdFirstBlock[s] + b) * cb;
    const lo = bs > addr ? bs : addr;
    const hi = bs + cb < end ? bs + cb : end;
    return Math.floor((hi - 1) / this.lineBytes) - Math.floor(lo / this.lineBytes) + 1;
  }

  /** Sends, in address order, every completion of read slot `s` whose lines have all arrived. */
  private pumpCompletions(s: number): void {
    if (this.wOldest < this.rdFence[s]) {
      if (this.rdBusy[s] !== 2) {
        this.rdBusy[s] = 2;
        this.fenceWaiters++;
      }
      return;
    }
    if (this.rdBusy[s] === 2) {
      this.rdBusy[s] = 1;
      this.fenceWaiters--;
    }
    const cb = this.c.completionBytes;
    const base = s * this.maxBlocks;
    const addr = this.rdAddr[s];
    const end = addr + this.rdBytes[s];
    if (this.rdBlocks[s] === 0) {
      this.sendCompletion(s, addr, 0);
    } else {
      while (this.rdNextBlock[s] < this.rdBlocks[s]) {
        const b = this.rdNextBlock[s];
        if (this.rdHave[base + b] < this.linesInBlock(s, b)) return;
        const bs = (this.rdFirstBlock[s] + b) * cb;
        const lo = bs > addr ? bs : addr;
        const hi = bs + cb < end ? bs + cb : end;
        this.sendCompletion(s, lo, hi - lo);
        this.rdNextBlock[s] = b + 1;
      }
    }
    this.stReadLatency.sample(this.sim.now - this.rdStart[s]);
    this.rdBusy[s] = 0;
    this.rdFree[this.rdFreeTop++] = s;
  }

  private sendCompletion(s: number, addr: number, bytes: number): void {
    const m = this.pool.get();
    m.kind = MsgKind.MemReadResp;
    m.addr = addr;
    m.txnId = this.rdTag[s];
    m.aux = bytes;
    this.stCompletions.value++;
    // A zero-length read still returns one doubleword.
    this.toLink(m, completionTlpBytes(this.c, bytes > 0 ? bytes : 4));
  }

  // ---- host accesses to the device ------------------------------------------------------------

  private fromHostMem(msg: Message): void {
    switch (msg.kind) {
      case MsgKind.MemRead:
        this.stHostToDevice.value++;
        this.toLink(msg, readRequestTlpBytes(this.c, msg.addr));
        return;
      case MsgKind.MemWrite: {
        // Posted: accepted here, acknowledged at once; the data crosses the link.
        this.stHostToDevice.value++;
        const ack = this.pool.get();
        ack.kind = MsgKind.MemWriteAck;
        ack.addr = msg.addr;
        ack.txnId = msg.txnId;
        ack.src = msg.src;
        ack.dst = msg.dst;
        ack.sizeBytes = msg.sizeBytes;
        ack.version = msg.version;
        this.toLink(msg, writeTlpBytes(this.c, msg.addr, msg.sizeBytes > 0 ? msg.sizeBytes : this.lineBytes));
        sendOrQueue(this.hostMemPort, this.hostMemQ, ack);
        return;
      }
      case MsgKind.MmioRead:
        this.stMmio.value++;
        this.toLink(msg, readRequestTlpBytes(this.c, msg.addr));
        return;
      case MsgKind.MmioWrite:
        this.stMmio.value++;
        this.toLink(msg, writeTlpBytes(this.c, msg.addr, this.c.mmioPayloadBytes));
        return;
      default:
        throw new Error(`${this.name}: unexpected message kind ${msg.kind} from the host at tick ${this.sim.now}`);
    }
  }

  // ---- IOMMU page walks -----------------------------------------------------------------------

  private fromWalker(msg: Message): void {
    const slot = this.walkFree.length > 0 ? (this.walkFree.pop() as number) : this.walkMsgs.push(null) - 1;
    this.walkMsgs[slot] = msg;
    const r = this.pool.get();
    r.kind = msg.kind === MsgKind.MemWrite ? MsgKind.WriteLineReq : MsgKind.ReadReq;
    r.addr = msg.addr - (msg.addr % this.lineBytes);
    r.txnId = WALK_BIT | slot;
    r.aux = 0;
    this.lineRequest(r);
  }

  private walkDone(slot: number): void {
    const msg = this.walkMsgs[slot] as Message;
    this.walkMsgs[slot] = null;
    this.walkFree.push(slot);
    msg.kind = msg.kind === MsgKind.MemWrite ? MsgKind.MemWriteAck : MsgKind.MemReadResp;
    msg.headAt = 0;
    sendOrQueue(this.iommuMemPort, this.iommuMemQ, msg);
  }
}
