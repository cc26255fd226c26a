import { ClockDomain } from "../../kernel/clock-domain.ts";
import type { EventHandler } from "../../kernel/event-queue.ts";
import { MessageQueue, type Message, type MessagePool } from "../../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../../kernel/port.ts";
import type { Simulator } from "../../kernel/simulator.ts";
import { MsgKind, XLAT_BLOCKED } from "../../mem/msg-kind.ts";
import type { Counter } from "../../stats/counter.ts";
import type { Histogram } from "../../stats/histogram.ts";
import type { StatsRegistry } from "../../stats/registry.ts";
import { GpuCache } from "./gpu-cache.ts";
import { decodeKernel, GpuOp, type DecodedKernel, type GpuKernel } from "./gpu-kernel.ts";
import { resolveGpuParams, type GpuParams, type GpuParamsInput } from "./gpu-params.ts";
import { GpuTlb } from "./gpu-tlb.ts";

/** What `launch`'s `done` handler receives as its payload when a kernel has finished. */
export interface GpuKernelResult {
  /** Kernel kind. */
  kernel: string;
  /** Tick the launch began. */
  startPs: number;
  /** Tick the last write-back of the release was accepted by memory. */
  endPs: number;
  /** endPs - startPs. */
  timePs: number;
  /** Vector memory instructions issued. */
  instructions: number;
  /** Line requests the coalescer produced. */
  lines: number;
  /** Bytes read from memory through the memory port. */
  memBytesRead: number;
  /** Bytes written to memory through the memory port. */
  memBytesWritten: number;
  /** Bytes the program's lanes asked for (elements x element bytes x accesses per element). */
  programBytes: number;
  /** (memBytesRead + memBytesWritten) / timePs, in GB/s. */
  memGBs: number;
  /** programBytes / timePs, in GB/s. */
  programGBs: number;
  /** Lane accesses dropped because their translation was blocked. */
  blockedAccesses: number;
  /** Translation requests sent. */
  xlatRequests: number;
}

// Event kinds.
const EV_WAVE = 0;
const EV_L1 = 1;
const EV_L2 = 2;
const EV_XLAT_SEND = 3;

const NIL = -1;
// Message kinds as module constants (no property lookup through the import on the hot path).
const MEM_READ = MsgKind.MemRead;
const MEM_WRITE = MsgKind.MemWrite;
const MEM_READ_RESP = MsgKind.MemReadResp;
const MEM_WRITE_ACK = MsgKind.MemWriteAck;
const XLAT_REQ = MsgKind.XlatReq;
const XLAT_RESP = MsgKind.XlatResp;
const XLAT_INVAL = MsgKind.XlatInval;
const XLAT_INVAL_DONE = MsgKind.XlatInvalDone;
const BLOCKED = XLAT_BLOCKED;
/** The per-instruction page scratch keys pages by 4 KiB frames (the smallest page a response gives). */
const XLAT_KEY_BYTES = 4096;
/** Page status in the per-instruction scratch: translated, waiting on a miss register, stalled. */
const PG_READY = 0;
const PG_PENDING = 1;
const PG_STALLED = 2;

/**
 * A GPU: compute units run the wavefronts of one kernel at a time; each vector memory instruction
 * is coalesced into line requests, translated through a per-CU L1 TLB and a shared L2 TLB (misses
 * go out as XlatReq on `xlatPort`), looked up in the CU's write-through L1 and the banked
 * write-back L2, whose misses and write-backs go out on `memPort` as MemRead / MemWrite. A kernel
 * starts by invalidating the L1s and ends by writing the L2's dirty lines back (acquire/release).
 */
export class GpuAgent implements PortOwner, EventHandler {
  /** Component path, e.g. `gpu0`. */
  readonly name: string;
  /** Line memory protocol, physical addresses: L2 misses and write-backs. */
  readonly memPort: Port;
  /** Translation protocol: XlatReq out, XlatResp in; XlatInval in, XlatInvalDone out. */
  readonly xlatPort: Port;
  /** The resolved parameters. */
  readonly params: GpuParams;
  /** The core clock. */
  readonly clock: ClockDomain;
  /** Per-CU L1 vector caches. */
  readonly l1: GpuCache[];
  /** L2 banks. */
  readonly l2: GpuCache[];
  /** Per-CU L1 TLBs. */
  readonly l1Tlb: GpuTlb[];
  /** The shared L2 TLB. */
  readonly l2Tlb: GpuTlb;

  private readonly sim: Simulator;
  private readonly pool: MessagePool;
  /** Per L2 bank: memory requests the memory port refused, oldest first. */
  private readonly memBacklog: MessageQueue[];
  private memQueued: number;
  /** The bank whose refused request goes first when the memory port has room again. */
  private drainNext: number;
  private readonly xlatBacklog: MessageQueue;
  private readonly periodPs: number;
  private readonly lineBytes: number;
  private readonly lanes: number;
  private readonly cus: number;
  private readonly slotsPerCu: number;
  private readonly aluPs: number;
  private readonly l1LatPs: number;
  private readonly l2LatPs: number;
  private readonly l1TlbPs: number;
  private readonly l2TlbPs: number;
  private readonly l1Mshrs: number;
  private readonly banks: number;
  private readonly l2MshrsPerBank: number;
  private readonly xlMshrs: number;

  // Kernel in flight.
  private kern: DecodedKernel | null;
  private done: EventHandler | null;
  private doneKind: number;
  private nextWg: number;
  private activeWaves: number;
  private flushing: boolean;
  private startPs: number;
  private rrCu: number;
  private readonly snap: Float64Array;

  // Wavefronts (struct of arrays, index = cu * slotsPerCu + slot).
  private readonly wvActive: Uint8Array;
  private readonly wvWaiting: Uint8Array;
  private readonly wvPc: Int32Array;
  private readonly wvIter: Int32Array;
  private readonly wvWg: Int32Array;
  private readonly wvInWg: Int32Array;
  private readonly wvElem: Float64Array;
  private readonly wvLaneCount: Int32Array;
  private readonly wvLoads: Int32Array;
  private readonly wvReadyAt: Float64Array;
  private readonly cuFree: Int32Array;

  // Line requests (struct of arrays, a free list threaded through lrNext).
  private lrCap: number;
  private lrFree: number;
  private lrInFlight: number;
  private lrWave: Int32Array;
  private lrCu: Int32Array;
  private lrStore: Uint8Array;
  private lrBytes: Int32Array;
  private lrLanes: Int32Array;
  private lrL1Mshr: Int32Array;
  private lrNext: Int32Array;
  private lrNext2: Int32Array;
  private lrVline: Float64Array;
  private lrPline: Float64Array;
  private lrIssued: Float64Array;

  // Pipelines: the tick from which each CU's L1 and each L2 bank takes its next line.
  private readonly l1FreeAt: Float64Array;
  private readonly bankFreeAt: Float64Array;

  // L1 miss registers (index = cu * l1Mshrs + i), with a per-CU FIFO of requests waiting for one.
  private readonly l1mLine: Float64Array;
  private readonly l1mHead: Int32Array;
  private readonly l1mTail: Int32Array;
  private readonly l1mUsed: Int32Array;
  /** Per CU: line -> its miss register, and a stack of free miss registers (no scan per miss). */
  private readonly l1mIndex: Map<number, number>[];
  private readonly l1mFree: Int32Array;
  private readonly l1mFreeTop: Int32Array;
  private readonly cuStallHead: Int32Array;
  private readonly cuStallTail: Int32Array;

  // L2 miss registers (index = bank * mshrsPerBank + i), lists through lrNext2.
  private readonly l2mLine: Float64Array;
  private readonly l2mDirty: Uint8Array;
  private readonly l2mHead: Int32Array;
  private readonly l2mTail: Int32Array;
  private readonly l2mUsed: Int32Array;
  /** Per bank: line -> its miss register, and a stack of free miss registers. */
  private readonly l2mIndex: Map<number, number>[];
  private readonly l2mFree: Int32Array;
  private readonly l2mFreeTop: Int32Array;
  private readonly bankStallHead: Int32Array;
  private readonly bankStallTail: Int32Array;

  // Translation miss registers of the L2 TLB.
  /** Page number at the register's key size, or -1 when free. */
  private readonly xlKey: Float64Array;
  private readonly xlKeyBytes: Float64Array;
  /** Misses merge by pages of the largest size translations have given so far (4 KiB at first). */
  private xlMergeBytes: number;
  private readonly xlVa: Float64Array;
  private readonly xlWrite: Uint8Array;
  private readonly xlNoFill: Uint8Array;
  private readonly xlHead: Int32Array;
  private readonly xlTail: Int32Array;
  private xlUsed: number;
  private xlStallHead: number;
  private xlStallTail: number;

  // Outstanding memory writes (victims and the release) and reads.
  private memWrites: number;
  private memReads: number;

  // Coalescer scratch (one instruction at a time).
  private scLine: Float64Array;
  private scBytes: Int32Array;
  private scLanes: Int32Array;
  private pgKey: Float64Array;
  private pgStatus: Uint8Array;
  private pgDelta: Float64Array;
  private pgReady: Float64Array;
  private pgMshr: Int32Array;

  // Time integrals for averages.
  private lrIntegral: number;
  private memReadIntegral: number;
  private integralSince: number;
  private busyPs: number;

  // Statistics.
  private readonly stInstructions: Counter;
  private readonly stLines: Counter;
  private readonly stLinesPerInstr: Histogram;
  private readonly stL1Hits: Counter;
  private readonly stL1Misses: Counter;
  private readonly stL1Merges: Counter;
  private readonly stL1WriteThroughs: Counter;
  private readonly stL2Hits: Counter;
  private readonly stL2Misses: Counter;
  private readonly stL2Merges: Counter;
  private readonly stL2FullLineAllocs: Counter;
  private readonly stL2Writebacks: Counter;
  private readonly stL1TlbHits: Counter;
  private readonly stL1TlbMisses: Counter;
  private readonly stL2TlbHits: Counter;
  private readonly stL2TlbMisses: Counter;
  private readonly stXlatMerges: Counter;
  private readonly stXlatRequests: Counter;
  private readonly stXlatInvals: Counter;
  private readonly stBlocked: Counter;
  private readonly stBlockedLines: Counter;
  private readonly stMemRead: Counter;
  private readonly stMemWritten: Counter;
  private readonly stKernels: Counter;
  private readonly stKernelPs: Counter;
  private readonly stProgramBytes: Counter;
  private readonly stLoadLatency: Histogram;
  private readonly stXlatLatency: Histogram;

  constructor(sim: Simulator, stats: StatsRegistry, pool: MessagePool, name: string, params: GpuParamsInput = {}) {
    const p = resolveGpuParams(params, name);
    this.name = name;
    this.sim = sim;
    this.pool = pool;
    this.params = p;
    this.clock = new ClockDomain(p.clockGHz);
    this.memPort = new Port(this, `${name}.mem`, 0);
    this.xlatPort = new Port(this, `${name}.xlat`, 1);
    this.memBacklog = [];
    for (let b = 0; b < p.l2.banks; b++) this.memBacklog.push(new MessageQueue());
    this.memQueued = 0;
    this.drainNext = 0;
    this.xlatBacklog = new MessageQueue();
    const T = this.clock.periodPs;
    this.periodPs = T;
    this.lineBytes = p.lineBytes;
    this.lanes = p.wavefrontLanes;
    this.cus = p.computeUnits;
    this.slotsPerCu = p.waveSlotsPerCu;
    this.aluPs = p.aluCyclesPerMemInstr * T;
    this.l1LatPs = p.l1.latencyCycles * T;
    this.l2LatPs = p.l2.latencyCycles * T;
    this.l1TlbPs = p.l1Tlb.latencyCycles * T;
    this.l2TlbPs = p.l2Tlb.latencyCycles * T;
    this.l1Mshrs = p.l1.mshrs;
    this.banks = p.l2.banks;
    this.l2MshrsPerBank = p.l2.mshrsPerBank;
    this.xlMshrs = p.l2Tlb.outstandingMisses;

    this.l1 = [];
    this.l1Tlb = [];
    for (let c = 0; c < this.cus; c++) {
      this.l1.push(new GpuCache(`${name}.cu${c}.l1`, p.l1.sizeBytes, p.l1.assoc, p.lineBytes));
      this.l1Tlb.push(new GpuTlb(`${name}.cu${c}.tlb`, p.l1Tlb.entries, p.l1Tlb.entries));
    }
    this.l2 = [];
    for (let b = 0; b < this.banks; b++) this.l2.push(new GpuCache(`${name}.l2.bank${b}`, p.l2.sizeBytes / this.banks, p.l2.assoc, p.lineBytes, this.banks));
    this.l2Tlb = new GpuTlb(`${name}.l2tlb`, p.l2Tlb.entries, p.l2Tlb.assoc);

    this.kern = null;
    this.done = null;
    this.doneKind = 0;
    this.nextWg = 0;
    this.activeWaves = 0;
    this.flushing = false;
    this.startPs = 0;
    this.rrCu = 0;
    this.snap = new Float64Array(8);

    const nw = this.cus * this.slotsPerCu;
    this.wvActive = new Uint8Array(nw);
    this.wvWaiting = new Uint8Array(nw);
    this.wvPc = new Int32Array(nw);
    this.wvIter = new Int32Array(nw);
    this.wvWg = new Int32Array(nw);
    this.wvInWg = new Int32Array(nw);
    this.wvElem = new Float64Array(nw);
    this.wvLaneCount = new Int32Array(nw);
    this.wvLoads = new Int32Array(nw);
    this.wvReadyAt = new Float64Array(nw);
    this.cuFree = new Int32Array(this.cus).fill(this.slotsPerCu);

    this.lrCap = 0;
    this.lrFree = NIL;
    this.lrInFlight = 0;
    this.lrWave = new Int32Array(0);
    this.lrCu = new Int32Array(0);
    this.lrStore = new Uint8Array(0);
    this.lrBytes = new Int32Array(0);
    this.lrLanes = new Int32Array(0);
    this.lrL1Mshr = new Int32Array(0);
    this.lrNext = new Int32Array(0);
    this.lrNext2 = new Int32Array(0);
    this.lrVline = new Float64Array(0);
    this.lrPline = new Float64Array(0);
    this.lrIssued = new Float64Array(0);
    this.growLr(Math.max(1024, nw * 8));

    this.l1FreeAt = new Float64Array(this.cus);
    this.bankFreeAt = new Float64Array(this.banks);

    const n1 = this.cus * this.l1Mshrs;
    this.l1mLine = new Float64Array(n1).fill(-1);
    this.l1mHead = new Int32Array(n1).fill(NIL);
    this.l1mTail = new Int32Array(n1).fill(NIL);
    this.l1mUsed = new Int32Array(this.cus);
    this.l1mIndex = Array.from({ length: this.cus }, () => new Map<number, number>());
    this.l1mFree = new Int32Array(n1);
    this.l1mFreeTop = new Int32Array(this.cus);
    for (let c = 0; c < this.cus; c++) {
      for (let k = 0; k < this.l1Mshrs; k++) this.l1mFree[c * this.l1Mshrs + k] = c * this.l1Mshrs + this.l1Mshrs - 1 - k;
      this.l1mFreeTop[c] = this.l1Mshrs;
    }
    this.cuStallHead = new Int32Array(this.cus).fill(NIL);
    this.cuStallTail = new Int32Array(this.cus).fill(NIL);

    const n2 = this.banks * this.l2MshrsPerBank;
    this.l2mLine = new Float64Array(n2).fill(-1);
    this.l2mDirty = new Uint8Array(n2);
    this.l2mHead = new Int32Array(n2).fill(NIL);
    this.l2mTail = new Int32Array(n2).fill(NIL);
    this.l2mUsed = new Int32Array(this.banks);
    this.l2mIndex = Array.from({ length: this.banks }, () => new Map<number, number>());
    this.l2mFree = new Int32Array(n2);
    this.l2mFreeTop = new Int32Array(this.banks);
    for (let b = 0; b < this.banks; b++) {
      for (let k = 0; k < this.l2MshrsPerBank; k++) this.l2mFree[b * this.l2MshrsPerBank + k] = b * this.l2MshrsPerBank + this.l2MshrsPerBank - 1 - k;
      this.l2mFreeTop[b] = this.l2MshrsPerBank;
    }
    this.bankStallHead = new Int32Array(this.banks).fill(NIL);
    this.bankStallTail = new Int32Array(this.banks).fill(NIL);

    this.xlKey = new Float64Array(this.xlMshrs).fill(-1);
    this.xlKeyBytes = new Float64Array(this.xlMshrs).fill(XLAT_KEY_BYTES);
    this.xlMergeBytes = XLAT_KEY_BYTES;
    this.xlVa = new Float64Array(this.xlMshrs);
    this.xlWrite = new Uint8Array(this.xlMshrs);
    this.xlNoFill = new Uint8Array(this.xlMshrs);
    this.xlHead = new Int32Array(this.xlMshrs).fill(NIL);
    this.xlTail = new Int32Array(this.xlMshrs).fill(NIL);
    this.xlUsed = 0;
    this.xlStallHead = NIL;
    this.xlStallTail = NIL;

    this.memWrites = 0;
    this.memReads = 0;

    this.scLine = new Float64Array(0);
    this.scBytes = new Int32Array(0);
    this.scLanes = new Int32Array(0);
    this.pgKey = new Float64Array(0);
    this.pgStatus = new Uint8Array(0);
    this.pgDelta = new Float64Array(0);
    this.pgReady = new Float64Array(0);
    this.pgMshr = new Int32Array(0);
    this.allocScratch(2 * this.lanes);

    this.lrIntegral = 0;
    this.memReadIntegral = 0;
    this.integralSince = 0;
    this.busyPs = 0;

    const c = (leaf: string, unit: string, desc: string): Counter => stats.counter(`${name}.${leaf}`, unit, desc);
    this.stInstructions = c("instructions", "count", "vector memory instructions issued");
    this.stLines = c("lineRequests", "count", "line requests produced by the coalescer");
    this.stLinesPerInstr = stats.histogram(`${name}.linesPerInstruction`, "lines", "distinct lines touched by one vector memory instruction");
    this.stL1Hits = c("l1.hits", "count", "L1 vector cache load hits");
    this.stL1Misses = c("l1.misses", "count", "L1 vector cache load misses (merged ones included)");
    this.stL1Merges = c("l1.mshrMerges", "count", "L1 load misses merged into an outstanding miss to the same line");
    this.stL1WriteThroughs = c("l1.writeThroughs", "count", "store line requests passed through the L1 to the L2");
    this.stL2Hits = c("l2.hits", "count", "L2 hits (loads and stores)");
    this.stL2Misses = c("l2.misses", "count", "L2 misses (loads and partial-line stores; merged ones included)");
    this.stL2Merges = c("l2.mshrMerges", "count", "L2 misses merged into an outstanding read of the same line");
    this.stL2FullLineAllocs = c("l2.fullLineAllocs", "count", "whole-line stores that allocated a line without reading memory");
    this.stL2Writebacks = c("l2.writebacks", "count", "dirty lines written to memory (victims and kernel-end release)");
    this.stL1TlbHits = c("tlb.l1.hits", "count", "L1 TLB hits (one lookup per distinct page of an instruction)");
    this.stL1TlbMisses = c("tlb.l1.misses", "count", "L1 TLB misses");
    this.stL2TlbHits = c("tlb.l2.hits", "count", "L2 TLB hits");
    this.stL2TlbMisses = c("tlb.l2.misses", "count", "L2 TLB misses (merged ones included)");
    this.stXlatMerges = c("tlb.l2.missMerges", "count", "L2 TLB misses merged into an outstanding translation of the same page");
    this.stXlatRequests = c("xlatRequests", "count", "translation requests sent on the translation port");
    this.stXlatInvals = c("xlatInvalidations", "count", "invalidation requests received and answered");
    this.stBlocked = c("blockedAccesses", "count", "lane accesses dropped because their translation was blocked");
    this.stBlockedLines = c("blockedLines", "count", "line requests dropped because their translation was blocked");
    this.stMemRead = c("memBytesRead", "bytes", "bytes read from memory through the memory port");
    this.stMemWritten = c("memBytesWritten", "bytes", "bytes written to memory through the memory port");
    this.stKernels = c("kernels", "count", "kernels completed");
    this.stKernelPs = c("kernelTimePs", "ps", "time from launch to the release's last accepted write, summed over kernels");
    this.stProgramBytes = c("programBytes", "bytes", "bytes the kernels' lanes read and wrote, before caching");
    this.stLoadLatency = stats.histogram(`${name}.loadLatencyPs`, "ps", "line load latency, instruction issue to data back");
    this.stXlatLatency = stats.histogram(`${name}.xlatLatencyPs`, "ps", "translation request to response");
    stats.formula(`${name}.memGBs`, "GB/s", "memory bytes read and written over kernel time", () => (this.stMemRead.value + this.stMemWritten.value) / this.stKernelPs.value * 1000);
    stats.formula(`${name}.programGBs`, "GB/s", "bytes the lanes asked for over kernel time", () => this.stProgramBytes.value / this.stKernelPs.value * 1000);
    stats.formula(`${name}.avgOutstandingLines`, "count", "line requests in flight, averaged over kernel time", () => this.lrIntegral / this.busyPs);
    stats.formula(`${name}.avgOutstandingMemReads`, "count", "memory reads in flight, averaged over kernel time", () => this.memReadIntegral / this.busyPs);
  }

  /** True while a kernel runs (launch to the release's last accepted write). */
  get busy(): boolean {
    return this.kern !== null;
  }

  /**
   * Runs `kernel`: invalidates the L1s, dispatches workgroups to CUs round-robin as wavefront
   * slots free, and when the last write of the release is accepted by memory calls
   * `done.handleEvent(kind, result)` with a GpuKernelResult.
   */
  launch(kernel: GpuKernel, done: EventHandler, kind: number): void {
    if (this.kern !== null) throw new Error(`${this.name}: launch at tick ${this.sim.now} while a ${this.kern.kernel.kind} kernel is still running`);
    const dk = decodeKernel(kernel, this.lanes, this.name);
    if (dk.indices !== null && (this.lineBytes % dk.elementBytes !== 0 || dk.bases[1] % dk.elementBytes !== 0)) {
      throw new Error(`${this.name}: gather elements of ${dk.elementBytes} B must not straddle ${this.lineBytes} B lines (element size dividing the line, table aligned to it)`);
    }
    const wavesPerWg = kernel.workgroupSize / this.lanes;
    if (wavesPerWg > this.slotsPerCu) throw new Error(`${this.name}: a workgroup of ${kernel.workgroupSize} threads needs ${wavesPerWg} wavefront slots; a CU has ${this.slotsPerCu}`);
    // An instruction touches at most lanes x (lines per element + 1) lines: size the scratch for it.
    const maxLines = this.lanes * (Math.ceil(dk.elementBytes / this.lineBytes) + 1);
    if (maxLines > this.scLine.length) this.allocScratch(maxLines);
    this.kern = dk;
    this.done = done;
    this.doneKind = kind;
    this.nextWg = 0;
    this.activeWaves = 0;
    this.flushing = false;
    this.startPs = this.sim.now;
    this.integralSince = this.sim.now;
    const s = this.snap;
    s[0] = this.stInstructions.value;
    s[1] = this.stLines.value;
    s[2] = this.stMemRead.value;
    s[3] = this.stMemWritten.value;
    s[4] = this.stBlocked.value;
    s[5] = this.stXlatRequests.value;
    // Acquire: the L1s may hold lines the host has since written.
    for (let c = 0; c < this.cus; c++) this.l1[c].invalidateAll();
    this.dispatch();
  }

  // ---- ports ----------------------------------------------------------------------------------

  /** A memory response, a translation response or an invalidation; always accepted. */
  recv(port: Port, msg: Message): boolean {
    const k = msg.kind;
    if (port === this.memPort) {
      if (k === MEM_READ_RESP) this.onMemRead(msg);
      else if (k === MEM_WRITE_ACK) this.onWriteAck(msg);
      else throw new Error(`${this.name}: unexpected message kind ${k} on the memory port at tick ${this.sim.now}`);
      return true;
    }
    if (k === XLAT_RESP) this.onXlatResp(msg);
    else if (k === XLAT_INVAL) this.onXlatInval(msg);
    else throw new Error(`${this.name}: unexpected message kind ${k} on the translation port at tick ${this.sim.now}`);
    return true;
  }

  /** A port that refused a send has room again: send what waits. */
  wake(port: Port): void {
    if (port === this.memPort) this.drainMem();
    else drainBacklog(this.xlatPort, this.xlatBacklog);
  }

  /** Events: a wavefront's next instruction, a line at the L1 or an L2 bank, a translation send. */
  handleEvent(kind: number, payload: unknown): void {
    const i = payload as number;
    if (kind === EV_L1) this.atL1(i);
    else if (kind === EV_L2) this.atL2(i);
    else if (kind === EV_WAVE) this.runWave(i);
    else this.sendXlat(i);
  }

  // ---- dispatch and wavefronts ------------------------------------------------------------------

  private dispatch(): void {
    const k = this.kern;
    if (k === null) return;
    const wavesPerWg = k.kernel.workgroupSize / this.lanes;
    const now = this.sim.now;
    while (this.nextWg < k.workgroups) {
      let cu = -1;
      for (let n = 0; n < this.cus; n++) {
        const c = (this.rrCu + n) % this.cus;
        if (this.cuFree[c] >= wavesPerWg) {
          cu = c;
          break;
        }
      }
      if (cu < 0) break;
      this.rrCu = (cu + 1) % this.cus;
      const wg = this.nextWg++;
      let slot = 0;
      for (let j = 0; j < wavesPerWg; j++) {
        let w = cu * this.slotsPerCu + slot;
        while (this.wvActive[w] === 1) w = cu * this.slotsPerCu + ++slot;
        this.wvActive[w] = 1;
        this.wvWaiting[w] = 0;
        this.wvWg[w] = wg;
        this.wvInWg[w] = j;
        this.wvIter[w] = 0;
        this.wvPc[w] = 0;
        this.wvLoads[w] = 0;
        this.wvReadyAt[w] = now;
        this.cuFree[cu]--;
        this.activeWaves++;
        this.sim.schedule(this, 0, EV_WAVE, w);
      }
    }
  }

  /** Sets a wavefront's element range for its current iteration; false when it has none left. */
  private startIteration(w: number): boolean {
    const k = this.kern as DecodedKernel;
    if (this.wvIter[w] >= k.elementsPerThread) return false;
    const wgSize = k.kernel.workgroupSize;
    // Grid-stride: iteration i of workgroup g covers chunk i * workgroups + g of the array.
    const e0 = (this.wvIter[w] * k.workgroups + this.wvWg[w]) * wgSize + this.wvInWg[w] * this.lanes;
    const n = k.kernel.elements;
    if (e0 >= n) return false;
    this.wvElem[w] = e0;
    this.wvLaneCount[w] = Math.min(this.lanes, n - e0);
    return true;
  }

  private runWave(w: number): void {
    const k = this.kern as DecodedKernel;
    const prog = k.program;
    if (this.wvPc[w] === 0 && !this.startIteration(w)) {
      this.finishWave(w);
      return;
    }
    for (;;) {
      const word = prog[this.wvPc[w]];
      const op = word & 15;
      if (op === GpuOp.Wait) {
        if (this.wvLoads[w] > 0) {
          this.wvWaiting[w] = 1;
          return;
        }
        this.wvPc[w]++;
        continue;
      }
      if (op === GpuOp.End) {
        this.wvIter[w]++;
        this.wvPc[w] = 0;
        if (!this.startIteration(w)) {
          this.finishWave(w);
          return;
        }
        continue;
      }
      const now = this.sim.now;
      if (now < this.wvReadyAt[w]) {
        this.sim.scheduleAt(this, this.wvReadyAt[w], EV_WAVE, w);
        return;
      }
      this.issue(w, op, word >> 4);
      this.wvPc[w]++;
      this.wvReadyAt[w] = now + this.aluPs;
    }
  }

  private finishWave(w: number): void {
    this.wvActive[w] = 0;
    this.cuFree[(w / this.slotsPerCu) | 0]++;
    this.activeWaves--;
    this.dispatch();
    this.checkDone();
  }

  // ---- coalescing and translation -------------------------------------------------------------

  private issue(w: number, op: number, slot: number): void {
    const k = this.kern as DecodedKernel;
    const LB = this.lineBytes;
    const eb = k.elementBytes;
    const e0 = this.wvElem[w];
    const n = this.wvLaneCount[w];
    const store = op === GpuOp.Store;
    const sl = this.scLine;
    const sb = this.scBytes;
    const sn = this.scLanes;
    let L = 0;
    if (op === GpuOp.Gather) {
      const idx = k.indices as Int32Array;
      const tb = k.bases[slot];
      for (let l = 0; l < n; l++) {
        const va = tb + idx[e0 + l] * eb;
        const line = va - (va % LB);
        let j = 0;
        while (j < L && sl[j] !== line) j++;
        if (j === L) {
          sl[L] = line;
          sb[L] = 0;
          sn[L] = 0;
          L++;
        }
        sb[j] += eb;
        sn[j]++;
      }
    } else {
      const start = k.bases[slot] + e0 * eb;
      const end = start + n * eb;
      for (let line = start - (start % LB); line < end; line += LB) {
        const bytes = Math.min(end, line + LB) - Math.max(start, line);
        sl[L] = line;
        sb[L] = bytes;
        sn[L] = Math.ceil(bytes / eb);
        L++;
      }
    }
    this.stInstructions.value++;
    this.stLines.value += L;
    this.stLinesPerInstr.sample(L);
    this.account();
    const now = this.sim.now;
    const cu = (w / this.slotsPerCu) | 0;
    let pages = 0;
    for (let j = 0; j < L; j++) {
      const vline = sl[j];
      const key = Math.floor(vline / XLAT_KEY_BYTES);
      let p = 0;
      while (p < pages && this.pgKey[p] !== key) p++;
      if (p === pages) {
        pages++;
        this.pgKey[p] = key;
        this.translate(p, cu, vline, store, now);
      }
      const lr = this.allocLr();
      this.lrWave[lr] = store ? NIL : w;
      this.lrCu[lr] = cu;
      this.lrStore[lr] = store ? 1 : 0;
      this.lrBytes[lr] = sb[j];
      this.lrLanes[lr] = sn[j];
      this.lrVline[lr] = vline;
      this.lrIssued[lr] = now;
      this.lrInFlight++;
      if (!store) this.wvLoads[w]++;
      const st = this.pgStatus[p];
      if (st === PG_READY) {
        this.lrPline[lr] = vline + this.pgDelta[p];
        this.enterL1(lr, this.pgReady[p]);
      } else if (st === PG_PENDING) {
        this.appendXl(this.pgMshr[p], lr);
      } else {
        this.pushXlStall(lr);
      }
    }
  }

  /** Looks up the page of `va` for scratch page `p`: L1 TLB, L2 TLB, then a miss register. */
  private translate(p: number, cu: number, va: number, write: boolean, now: number): void {
    let d = this.l1Tlb[cu].lookup(va);
    if (d === d) {
      this.stL1TlbHits.value++;
      this.pgStatus[p] = PG_READY;
      this.pgDelta[p] = d;
      this.pgReady[p] = now + this.l1TlbPs;
      return;
    }
    this.stL1TlbMisses.value++;
    d = this.l2Tlb.lookup(va);
    if (d === d) {
      this.stL2TlbHits.value++;
      this.fillL1TlbFromL2(cu, va);
      this.pgStatus[p] = PG_READY;
      this.pgDelta[p] = d;
      this.pgReady[p] = now + this.l1TlbPs + this.l2TlbPs;
      return;
    }
    this.stL2TlbMisses.value++;
    const m = this.xlFind(va);
    if (m >= 0) {
      this.stXlatMerges.value++;
      this.pgStatus[p] = PG_PENDING;
      this.pgMshr[p] = m;
      return;
    }
    const f = this.xlAlloc(va, write);
    if (f < 0) {
      this.pgStatus[p] = PG_STALLED;
      return;
    }
    this.pgStatus[p] = PG_PENDING;
    this.pgMshr[p] = f;
    this.sim.schedule(this, this.l1TlbPs + this.l2TlbPs, EV_XLAT_SEND, f);
  }

  /** Copies an L2 TLB entry (just looked up) into a CU's L1 TLB. */
  private fillL1TlbFromL2(cu: number, va: number): void {
    const t = this.l2Tlb;
    const shift = t.lastShift;
    const bytes = 2 ** shift;
    const vbase = Math.floor(va / bytes) * bytes;
    this.l1Tlb[cu].insert(va, shift, vbase + t.lastDelta);
  }

  /** The miss register whose page (at its key size) holds `va`, or NIL. */
  private xlFind(va: number): number {
    const keys = this.xlKey;
    for (let m = 0; m < this.xlMshrs; m++) {
      const k = keys[m];
      if (k >= 0 && k === Math.floor(va / this.xlKeyBytes[m])) return m;
    }
    return NIL;
  }

  private xlAlloc(va: number, write: boolean): number {
    if (this.xlUsed === this.xlMshrs) return NIL;
    const keys = this.xlKey;
    let m = 0;
    while (keys[m] >= 0) m++;
    keys[m] = Math.floor(va / this.xlMergeBytes);
    this.xlKeyBytes[m] = this.xlMergeBytes;
    this.xlVa[m] = va;
    this.xlWrite[m] = write ? 1 : 0;
    this.xlNoFill[m] = 0;
    this.xlHead[m] = NIL;
    this.xlTail[m] = NIL;
    this.xlUsed++;
    return m;
  }

  private appendXl(m: number, lr: number): void {
    this.lrNext[lr] = NIL;
    if (this.xlTail[m] === NIL) this.xlHead[m] = lr;
    else this.lrNext[this.xlTail[m]] = lr;
    this.xlTail[m] = lr;
  }

  private pushXlStall(lr: number): void {
    this.lrNext[lr] = NIL;
    if (this.xlStallTail === NIL) this.xlStallHead = lr;
    else this.lrNext[this.xlStallTail] = lr;
    this.xlStallTail = lr;
  }

  private sendXlat(m: number): void {
    const msg = this.pool.get();
    msg.kind = XLAT_REQ;
    msg.addr = this.xlVa[m];
    msg.aux = this.xlWrite[m];
    msg.txnId = m;
    msg.src = this.params.requesterId;
    msg.sizeBytes = 16;
    msg.issuedAt = this.sim.now;
    this.stXlatRequests.value++;
    sendOrQueue(this.xlatPort, this.xlatBacklog, msg);
  }

  private onXlatResp(msg: Message): void {
    const m = msg.txnId;
    if (!(m >= 0 && m < this.xlMshrs && this.xlKey[m] >= 0)) throw new Error(`${this.name}: translation response for miss register ${m}, which is not outstanding (tick ${this.sim.now})`);
    const shift = msg.aux;
    const physBase = msg.addr;
    this.stXlatLatency.sample(this.sim.now - msg.issuedAt);
    this.pool.put(msg);
    const va = this.xlVa[m];
    const fill = this.xlNoFill[m] === 0;
    let lr = this.xlHead[m];
    this.xlKey[m] = -1;
    this.xlHead[m] = NIL;
    this.xlTail[m] = NIL;
    this.xlUsed--;
    const now = this.sim.now;
    if (shift === BLOCKED) {
      while (lr !== NIL) {
        const nx = this.lrNext[lr];
        this.stBlocked.value += this.lrLanes[lr];
        this.stBlockedLines.value++;
        this.complete(lr);
        lr = nx;
      }
    } else {
      const bytes = 2 ** shift;
      if (bytes > this.xlMergeBytes) this.xlMergeBytes = bytes;
      const vbase = Math.floor(va / bytes) * bytes;
      const delta = physBase - vbase;
      if (fill) this.l2Tlb.insert(va, shift, physBase);
      let lastCu = -1;
      while (lr !== NIL) {
        const nx = this.lrNext[lr];
        const v = this.lrVline[lr];
        if (v < vbase || v >= vbase + bytes) {
          // Merged by a larger page size than this translation turned out to have: ask again.
          this.pushXlStall(lr);
          lr = nx;
          continue;
        }
        const cu = this.lrCu[lr];
        if (fill && cu !== lastCu) this.l1Tlb[cu].insert(va, shift, physBase);
        lastCu = cu;
        this.lrPline[lr] = this.lrVline[lr] + delta;
        this.enterL1(lr, now);
        lr = nx;
      }
    }
    this.retryXlStall();
  }

  /** Requests waiting for a free translation miss register try again (oldest first). */
  private retryXlStall(): void {
    const now = this.sim.now;
    while (this.xlStallHead !== NIL) {
      const lr = this.xlStallHead;
      const va = this.lrVline[lr];
      const d = this.l2Tlb.lookup(va);
      let m = NIL;
      if (d !== d) {
        m = this.xlFind(va);
        if (m < 0) {
          m = this.xlAlloc(va, this.lrStore[lr] === 1);
          if (m < 0) return;
          this.sendXlat(m);
        }
      }
      this.xlStallHead = this.lrNext[lr];
      if (this.xlStallHead === NIL) this.xlStallTail = NIL;
      if (m === NIL) {
        this.fillL1TlbFromL2(this.lrCu[lr], va);
        this.lrPline[lr] = va + d;
        this.enterL1(lr, now);
      } else this.appendXl(m, lr);
    }
  }

  private onXlatInval(msg: Message): void {
    const lo = msg.addr;
    const hi = msg.aux === 0 ? Infinity : msg.addr + msg.aux;
    this.stXlatInvals.value++;
    if (msg.aux === 0) {
      this.l2Tlb.invalidateAll();
      for (let c = 0; c < this.cus; c++) this.l1Tlb[c].invalidateAll();
    } else {
      this.l2Tlb.invalidateRange(lo, hi);
      for (let c = 0; c < this.cus; c++) this.l1Tlb[c].invalidateRange(lo, hi);
    }
    // Translations in flight for the range are used by their waiting requests but not cached.
    for (let m = 0; m < this.xlMshrs; m++) {
      if (this.xlKey[m] < 0) continue;
      const kb = this.xlKeyBytes[m];
      const page = this.xlKey[m] * kb;
      if (page < hi && page + kb > lo) this.xlNoFill[m] = 1;
    }
    msg.kind = XLAT_INVAL_DONE;
    sendOrQueue(this.xlatPort, this.xlatBacklog, msg);
  }

  // ---- L1 ----------------------------------------------------------------------------------------

  /** A translated line request enters its CU's L1 pipeline (one line per cycle) at `arrive`. */
  private enterL1(lr: number, arrive: number): void {
    const cu = this.lrCu[lr];
    const free = this.l1FreeAt[cu];
    const start = arrive > free ? arrive : free;
    this.l1FreeAt[cu] = start + this.periodPs;
    this.sim.scheduleAt(this, start + this.l1LatPs, EV_L1, lr);
  }

  private atL1(lr: number): void {
    const cu = this.lrCu[lr];
    const lineNo = this.lrPline[lr] / this.lineBytes;
    if (this.lrStore[lr] === 1) {
      // Write-through, no write-allocate: a present line is updated, the store goes on to the L2.
      this.l1[cu].lookup(lineNo);
      this.stL1WriteThroughs.value++;
      this.toL2(lr);
      return;
    }
    if (this.l1[cu].lookup(lineNo) >= 0) {
      this.stL1Hits.value++;
      this.complete(lr);
      return;
    }
    this.stL1Misses.value++;
    this.l1Miss(lr, cu, lineNo);
  }

  /** Merges a load into an L1 miss register, takes a free one (and goes to the L2), or waits. */
  private l1Miss(lr: number, cu: number, lineNo: number): boolean {
    const lines = this.l1mLine;
    const index = this.l1mIndex[cu];
    const m = index.get(lineNo);
    if (m !== undefined) {
      this.stL1Merges.value++;
      this.lrNext[lr] = NIL;
      this.lrNext[this.l1mTail[m]] = lr;
      this.l1mTail[m] = lr;
      this.lrL1Mshr[lr] = m;
      return true;
    }
    const base = cu * this.l1Mshrs;
    const free = this.l1mFreeTop[cu] > 0 ? this.l1mFree[base + --this.l1mFreeTop[cu]] : NIL;
    if (free === NIL) {
      this.lrNext[lr] = NIL;
      if (this.cuStallTail[cu] === NIL) this.cuStallHead[cu] = lr;
      else this.lrNext[this.cuStallTail[cu]] = lr;
      this.cuStallTail[cu] = lr;
      return false;
    }
    lines[free] = lineNo;
    index.set(lineNo, free);
    this.l1mHead[free] = lr;
    this.l1mTail[free] = lr;
    this.lrNext[lr] = NIL;
    this.lrL1Mshr[lr] = free;
    this.l1mUsed[cu]++;
    this.toL2(lr);
    return true;
  }

  /** The L2 has the line a CU's miss register asked for: fill the L1 and finish its loads. */
  private l1Fill(primary: number): void {
    const m = this.lrL1Mshr[primary];
    const cu = this.lrCu[primary];
    this.l1[cu].insert(this.l1mLine[m], false);
    let lr = this.l1mHead[m];
    this.l1mIndex[cu].delete(this.l1mLine[m]);
    this.l1mFree[cu * this.l1Mshrs + this.l1mFreeTop[cu]++] = m;
    this.l1mLine[m] = -1;
    this.l1mHead[m] = NIL;
    this.l1mTail[m] = NIL;
    this.l1mUsed[cu]--;
    while (lr !== NIL) {
      const nx = this.lrNext[lr];
      this.complete(lr);
      lr = nx;
    }
    // Loads waiting for a miss register try again.
    while (this.cuStallHead[cu] !== NIL) {
      const s = this.cuStallHead[cu];
      const next = this.lrNext[s];
      const lineNo = this.lrPline[s] / this.lineBytes;
      if (this.l1[cu].lookup(lineNo) >= 0) {
        this.cuStallHead[cu] = next;
        if (next === NIL) this.cuStallTail[cu] = NIL;
        this.complete(s);
        continue;
      }
      this.cuStallHead[cu] = next;
      if (next === NIL) this.cuStallTail[cu] = NIL;
      if (!this.l1Miss(s, cu, lineNo)) {
        // l1Miss queued it again at the tail; put it back at the head instead.
        this.unstallTailToHead(cu);
        return;
      }
    }
  }

  /** Moves the tail of a CU's stall FIFO to its head (keeps the oldest first after a failed retry). */
  private unstallTailToHead(cu: number): void {
    const t = this.cuStallTail[cu];
    const h = this.cuStallHead[cu];
    if (h === t) return;
    let prev = h;
    while (this.lrNext[prev] !== t) prev = this.lrNext[prev];
    this.lrNext[prev] = NIL;
    this.cuStallTail[cu] = prev;
    this.lrNext[t] = h;
    this.cuStallHead[cu] = t;
  }

  // ---- L2 ----------------------------------------------------------------------------------------

  /** A line request crosses to its L2 bank (one line per cycle per bank). */
  private toL2(lr: number): void {
    const lineNo = this.lrPline[lr] / this.lineBytes;
    const b = lineNo % this.banks;
    const now = this.sim.now;
    const free = this.bankFreeAt[b];
    const start = now > free ? now : free;
    this.bankFreeAt[b] = start + this.periodPs;
    this.sim.scheduleAt(this, start + this.l2LatPs, EV_L2, lr);
  }

  private atL2(lr: number): void {
    const lineNo = this.lrPline[lr] / this.lineBytes;
    const b = lineNo % this.banks;
    const cache = this.l2[b];
    const slot = cache.lookup(lineNo);
    const store = this.lrStore[lr] === 1;
    if (slot >= 0) {
      this.stL2Hits.value++;
      if (store) {
        cache.markDirty(slot);
        this.complete(lr);
      } else this.l1Fill(lr);
      return;
    }
    if (!this.l2Miss(lr, b, lineNo, store)) return;
  }

  /**
   * An L2 miss: merges into an outstanding read, allocates a whole-line store without reading,
   * takes a free miss register and reads memory, or waits for one. False when it waits.
   */
  private l2Miss(lr: number, b: number, lineNo: number, store: boolean): boolean {
    const lines = this.l2mLine;
    const index = this.l2mIndex[b];
    const m = index.get(lineNo);
    if (m !== undefined) {
      this.stL2Misses.value++;
      this.stL2Merges.value++;
      if (store) this.l2mDirty[m] = 1;
      this.lrNext2[lr] = NIL;
      this.lrNext2[this.l2mTail[m]] = lr;
      this.l2mTail[m] = lr;
      return true;
    }
    if (store && this.lrBytes[lr] === this.lineBytes) {
      this.stL2FullLineAllocs.value++;
      this.installL2(b, lineNo, true);
      this.complete(lr);
      return true;
    }
    const base = b * this.l2MshrsPerBank;
    if (this.l2mFreeTop[b] === 0) {
      this.lrNext2[lr] = NIL;
      if (this.bankStallTail[b] === NIL) this.bankStallHead[b] = lr;
      else this.lrNext2[this.bankStallTail[b]] = lr;
      this.bankStallTail[b] = lr;
      return false;
    }
    const free = this.l2mFree[base + --this.l2mFreeTop[b]];
    this.stL2Misses.value++;
    lines[free] = lineNo;
    index.set(lineNo, free);
    this.l2mDirty[free] = store ? 1 : 0;
    this.l2mHead[free] = lr;
    this.l2mTail[free] = lr;
    this.lrNext2[lr] = NIL;
    this.l2mUsed[b]++;
    this.account();
    this.memReads++;
    const msg = this.pool.get();
    msg.kind = MEM_READ;
    msg.addr = lineNo * this.lineBytes;
    msg.sizeBytes = this.lineBytes;
    msg.txnId = free;
    msg.src = this.params.requesterId;
    msg.issuedAt = this.sim.now;
    this.sendMem(b, msg);
    return true;
  }

  /** Installs a line in a bank; a dirty victim is written to memory. */
  private installL2(b: number, lineNo: number, dirty: boolean): void {
    const cache = this.l2[b];
    if (cache.insert(lineNo, dirty) && cache.victimDirty) this.writeLine(cache.victimLine);
  }

  private writeLine(lineNo: number): void {
    this.stL2Writebacks.value++;
    this.memWrites++;
    const msg = this.pool.get();
    msg.kind = MEM_WRITE;
    msg.addr = lineNo * this.lineBytes;
    msg.sizeBytes = this.lineBytes;
    msg.txnId = -1;
    msg.src = this.params.requesterId;
    msg.issuedAt = this.sim.now;
    this.sendMem(lineNo % this.banks, msg);
  }

  /**
   * Sends a memory request from bank `b`, or queues it behind that bank's earlier refused ones:
   * each bank has its own queue to memory, so one busy channel does not hold up the others.
   */
  private sendMem(b: number, msg: Message): void {
    if (sendOrQueue(this.memPort, this.memBacklog[b], msg)) return;
    this.memQueued++;
  }

  /**
   * The memory port has room again: every bank offers its oldest refused request in turn, starting
   * after the bank that went last time, so no bank (and no memory channel behind it) is favoured.
   */
  private drainMem(): void {
    if (this.memQueued === 0) return;
    const q = this.memBacklog;
    const n = this.banks;
    for (let progress = true; progress && this.memQueued > 0; ) {
      progress = false;
      for (let i = 0; i < n; i++) {
        const b = this.drainNext;
        this.drainNext = b + 1 === n ? 0 : b + 1;
        const m = q[b].shift();
        if (m === null) continue;
        if (this.memPort.send(m)) {
          this.memQueued--;
          progress = true;
        } else {
          q[b].pushFront(m);
          // Refused: this bank goes first next time.
          this.drainNext = b;
          return;
        }
      }
    }
  }

  private onMemRead(msg: Message): void {
    const m = msg.txnId;
    if (!(m >= 0 && m < this.l2mLine.length && this.l2mLine[m] >= 0)) throw new Error(`${this.name}: memory read response for miss register ${m}, which is not outstanding (tick ${this.sim.now})`);
    this.pool.put(msg);
    this.account();
    this.memReads--;
    this.stMemRead.value += this.lineBytes;
    const b = (m / this.l2MshrsPerBank) | 0;
    const lineNo = this.l2mLine[m];
    this.installL2(b, lineNo, this.l2mDirty[m] === 1);
    let lr = this.l2mHead[m];
    this.l2mIndex[b].delete(lineNo);
    this.l2mFree[b * this.l2MshrsPerBank + this.l2mFreeTop[b]++] = m;
    this.l2mLine[m] = -1;
    this.l2mHead[m] = NIL;
    this.l2mTail[m] = NIL;
    this.l2mUsed[b]--;
    while (lr !== NIL) {
      const nx = this.lrNext2[lr];
      if (this.lrStore[lr] === 1) this.complete(lr);
      else this.l1Fill(lr);
      lr = nx;
    }
    // Requests waiting for a miss register of this bank try again.
    const cache = this.l2[b];
    while (this.bankStallHead[b] !== NIL) {
      const s = this.bankStallHead[b];
      const next = this.lrNext2[s];
      this.bankStallHead[b] = next;
      if (next === NIL) this.bankStallTail[b] = NIL;
      const ln = this.lrPline[s] / this.lineBytes;
      const slot = cache.lookup(ln);
      const store = this.lrStore[s] === 1;
      if (slot >= 0) {
        this.stL2Hits.value++;
        if (store) {
          cache.markDirty(slot);
          this.complete(s);
        } else this.l1Fill(s);
        continue;
      }
      if (!this.l2Miss(s, b, ln, store)) {
        // Queued again at the tail: restore it to the head and stop.
        const t = this.bankStallTail[b];
        const h = this.bankStallHead[b];
        if (h !== t) {
          let prev = h;
          while (this.lrNext2[prev] !== t) prev = this.lrNext2[prev];
          this.lrNext2[prev] = NIL;
          this.bankStallTail[b] = prev;
          this.lrNext2[t] = h;
          this.bankStallHead[b] = t;
        }
        return;
      }
    }
  }

  private onWriteAck(msg: Message): void {
    this.pool.put(msg);
    this.memWrites--;
    this.stMemWritten.value += this.lineBytes;
    if (this.flushing && this.memWrites === 0) this.finishKernel();
  }

  // ---- completion ---------------------------------------------------------------------------------

  /** A line request is done (data back, store accepted by the L2, or dropped). */
  private complete(lr: number): void {
    this.account();
    this.lrInFlight--;
    const w = this.lrWave[lr];
    if (w !== NIL) {
      this.stLoadLatency.sample(this.sim.now - this.lrIssued[lr]);
      if (--this.wvLoads[w] === 0 && this.wvWaiting[w] === 1) {
        this.wvWaiting[w] = 0;
        const t = this.sim.now + this.aluPs;
        this.wvReadyAt[w] = t;
        this.sim.scheduleAt(this, t, EV_WAVE, w);
      }
    }
    this.lrNext[lr] = this.lrFree;
    this.lrFree = lr;
    if (this.lrInFlight === 0) this.checkDone();
  }

  private checkDone(): void {
    const k = this.kern;
    if (k === null || this.flushing || this.activeWaves > 0 || this.nextWg < k.workgroups || this.lrInFlight > 0) return;
    // Release: every dirty L2 line goes to memory; the kernel ends when the last is accepted.
    // Lines go out in address order, so memory sees streams it can serve from open rows.
    this.flushing = true;
    let n = 0;
    for (let b = 0; b < this.banks; b++) n += this.l2[b].dirtyLines();
    const lines = new Float64Array(n);
    n = 0;
    for (let b = 0; b < this.banks; b++) {
      const c = this.l2[b];
      for (let s = 0; s < c.slots; s++) {
        if (c.isDirty(s) && c.lineAt(s) >= 0) {
          c.clean(s);
          lines[n++] = c.lineAt(s);
        }
      }
    }
    lines.sort();
    for (let i = 0; i < n; i++) this.writeLine(lines[i]);
    if (this.memWrites === 0) this.finishKernel();
  }

  private finishKernel(): void {
    const k = this.kern as DecodedKernel;
    const done = this.done as EventHandler;
    this.account();
    const now = this.sim.now;
    const time = now - this.startPs;
    this.busyPs += time;
    this.stKernels.value++;
    this.stKernelPs.value += time;
    this.stProgramBytes.value += k.programBytes;
    const s = this.snap;
    const rd = this.stMemRead.value - s[2];
    const wr = this.stMemWritten.value - s[3];
    const result: GpuKernelResult = {
      kernel: k.kernel.kind,
      startPs: this.startPs,
      endPs: now,
      timePs: time,
      instructions: this.stInstructions.value - s[0],
      lines: this.stLines.value - s[1],
      memBytesRead: rd,
      memBytesWritten: wr,
      programBytes: k.programBytes,
      memGBs: time > 0 ? ((rd + wr) / time) * 1000 : 0,
      programGBs: time > 0 ? (k.programBytes / time) * 1000 : 0,
      blockedAccesses: this.stBlocked.value - s[4],
      xlatRequests: this.stXlatRequests.value - s[5],
    };
    this.kern = null;
    this.done = null;
    this.flushing = false;
    done.handleEvent(this.doneKind, result);
  }

  /** Adds the time since the last change to the in-flight integrals (kernel time only). */
  private account(): void {
    const now = this.sim.now;
    const dt = now - this.integralSince;
    if (dt > 0) {
      this.lrIntegral += this.lrInFlight * dt;
      this.memReadIntegral += this.memReads * dt;
      this.integralSince = now;
    }
  }

  /** (Re)allocates the coalescer's scratch for instructions of up to `maxLines` lines. */
  private allocScratch(maxLines: number): void {
    this.scLine = new Float64Array(maxLines);
    this.scBytes = new Int32Array(maxLines);
    this.scLanes = new Int32Array(maxLines);
    this.pgKey = new Float64Array(maxLines);
    this.pgStatus = new Uint8Array(maxLines);
    this.pgDelta = new Float64Array(maxLines);
    this.pgReady = new Float64Array(maxLines);
    this.pgMshr = new Int32Array(maxLines);
  }

  // ---- line-request pool ---------------------------------------------------------------------------

  private allocLr(): number {
    if (this.lrFree === NIL) this.growLr(this.lrCap * 2);
    const lr = this.lrFree;
    this.lrFree = this.lrNext[lr];
    this.lrNext[lr] = NIL;
    this.lrNext2[lr] = NIL;
    return lr;
  }

  private growLr(cap: number): void {
    const old = this.lrCap;
    const i32 = (a: Int32Array): Int32Array => {
      const n = new Int32Array(cap);
      n.set(a);
      return n;
    };
    const f64 = (a: Float64Array): Float64Array => {
      const n = new Float64Array(cap);
      n.set(a);
      return n;
    };
    this.lrWave = i32(this.lrWave);
    this.lrCu = i32(this.lrCu);
    const st = new Uint8Array(cap);
    st.set(this.lrStore);
    this.lrStore = st;
    this.lrBytes = i32(this.lrBytes);
    this.lrLanes = i32(this.lrLanes);
    this.lrL1Mshr = i32(this.lrL1Mshr);
    this.lrNext = i32(this.lrNext);
    this.lrNext2 = i32(this.lrNext2);
    this.lrVline = f64(this.lrVline);
    this.lrPline = f64(this.lrPline);
    this.lrIssued = f64(this.lrIssued);
    for (let i = cap - 1; i >= old; i--) {
      this.lrNext[i] = this.lrFree;
      this.lrFree = i;
    }
    this.lrCap = cap;
  }

  // ---- inspection -----------------------------------------------------------------------------------

  /** Dirty lines held by the L2 (walks every bank; for tests and reports). */
  l2DirtyLines(): number {
    let n = 0;
    for (const c of this.l2) n += c.dirtyLines();
    return n;
  }

  /** Line requests in flight now. */
  get linesInFlight(): number {
    return this.lrInFlight;
  }
}
