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

  /** Returns the frame at physical address `pa` to `node`. */
  release(node: number, pa: number): void {
    if (this.used[node] <= 0) throw new Error(`frame allocator: node ${node} would go below zero frames in use`);
    this.used[node]--;
    this.freed[node].push(pa);
  }
}
