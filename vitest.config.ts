import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // The fuzz tests run HOPSIM_FUZZ_SCALE times their cases (`npm run fuzz`): give them as much longer.
    testTimeout: 60_000 * Math.max(1, Number(process.env.HOPSIM_FUZZ_SCALE ?? 1) || 1),
    pool: "forks",
    // Every machine a test builds checks its invariants as it runs (as --check does).
    env: { HOPSIM_CHECK: "1" },
  },
});
