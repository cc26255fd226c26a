/** Where a managed page is: on the host, on the device, or moving (in a batch under way). */
export const Residency = {
  /** On the host: a GPU access is a far fault. */
  Host: 0,
  /** In device memory, mapped in the GPU's page table. */
  Device: 1,
  /** Being migrated in or evicted by the batch under way. */
  Moving: 2,
} as const;

/**
 * A managed (unified) region migrates page by page; a zero-copy region stays pinned on the host;
 * a device region (cudaMalloc-style) lives in device memory from the start and never moves.
 */
export type UvmRegionKind = "managed" | "zero-copy" | "device";

/**
 * A virtual range the GPU may touch, with its per-page state in typed arrays: the host frame
 * backing each page (-1: never populated, a first GPU touch allocates on the device with no copy),
 * the device frame while resident, and where each page is.
 */
export class UvmRegion {
  /** Name for reports. */
  readonly name: string;
  /** Managed or zero-copy. */
  readonly kind: UvmRegionKind;
  /** First virtual byte. */
  readonly start: number;
  /** Bytes (whole pages). */
  readonly sizeBytes: number;
  /** Host physical address of each page (-1: none yet). */
  readonly hostPa: Float64Array;
  /** Device physical address of each page while resident (-1 otherwise). */
  readonly devPa: Float64Array;
  /** Residency of each page (see Residency). */
  readonly state: Uint8Array;
  /** Page size in bytes. */
  readonly pageBytes: number;
  /** Registration number in its GPU MMU (stable; -1 until registered). */
  id: number;

  constructor(name: string, kind: UvmRegionKind, start: number, sizeBytes: number, pageBytes: number, hostPa: number | Float64Array) {
    if (start % pageBytes !== 0) throw new Error(`uvm region ${name}: start 0x${start.toString(16)} is not page-aligned`);
    const pages = Math.ceil(sizeBytes / pageBytes);
    this.name = name;
    this.kind = kind;
    this.start = start;
    this.sizeBytes = pages * pageBytes;
    this.pageBytes = pageBytes;
    this.id = -1;
    if (typeof hostPa === "number") {
      this.hostPa = new Float64Array(pages);
      for (let i = 0; i < pages; i++) this.hostPa[i] = hostPa < 0 ? -1 : hostPa + i * pageBytes;
    } else {
      if (hostPa.length < pages) throw new Error(`uvm region ${name}: ${hostPa.length} host frames for ${pages} pages`);
      this.hostPa = hostPa.slice(0, pages);
    }
    this.devPa = new Float64Array(pages).fill(-1);
    this.state = new Uint8Array(pages);
  }

  /** One past the last byte. */
  get end(): number {
    return this.start + this.sizeBytes;
  }

  /** Pages in the region. */
  get pages(): number {
    return this.state.length;
  }
}
