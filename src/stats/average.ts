import type { Stat } from "./stat.ts";

/** Mean, minimum and maximum of sampled values, without keeping the samples. */
export class Average implements Stat {
  readonly path: string;
  readonly unit: string;
  readonly desc: string;
  /** Number of samples. */
  count: number;
  /** Sum of samples. */
  sum: number;
  /** Smallest sample (Infinity when none). */
  min: number;
  /** Largest sample (-Infinity when none). */
  max: number;

  constructor(path: string, unit: string, desc: string) {
    this.path = path;
    this.unit = unit;
    this.desc = desc;
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /** Adds one sample. */
  sample(v: number): void {
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Mean of the samples, 0 when none. */
  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  dump(): { mean: number; count: number; min: number; max: number } {
    return { mean: this.mean, count: this.count, min: this.count ? this.min : 0, max: this.count ? this.max : 0 };
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}
