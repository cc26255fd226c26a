/**
 * Point files: `<out>/points/<id>.json`, each written atomically as its point finishes, and a cache
 * of the same files keyed by the point id and the hopsim version, shared between sweep folders.
 */
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { HOPSIM_VERSION } from "../version.ts";
import { shortHash } from "./hash.ts";
import { formatPointRecord, parsePointRecord, type PointRecord } from "./point-record.ts";

/** Where a reusable result was found. */
export type ReuseSource = "folder" | "cache";

/** The point files of one sweep folder, and the optional shared cache. */
export class PointStore {
  readonly pointsDir: string;
  readonly cacheDir: string | undefined;

  constructor(outDir: string, cacheDir?: string) {
    this.pointsDir = path.join(outDir, "points");
    this.cacheDir = cacheDir;
    fs.mkdirSync(this.pointsDir, { recursive: true });
  }

  /** Path of a point's file. */
  pointPath(id: string): string {
    return path.join(this.pointsDir, `${id}.json`);
  }

  /** Path of a point's cache entry: keyed by its id and the hopsim version. */
  cachePath(id: string): string | undefined {
    return this.cacheDir === undefined ? undefined : path.join(this.cacheDir, `${shortHash({ id, hopsim: HOPSIM_VERSION }, 16)}.json`);
  }

  /** A point's record in this folder, whatever its version, if there is a readable one. */
  read(id: string): PointRecord | undefined {
    return readRecord(this.pointPath(id));
  }

  /**
   * A successful result of this hopsim version for the point: from this folder, else from the cache
   * (then copied into this folder). Failed points are not reused: they run again.
   */
  reusable(id: string): { record: PointRecord; source: ReuseSource } | undefined {
    const own = this.read(id);
    if (own !== undefined && own.id === id && own.hopsim === HOPSIM_VERSION && own.result !== undefined) return { record: own, source: "folder" };
    const cached = this.cachePath(id);
    if (cached === undefined) return undefined;
    const hit = readRecord(cached);
    if (hit === undefined || hit.id !== id || hit.hopsim !== HOPSIM_VERSION || hit.result === undefined) return undefined;
    writeFileAtomic(this.pointPath(id), formatPointRecord(hit));
    return { record: hit, source: "cache" };
  }

  /** Writes a point's file atomically, and a successful one into the cache too. */
  write(record: PointRecord): void {
    const text = formatPointRecord(record);
    writeFileAtomic(this.pointPath(record.id), text);
    const cached = this.cachePath(record.id);
    if (cached !== undefined && record.result !== undefined) writeFileAtomic(cached, text);
  }

  /** Ids that have a point file. */
  ids(): Set<string> {
    const out = new Set<string>();
    for (const name of safeList(this.pointsDir)) if (name.endsWith(".json")) out.add(name.slice(0, -5));
    return out;
  }

  /** Removes temporary files left in the folder and its points/ by a writer that was killed (its process no longer exists). */
  removeStaleTemps(): void {
    for (const dir of [this.pointsDir, path.dirname(this.pointsDir)]) {
      for (const name of safeList(dir)) {
        const m = /\.tmp-(\d+)-\d+$/.exec(name);
        if (m && !processAlive(Number(m[1]))) fs.rmSync(path.join(dir, name), { force: true });
      }
    }
  }
}

function readRecord(file: string): PointRecord | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return parsePointRecord(text);
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
