import type { Stat } from "./stat.ts";

/** A derived value computed when statistics are dumped (a ratio, a bandwidth), never on the hot path. */
export class Formula implements Stat {
  readonly path: string;
  readonly unit: string;
  readonly desc: string;
  private readonly fn: () => number;

  constructor(path: string, unit: string, desc: string, fn: () => number) {
    this.path = path;
    this.unit = unit;
    this.desc = desc;
    this.fn = fn;
  }

  /** The current value (NaN and infinities dump as 0). */
  get value(): number {
    const v = this.fn();
    return Number.isFinite(v) ? v : 0;
  }

  dump(): number {
    return this.value;
  }

  reset(): void {}
}
