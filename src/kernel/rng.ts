import seedrandom from "seedrandom";

/**
 * A named, seeded random stream. Each component draws from its own stream, seeded from the run's
 * seed and the component's path, so adding a component never perturbs another's draws.
 */
export class RngStream {
  /** Hierarchical path of the owner, e.g. `node0.core1.workload`. */
  readonly path: string;
  private readonly prng: seedrandom.PRNG;

  constructor(runSeed: number | string, path: string) {
    this.path = path;
    // alea: fast, 2^116 period, and its state depends only on the seed string.
    this.prng = seedrandom.alea(`${runSeed}/${path}`);
  }

  /** A uniform double in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** An exponentially distributed double with the given mean. */
  exp(mean: number): number {
    return -mean * Math.log(1 - this.prng());
  }
}
