import type { RngStream } from "../kernel/rng.ts";
import { MemOp, OpKind, type ThreadProgram } from "../cpu/mem-op.ts";

/** Parameters of random updates (HPCC RandomAccess / GUPS), uniform or skewed. */
export interface GupsParams {
  /** First virtual byte of the table. */
  tableVa: number;
  /** Table size in bytes. */
  tableBytes: number;
  /** Updates (read-modify-write of one 8-byte word each). */
  updates: number;
  /** Core cycles of work per update. */
  gapCycles: number;
  /** Zipf exponent over the table's pages (0: uniform). Hot pages are scattered over the table. */
  zipfTheta: number;
  /** Page size used for the skew, in bytes. */
  pageBytes: number;
  /** Write the table once, in order, before the updates (so every page is placed up front). */
  init: boolean;
}

/**
 * Random read-modify-write updates of 8-byte words of a table. With a Zipf exponent, the page
 * is drawn with probability proportional to 1 / rank^theta (ranks shuffled over the table) and
 * the word uniformly within it: a few hot pages take most of the updates.
 */
export class Gups implements ThreadProgram {
  readonly name: string;
  private readonly p: GupsParams;
  private readonly rng: RngStream;
  private readonly words: number;
  private readonly wordsPerPage: number;
  /** Cumulative probability of ranks 0..i (empty when uniform). */
  private readonly cdf: Float64Array;
  /** Page of each rank. */
  private readonly pageOfRank: Int32Array;
  private left: number;
  private pendingStore: number;
  private initLine: number;

  constructor(p: GupsParams, rng: RngStream) {
    this.name = p.zipfTheta > 0 ? "gups-zipf" : "gups";
    this.p = p;
    this.rng = rng;
    this.words = Math.max(1, Math.floor(p.tableBytes / 8));
    this.wordsPerPage = Math.max(1, Math.floor(p.pageBytes / 8));
    const pages = Math.max(1, Math.ceil(p.tableBytes / p.pageBytes));
    this.cdf = new Float64Array(p.zipfTheta > 0 ? pages : 0);
    this.pageOfRank = new Int32Array(p.zipfTheta > 0 ? pages : 0);
    if (p.zipfTheta > 0) {
      let sum = 0;
      for (let r = 0; r < pages; r++) {
        sum += 1 / (r + 1) ** p.zipfTheta;
        this.cdf[r] = sum;
      }
      for (let r = 0; r < pages; r++) {
        this.cdf[r] /= sum;
        this.pageOfRank[r] = r;
      }
      for (let i = pages - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = this.pageOfRank[i];
        this.pageOfRank[i] = this.pageOfRank[j];
        this.pageOfRank[j] = t;
      }
    }
    this.left = p.updates;
    this.pendingStore = -1;
    this.initLine = p.init ? 0 : -1;
  }

  next(op: MemOp): boolean {
    op.dependsOn = 0;
    if (this.initLine >= 0) {
      // Initialisation: one store per 64-byte line, in order.
      op.kind = OpKind.Store;
      op.vaddr = this.p.tableVa + this.initLine * 64;
      op.gapCycles = 0;
      this.initLine++;
      if (this.initLine * 64 >= this.p.tableBytes) this.initLine = -1;
      return true;
    }
    if (this.pendingStore >= 0) {
      op.kind = OpKind.Store;
      op.vaddr = this.pendingStore;
      op.gapCycles = 1;
      this.pendingStore = -1;
      return true;
    }
    if (this.left <= 0) return false;
    this.left--;
    const va = this.p.tableVa + this.pickWord() * 8;
    op.kind = OpKind.Load;
    op.vaddr = va;
    op.gapCycles = this.p.gapCycles;
    this.pendingStore = va;
    return true;
  }

  private pickWord(): number {
    if (this.cdf.length === 0) return this.rng.int(this.words);
    const u = this.rng.next();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    const word = this.pageOfRank[lo] * this.wordsPerPage + this.rng.int(this.wordsPerPage);
    return word < this.words ? word : this.words - 1;
  }
}
