import { describe, expect, it } from "vitest";
import { RngStream } from "../../src/kernel/rng.ts";

const draw = (s: RngStream, n = 5) => Array.from({ length: n }, () => s.next());

describe("seeded RNG streams", () => {
  it("gives the same draws for the same seed and path", () => {
    expect(draw(new RngStream(42, "node0.core0"))).toEqual(draw(new RngStream(42, "node0.core0")));
  });

  it("gives different draws for another seed or another path", () => {
    const base = draw(new RngStream(42, "node0.core0"));
    expect(draw(new RngStream(43, "node0.core0"))).not.toEqual(base);
    expect(draw(new RngStream(42, "node0.core1"))).not.toEqual(base);
  });

  it("is independent of other streams being drawn from", () => {
    const a = new RngStream(1, "a");
    const alone = draw(new RngStream(1, "b"));
    draw(a, 100);
    expect(draw(new RngStream(1, "b"))).toEqual(alone);
  });
});
