import type { Stat } from "./stat.ts";

/** A monotonically accumulated number; hot paths add to `value` directly. */
export class Counter implements Stat {
  readonly path: string;
  readonly unit: string;
  readonly desc: string;
  /** Current value. */
  value: number;

  constructor(path: string, unit: string, desc: string) {
    this.path = path;
    this.unit = unit;
    this.desc = desc;
    this.value = 0;
  }

  /** Adds `n` (default 1). */
  inc(n = 1): void {
    this.value += n;
  }

  dump(): number {
    return this.value;
  }

  reset(): void {
    this.value = 0;
  }
}
