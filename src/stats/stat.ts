/** What every statistic shares: a path, a unit and a one-line description. */
export interface StatInfo {
  /** Hierarchical path, e.g. `node0.mc.reads`. */
  readonly path: string;
  /** Unit of the value(s), e.g. `count`, `ps`, `bytes`, `ns`, `GB/s`, `ratio`. */
  readonly unit: string;
  /** One sentence saying what is counted. */
  readonly desc: string;
}

/** A statistic that can report its value(s) as plain JSON data. */
export interface Stat extends StatInfo {
  /** The statistic's dumped form: a number or a small object of numbers. */
  dump(): unknown;
  /** Resets accumulated values (used at the end of a warm-up). */
  reset(): void;
}
