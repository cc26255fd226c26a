import type { Tick } from "../kernel/tick.ts";
import type { Stat } from "./stat.ts";

/** A quantity accumulated into fixed time bins (e.g. bytes per microsecond), dumped as an array. */
export class TimeSeries implements Stat {
  readonly path: string;
  readonly unit: string;
  readonly desc: string;
  /** Width of one bin in picoseconds. */
  readonly binPs: number;
  private bins: number[];

  constructor(path: string, unit: string, desc: string, binPs: number) {
    this.path = path;
    this.unit = unit;
    this.desc = desc;
    this.binPs = binPs;
    this.bins = [];
  }

  /** Adds `amount` to the bin holding tick `now`. */
  add(now: Tick, amount: number): void {
    const i = Math.floor(now / this.binPs);
    while (this.bins.length <= i) this.bins.push(0);
    this.bins[i] += amount;
  }

  dump(): { binPs: number; values: number[] } {
    return { binPs: this.binPs, values: this.bins.slice() };
  }

  reset(): void {
    this.bins = [];
  }
}
