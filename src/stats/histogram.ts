import type { Stat } from "./stat.ts";

/** Sub-buckets per power of two: values are kept to within 1/64 (1.6 %) of their magnitude. */
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
/** Buckets: exact below SUB, then SUB per power of two up to 2^53. */
const BUCKETS = (53 - SUB_BITS + 1) * SUB;

/**
 * A histogram of non-negative samples in log-linear buckets (as HdrHistogram does): exact count,
 * sum, min and max, and percentiles within 1.6 % of the true sample value, in constant memory.
 */
export class Histogram implements Stat {
  readonly path: string;
  readonly unit: string;
  readonly desc: string;
  /** Number of samples. */
  count: number;
  /** Sum of samples. */
  sum: number;
  /** Smallest sample. */
  min: number;
  /** Largest sample. */
  max: number;
  private readonly buckets: Float64Array;

  constructor(path: string, unit: string, desc: string) {
    this.path = path;
    this.unit = unit;
    this.desc = desc;
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.buckets = new Float64Array(BUCKETS);
  }

  /** Adds one sample (negative values count as 0). */
  sample(v: number): void {
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.buckets[bucketOf(v)]++;
  }

  /** Mean of the samples, 0 when none. */
  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** The value below which `p` percent of samples lie (bucket midpoint, clamped to min/max). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i];
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, bucketMid(i)));
    }
    return this.max;
  }

  dump(): Record<string, number> {
    return {
      count: this.count,
      mean: this.mean,
      min: this.count ? this.min : 0,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      max: this.count ? this.max : 0,
    };
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.buckets.fill(0);
  }
}

/** Bucket index: values below SUB are exact; above, SUB steps per power of two. */
function bucketOf(v: number): number {
  if (!(v > 0)) return 0;
  if (v < SUB) return Math.floor(v);
  // Below 2^31, integer shifts instead of logarithms and powers (the hot case: latencies in ps).
  if (v < 2147483648) {
    const iv = Math.floor(v);
    const s31 = 31 - Math.clz32(iv) - SUB_BITS;
    return s31 * SUB + (iv >>> s31);
  }
  const s = Math.floor(Math.log2(v)) - SUB_BITS;
  const i = s * SUB + Math.floor(v / 2 ** s);
  return i < BUCKETS ? i : BUCKETS - 1;
}

/** Representative value (midpoint) of a bucket. */
function bucketMid(i: number): number {
  if (i < SUB) return i;
  const s = Math.floor(i / SUB) - 1;
  const q = i - s * SUB;
  return (q + 0.5) * 2 ** s;
}
