/**
 * Physical page frames of every node: node k's frames are the pages of its physical range
 * [base_k, base_k + size_k). Frames are handed out lowest first and may be freed; counts never
 * go negative or beyond capacity (a broken invariant throws, naming the node).
 */
export class FrameAllocator {
  /** Page size in bytes. */
  readonly pageBytes: number;
  /** Frames each node has. */
  readonly capacity: number[];
  /** Frames each node has handed out. */
  readonly used: number[];
  private readonly bases: number[];
  private readonly next: number[];
  private readonly freed: number[][];

  constructor(nodeBases: number[], nodeSizes: number[], pageBytes: number) {
    this.pageBytes = pageBytes;
    this.bases = nodeBases.slice();
    this.capacity = nodeSizes.map((s) => Math.floor(s / pageBytes));
    this.used = nodeSizes.map(() => 0);
    this.next = nodeSizes.map(() => 0);
    this.freed = nodeSizes.map(() => []);
  }

  /** Nodes that exist. */
  get nodes(): number {
    return this.capacity.length;
  }

  /** Free frames on `node`. */
  free(node: number): number {
    return this.capacity[node] - this.used[node];
  }

  /** Physical address of a newly allocated frame on `node`, or -1 when the node is full. */
  alloc(node: number): number {
    if (this.used[node] >= this.capacity[node]) return -1;
    this.used[node]++;
    const f = this.freed[node].pop();
    if (f !== undefined) return f;
    return this.bases[node] + this.next[node]++ * this.pageBytes;
  }

  /**
   * Physical address of `count` contiguous free frames on `node`, aligned to their total size
   * (a huge page: 512 frames for 2 MiB), or -1 when no such run is free (fragmentation). Looks in
   * the never-used part of the node first, then among freed frames.
   */
  allocContiguous(node: number, count: number): number {
    if (this.free(node) < count) return -1;
    const pb = this.pageBytes;
    const align = count * pb;
    const base = this.bases[node];
    const first = this.next[node];
    const alignedPa = Math.ceil((base + first * pb) / align) * align;
    const firstAligned = (alignedPa - base) / pb;
    if (firstAligned + count <= this.capacity[node]) {
      // Frames skipped to reach the alignment stay free for base pages.
      for (let f = firstAligned - 1; f >= first; f--) this.freed[node].push(base + f * pb);
      this.next[node] = firstAligned + count;
      this.used[node] += count;
      return alignedPa;
    }
    const fl = this.freed[node];
    if (fl.length < count) return -1;
    const sorted = fl.slice().sort((a, b) => a - b);
    for (let i = 0; i + count <= sorted.length; i++) {
      const pa = sorted[i];
      if (pa % align !== 0 || sorted[i + count - 1] !== pa + (count - 1) * pb) continue;
      const end = pa + align;
      this.freed[node] = fl.filter((x) => x < pa || x >= end);
      this.used[node] += count;
      return pa;
    }
    return -1;
  }

  /** Returns `count` contiguous frames starting at `pa` to `node`. */
  releaseContiguous(node: number, pa: number, count: number): void {
    for (let i = 0; i < count; i++) this.release(node, pa + i * this.pageBytes);
  }

  /** Returns the frame at physical address `pa` to `node`. */
  release(node: number, pa: number): void {
    if (this.used[node] <= 0) throw new Error(`frame allocator: node ${node} would go below zero frames in use`);
    this.used[node]--;
    this.freed[node].push(pa);
  }
}
