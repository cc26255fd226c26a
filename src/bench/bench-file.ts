import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";

/** Where `npm run bench` keeps its figures. */
export const BENCH_FILE = join("results", "bench.json");

/** Merges top-level sections into results/bench.json (keeping other sections) and returns its path. */
export function mergeBenchResults(sections: Record<string, unknown>, file = BENCH_FILE): string {
  let current: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      current = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch {
      current = {};
    }
  }
  writeFileAtomic(file, `${JSON.stringify({ ...current, ...sections }, null, 2)}\n`);
  return file;
}
