import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    // Every machine a test builds checks its invariants as it runs (as --check does).
    env: { HOPSIM_CHECK: "1" },
  },
});
