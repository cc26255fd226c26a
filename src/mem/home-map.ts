/** The physical address map: which node's memory is home to a physical byte address. */
export interface HomeMap {
  /** Home node of a physical byte address. */
  homeOf(addr: number): number;
}

/**
 * Physical memory laid out node after node (node k owns [base_k, base_k + size_k)), followed by
 * an optional region interleaved across all nodes line by line (the BIOS node-interleave option).
 */
export class NodeRangeHomeMap implements HomeMap {
  /** Start address of each node's range, then the interleaved region's start. */
  readonly bases: Float64Array;
  /** Start of the line-interleaved region (= end of the per-node ranges). */
  readonly interleaveBase: number;
  private readonly nodes: number;
  private readonly lineBytes: number;
  private readonly equalSize: number;

  constructor(nodeSizes: number[], lineBytes: number) {
    this.nodes = nodeSizes.length;
    this.lineBytes = lineBytes;
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

  homeOf(addr: number): number {
    if (addr >= this.interleaveBase) return Math.floor((addr - this.interleaveBase) / this.lineBytes) % this.nodes;
    if (this.equalSize > 0) return Math.floor(addr / this.equalSize);
    let n = 0;
    while (n + 1 < this.nodes && addr >= this.bases[n + 1]) n++;
    return n;
  }
}
