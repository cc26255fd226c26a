import { Average } from "./average.ts";
import { Counter } from "./counter.ts";
import { Formula } from "./formula.ts";
import { Histogram } from "./histogram.ts";
import type { Stat } from "./stat.ts";
import { TimeSeries } from "./time-series.ts";

/** One statistic as written to stats.json. */
export interface DumpedStat {
  unit: string;
  desc: string;
  value: unknown;
}

/** Every statistic of a run, keyed by component path; registering the same path twice is an error. */
export class StatsRegistry {
  private readonly stats = new Map<string, Stat>();

  /** Registers a counter. */
  counter(path: string, unit: string, desc: string): Counter {
    return this.add(new Counter(path, unit, desc));
  }

  /** Registers an average (mean / min / max). */
  average(path: string, unit: string, desc: string): Average {
    return this.add(new Average(path, unit, desc));
  }

  /** Registers a histogram with percentiles. */
  histogram(path: string, unit: string, desc: string): Histogram {
    return this.add(new Histogram(path, unit, desc));
  }

  /** Registers a time series with bins of `binPs` picoseconds. */
  series(path: string, unit: string, desc: string, binPs: number): TimeSeries {
    return this.add(new TimeSeries(path, unit, desc, binPs));
  }

  /** Registers a value derived at dump time. */
  formula(path: string, unit: string, desc: string, fn: () => number): Formula {
    return this.add(new Formula(path, unit, desc, fn));
  }

  /** The statistic at `path`, if any. */
  get(path: string): Stat | undefined {
    return this.stats.get(path);
  }

  /** The numeric value of a counter or formula at `path` (throws if absent). */
  value(path: string): number {
    const s = this.stats.get(path);
    if (!s) throw new Error(`no statistic named ${path}`);
    const v = s.dump();
    if (typeof v !== "number") throw new Error(`statistic ${path} is not a single number`);
    return v;
  }

  /** Paths of every statistic, sorted. */
  paths(): string[] {
    return [...this.stats.keys()].sort();
  }

  /** Resets every statistic (end of warm-up). */
  resetAll(): void {
    for (const s of this.stats.values()) s.reset();
  }

  /** Every statistic in path order, as plain data. */
  dump(): Record<string, DumpedStat> {
    const out: Record<string, DumpedStat> = {};
    for (const p of this.paths()) {
      const s = this.stats.get(p) as Stat;
      out[p] = { unit: s.unit, desc: s.desc, value: s.dump() };
    }
    return out;
  }

  private add<T extends Stat>(s: T): T {
    if (this.stats.has(s.path)) throw new Error(`statistic ${s.path} is registered twice`);
    this.stats.set(s.path, s);
    return s;
  }
}
