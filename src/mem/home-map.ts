/** The physical address map: which node's memory is home to a physical byte address. */
export interface HomeMap {
  /** Socket whose home agent serves a physical byte address. */
  homeOf(addr: number): number;
}

/**
 * Physical memory laid out node after node (node k owns [base_k, base_k + size_k)), followed by
 * an optional region interleaved across the sockets line by line (the BIOS node-interleave
 * option). Memory-only nodes (HBM, NVM) have ranges of their own and are served by the home
 * agent of the socket they hang off (`hosts`).
 */
export class NodeRangeHomeMap implements HomeMap {
  /** Start address of each node's range, then the interleaved region's start. */
  readonly bases: Float64Array;
  /** Start of the line-interleaved region (= end of the per-node ranges). */
  readonly interleaveBase: number;
  /** Socket serving each node (a socket serves itself). */
  readonly hosts: Int32Array;
  private readonly nodes: number;
  private readonly sockets: number;
  private readonly lineBytes: number;
  private readonly equalSize: number;

  constructor(nodeSizes: number[], lineBytes: number, hosts?: number[]) {
    this.nodes = nodeSizes.length;
    this.lineBytes = lineBytes;
    this.hosts = Int32Array.from(hosts ?? nodeSizes.map((_, i) => i));
    this.sockets = this.hosts.reduce((n, h, i) => (h === i ? n + 1 : n), 0);
    this.bases = new Float64Array(this.nodes + 1);
    let a = 0;
    for (let i = 0; i < this.nodes; i++) {
      this.bases[i] = a;
      a += nodeSizes[i];
    }
    this.bases[this.nodes] = a;
    this.interleaveBase = a;
    this.equalSize = nodeSizes.every((s) => s === nodeSizes[0]) ? nodeSizes[0] : 0;
  }

  /** Memory node holding a physical address (-1 for the line-interleaved region). */
  nodeOf(addr: number): number {
    if (addr >= this.interleaveBase) return -1;
    if (this.equalSize > 0) return Math.floor(addr / this.equalSize);
    let n = 0;
    while (n + 1 < this.nodes && addr >= this.bases[n + 1]) n++;
    return n;
  }

  homeOf(addr: number): number {
    if (addr >= this.interleaveBase) return Math.floor((addr - this.interleaveBase) / this.lineBytes) % this.sockets;
    return this.hosts[this.nodeOf(addr)];
  }
}
