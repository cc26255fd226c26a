/** Geometry and timing of the GPU's per-CU L1 vector cache. */
export interface GpuL1Params {
  /** Capacity in bytes. */
  sizeBytes: number;
  /** Ways per set. */
  assoc: number;
  /** Hit latency in GPU cycles (a miss pays it before going on to the L2). */
  latencyCycles: number;
  /** Outstanding line misses per CU (requests to one line merge into one register). */
  mshrs: number;
}

/** Geometry and timing of the GPU's shared L2, split into address-interleaved banks. */
export interface GpuL2Params {
  /** Capacity in bytes over all banks. */
  sizeBytes: number;
  /** Ways per set. */
  assoc: number;
  /** Hit latency in GPU cycles, counted from the L1 miss. */
  latencyCycles: number;
  /** Banks (slices); consecutive lines go to consecutive banks. */
  banks: number;
  /** Outstanding memory reads per bank. */
  mshrsPerBank: number;
}

/** The per-CU L1 TLB (fully associative, LRU). */
export interface GpuL1TlbParams {
  /** Entries. */
  entries: number;
  /** Lookup latency in GPU cycles. */
  latencyCycles: number;
}

/** The shared L2 TLB (set-associative, LRU) and its miss registers. */
export interface GpuL2TlbParams {
  /** Entries. */
  entries: number;
  /** Ways per set. */
  assoc: number;
  /** Lookup latency in GPU cycles, after the L1 TLB miss. */
  latencyCycles: number;
  /** Translation requests that may be outstanding at once (misses to one page merge). */
  outstandingMisses: number;
}

/** Every parameter of a GpuAgent; sizes in bytes, latencies in GPU cycles. */
export interface GpuParams {
  /** Core clock in GHz (period rounded to whole picoseconds by ClockDomain). */
  clockGHz: number;
  /** Compute units. */
  computeUnits: number;
  /** Lanes of a wavefront (64 AMD, 32 NVIDIA warps). */
  wavefrontLanes: number;
  /** Wavefront slots per CU: how many wavefronts a CU holds at once (occupancy). */
  waveSlotsPerCu: number;
  /** GPU cycles of ALU work a wavefront spends before each vector memory instruction. */
  aluCyclesPerMemInstr: number;
  /** Line size in bytes of both caches and of memory requests (64, or 128 NVIDIA-like). */
  lineBytes: number;
  /** Per-CU L1 vector cache (write-through, no write-allocate). */
  l1: GpuL1Params;
  /** Shared L2 (write-back, write-allocate). */
  l2: GpuL2Params;
  /** Per-CU L1 TLB. */
  l1Tlb: GpuL1TlbParams;
  /** Shared L2 TLB. */
  l2Tlb: GpuL2TlbParams;
  /** Value put in `src` of every message the GPU sends (its requester id on the fabric). */
  requesterId: number;
}

/** A GpuParams shaped like a small AMD GCN/CDNA part (MI-class ratios, fewer CUs). */
export const GPU_DEFAULTS: Readonly<GpuParams> = Object.freeze({
  clockGHz: 1.5,
  computeUnits: 16,
  wavefrontLanes: 64,
  waveSlotsPerCu: 16,
  aluCyclesPerMemInstr: 8,
  lineBytes: 64,
  l1: { sizeBytes: 16 * 1024, assoc: 4, latencyCycles: 40, mshrs: 64 },
  l2: { sizeBytes: 4 * 1024 * 1024, assoc: 16, latencyCycles: 100, banks: 16, mshrsPerBank: 64 },
  l1Tlb: { entries: 32, latencyCycles: 1 },
  l2Tlb: { entries: 512, assoc: 16, latencyCycles: 20, outstandingMisses: 64 },
  requesterId: 0,
});

/** Parameters as a caller may give them: any field, or any field of a nested group, may be left out. */
export interface GpuParamsInput {
  clockGHz?: number;
  computeUnits?: number;
  wavefrontLanes?: number;
  waveSlotsPerCu?: number;
  aluCyclesPerMemInstr?: number;
  lineBytes?: number;
  l1?: Partial<GpuL1Params>;
  l2?: Partial<GpuL2Params>;
  l1Tlb?: Partial<GpuL1TlbParams>;
  l2Tlb?: Partial<GpuL2TlbParams>;
  requesterId?: number;
}

/** The defaults with the given fields replaced, checked for consistency (throws on a bad value). */
export function resolveGpuParams(input: GpuParamsInput = {}, name = "gpu"): GpuParams {
  const d = GPU_DEFAULTS;
  const p: GpuParams = {
    clockGHz: input.clockGHz ?? d.clockGHz,
    computeUnits: input.computeUnits ?? d.computeUnits,
    wavefrontLanes: input.wavefrontLanes ?? d.wavefrontLanes,
    waveSlotsPerCu: input.waveSlotsPerCu ?? d.waveSlotsPerCu,
    aluCyclesPerMemInstr: input.aluCyclesPerMemInstr ?? d.aluCyclesPerMemInstr,
    lineBytes: input.lineBytes ?? d.lineBytes,
    l1: { ...d.l1, ...input.l1 },
    l2: { ...d.l2, ...input.l2 },
    l1Tlb: { ...d.l1Tlb, ...input.l1Tlb },
    l2Tlb: { ...d.l2Tlb, ...input.l2Tlb },
    requesterId: input.requesterId ?? d.requesterId,
  };
  checkGpuParams(p, name);
  return p;
}

/** Throws an Error naming the first inconsistent parameter of `p`. */
export function checkGpuParams(p: GpuParams, name = "gpu"): void {
  const posInt = (v: number, what: string): void => {
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${name}: ${what} must be a positive integer, got ${v}`);
  };
  const nonNegInt = (v: number, what: string): void => {
    if (!(Number.isInteger(v) && v >= 0)) throw new Error(`${name}: ${what} must be a non-negative integer, got ${v}`);
  };
  if (!(p.clockGHz > 0 && Number.isFinite(p.clockGHz))) throw new Error(`${name}: clockGHz must be positive, got ${p.clockGHz}`);
  posInt(p.computeUnits, "computeUnits");
  posInt(p.wavefrontLanes, "wavefrontLanes");
  posInt(p.waveSlotsPerCu, "waveSlotsPerCu");
  nonNegInt(p.aluCyclesPerMemInstr, "aluCyclesPerMemInstr");
  posInt(p.lineBytes, "lineBytes");
  if (!Number.isInteger(Math.log2(p.lineBytes))) throw new Error(`${name}: lineBytes ${p.lineBytes} is not a power of two`);
  posInt(p.l1.mshrs, "l1.mshrs");
  nonNegInt(p.l1.latencyCycles, "l1.latencyCycles");
  posInt(p.l2.banks, "l2.banks");
  posInt(p.l2.mshrsPerBank, "l2.mshrsPerBank");
  nonNegInt(p.l2.latencyCycles, "l2.latencyCycles");
  const l1Lines = p.l1.sizeBytes / p.lineBytes;
  if (!(Number.isInteger(l1Lines) && p.l1.assoc >= 1 && l1Lines % p.l1.assoc === 0)) {
    throw new Error(`${name}: l1 of ${p.l1.sizeBytes} B does not divide into ${p.l1.assoc}-way sets of ${p.lineBytes} B lines`);
  }
  const bankLines = p.l2.sizeBytes / p.lineBytes / p.l2.banks;
  if (!(Number.isInteger(bankLines) && p.l2.assoc >= 1 && bankLines % p.l2.assoc === 0)) {
    throw new Error(`${name}: l2 of ${p.l2.sizeBytes} B does not divide into ${p.l2.banks} banks of ${p.l2.assoc}-way sets of ${p.lineBytes} B lines`);
  }
  posInt(p.l1Tlb.entries, "l1Tlb.entries");
  nonNegInt(p.l1Tlb.latencyCycles, "l1Tlb.latencyCycles");
  posInt(p.l2Tlb.entries, "l2Tlb.entries");
  posInt(p.l2Tlb.assoc, "l2Tlb.assoc");
  if (p.l2Tlb.entries % p.l2Tlb.assoc !== 0) throw new Error(`${name}: l2Tlb of ${p.l2Tlb.entries} entries does not divide into ${p.l2Tlb.assoc}-way sets`);
  nonNegInt(p.l2Tlb.latencyCycles, "l2Tlb.latencyCycles");
  posInt(p.l2Tlb.outstandingMisses, "l2Tlb.outstandingMisses");
}
