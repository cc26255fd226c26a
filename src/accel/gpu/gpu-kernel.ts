import { RngStream } from "../../kernel/rng.ts";

/** The kernels a GpuAgent can run. */
export type GpuKernelKind = "vector-add" | "saxpy" | "gather" | "stream-read" | "stream-copy";

/**
 * A kernel launch described by data, not code: what each element does is fixed by `kind`, the
 * arrays it touches are given by their base virtual addresses. Per kind, the arrays are:
 * vector-add {a, b, c} (c[i] = a[i] + b[i]); saxpy {x, y} (y[i] = s * x[i] + y[i]);
 * gather {idx, table, c} (c[i] = table[idx[i]]); stream-read {a}; stream-copy {a, b} (b[i] = a[i]).
 */
export interface GpuKernel {
  /** Which kernel. */
  kind: GpuKernelKind;
  /** Elements (threads' work items) in all. */
  elements: number;
  /** Bytes per element (default 4). */
  elementBytes?: number;
  /** Threads per workgroup (a multiple of the wavefront width). */
  workgroupSize: number;
  /** Elements each thread handles, one per loop iteration (default 1). */
  elementsPerThread?: number;
  /** Base virtual address of each array the kind uses, by name. */
  arrays: Record<string, number>;
  /** Gather only: elements in the table the indices range over (default `elements`); elements must not straddle lines. */
  tableElements?: number;
  /** Gather only: seed of the index stream (default 1). */
  seed?: number | string;
}

/** Opcodes of the per-iteration programs (low 4 bits of an op word; the array slot sits above). */
export const GpuOp = {
  /** Vector load of consecutive elements of an array. */
  Load: 1,
  /** Vector store of consecutive elements of an array. */
  Store: 2,
  /** Vector load of table[idx[i]] (addresses from the index array). */
  Gather: 3,
  /** Wait until every load of the wavefront has returned (s_waitcnt vmcnt(0)). */
  Wait: 4,
  /** End of one iteration. */
  End: 5,
} as const;

/** Names of the arrays each kernel kind needs, in array-slot order. */
export const KERNEL_ARRAYS: Readonly<Record<GpuKernelKind, readonly string[]>> = Object.freeze({
  "vector-add": ["a", "b", "c"],
  saxpy: ["x", "y"],
  gather: ["idx", "table", "c"],
  "stream-read": ["a"],
  "stream-copy": ["a", "b"],
});

const op = (code: number, slot = 0): number => code | (slot << 4);

/** The instruction sequence one wavefront runs per iteration of each kernel kind. */
const PROGRAMS: Readonly<Record<GpuKernelKind, readonly number[]>> = Object.freeze({
  "vector-add": [op(GpuOp.Load, 0), op(GpuOp.Load, 1), op(GpuOp.Wait), op(GpuOp.Store, 2), op(GpuOp.End)],
  saxpy: [op(GpuOp.Load, 0), op(GpuOp.Load, 1), op(GpuOp.Wait), op(GpuOp.Store, 1), op(GpuOp.End)],
  gather: [op(GpuOp.Load, 0), op(GpuOp.Wait), op(GpuOp.Gather, 1), op(GpuOp.Wait), op(GpuOp.Store, 2), op(GpuOp.End)],
  "stream-read": [op(GpuOp.Load, 0), op(GpuOp.Wait), op(GpuOp.End)],
  "stream-copy": [op(GpuOp.Load, 0), op(GpuOp.Wait), op(GpuOp.Store, 1), op(GpuOp.End)],
});

/** The array slots a kernel kind reads and writes, as its program does. */
export function arrayRoles(kind: GpuKernelKind): { reads: number[]; writes: number[] } {
  const reads = new Set<number>();
  const writes = new Set<number>();
  for (const w of PROGRAMS[kind]) {
    const code = w & 15;
    if (code === GpuOp.Load || code === GpuOp.Gather) reads.add(w >> 4);
    else if (code === GpuOp.Store) writes.add(w >> 4);
  }
  return { reads: [...reads], writes: [...writes] };
}

/** A kernel checked and decoded for the agent: program words, array bases, gather indices. */
export interface DecodedKernel {
  /** The launch as given. */
  kernel: GpuKernel;
  /** Per-iteration program (op words). */
  program: Int32Array;
  /** Base virtual address per array slot. */
  bases: Float64Array;
  /** Element bytes. */
  elementBytes: number;
  /** Elements per thread. */
  elementsPerThread: number;
  /** Workgroups in the launch. */
  workgroups: number;
  /** Gather indices (element i reads table[indices[i]]), or null. */
  indices: Int32Array | null;
  /** Bytes the kernel's lanes read and write (what the program asks for, before caching). */
  programBytes: number;
}

/** Checks a launch against the wavefront width and decodes it (throws naming the bad field). */
export function decodeKernel(k: GpuKernel, wavefrontLanes: number, name: string): DecodedKernel {
  const names = KERNEL_ARRAYS[k.kind];
  if (names === undefined) throw new Error(`${name}: unknown kernel kind "${k.kind}"; known: ${Object.keys(KERNEL_ARRAYS).join(", ")}`);
  if (!(Number.isInteger(k.elements) && k.elements >= 1)) throw new Error(`${name}: kernel elements must be a positive integer, got ${k.elements}`);
  const eb = k.elementBytes ?? 4;
  if (!(Number.isInteger(eb) && eb >= 1)) throw new Error(`${name}: elementBytes must be a positive integer, got ${eb}`);
  const ept = k.elementsPerThread ?? 1;
  if (!(Number.isInteger(ept) && ept >= 1)) throw new Error(`${name}: elementsPerThread must be a positive integer, got ${ept}`);
  if (!(Number.isInteger(k.workgroupSize) && k.workgroupSize >= wavefrontLanes && k.workgroupSize % wavefrontLanes === 0)) {
    throw new Error(`${name}: workgroupSize ${k.workgroupSize} is not a multiple of the wavefront width ${wavefrontLanes}`);
  }
  const bases = new Float64Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const v = k.arrays[names[i]];
    if (!(typeof v === "number" && Number.isInteger(v) && v >= 0)) throw new Error(`${name}: ${k.kind} needs a base address for array "${names[i]}" (arrays ${names.join(", ")})`);
    bases[i] = v;
  }
  let indices: Int32Array | null = null;
  if (k.kind === "gather") {
    const table = k.tableElements ?? k.elements;
    if (!(Number.isInteger(table) && table >= 1)) throw new Error(`${name}: tableElements must be a positive integer, got ${table}`);
    const rng = new RngStream(k.seed ?? 1, `${name}.gather`);
    indices = new Int32Array(k.elements);
    for (let i = 0; i < k.elements; i++) indices[i] = rng.int(table);
  }
  const program = Int32Array.from(PROGRAMS[k.kind]);
  let accesses = 0;
  for (const w of program) {
    const c = w & 15;
    if (c === GpuOp.Load || c === GpuOp.Store || c === GpuOp.Gather) accesses++;
  }
  return {
    kernel: k,
    program,
    bases,
    elementBytes: eb,
    elementsPerThread: ept,
    workgroups: Math.ceil(k.elements / (k.workgroupSize * ept)),
    indices,
    programBytes: accesses * k.elements * eb,
  };
}
