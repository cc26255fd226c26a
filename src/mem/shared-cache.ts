import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import { Cache, type CacheGeometry } from "./cache.ts";
import { LineState, isDirty, isWritable } from "./moesi.ts";
import type { VictimBuffer } from "./victim-buffer.ts";

/**
 * A socket's shared last-level cache, inclusive of its cores' private caches. Its state for a
 * line is the node's permission (what the home granted); the cores' L2 / L1d under it are
 * looked at directly, as the cache's core-valid bits would be. It serves local hits, absorbs the
 * cores' write-backs, and takes the cores' copies with it when it evicts a line. With value
 * tracking on, the data it hands out or writes back is the newest of its own copy and the copies
 * it merges from its cores.
 */
export class SharedCache {
  /** The tag array. */
  readonly cache: Cache;
  /** Line address and dirtiness of the last victim `fill` evicted (valid when it returned true). */
  victimLine: number;
  /** Version of the last victim's data (value tracking; the newest of its copies). */
  victimVersion: number;
  /** Version of the data the last successful `tryHit` served (value tracking). */
  hitVersion: number;
  private readonly l2s: Cache[] = [];
  private readonly l1s: Cache[] = [];
  private readonly writeBacks: (VictimBuffer | null)[] = [];
  private readonly lineBytes: number;
  private readonly hits: Counter;
  private readonly misses: Counter;

  constructor(stats: StatsRegistry, name: string, g: CacheGeometry) {
    this.cache = new Cache(name, g);
    this.lineBytes = g.lineBytes;
    this.victimLine = -1;
    this.victimVersion = 0;
    this.hitVersion = 0;
    this.hits = stats.counter(`${name}.hits`, "count", "core misses served by the shared cache");
    this.misses = stats.counter(`${name}.misses`, "count", "core misses the shared cache sent to a home");
    stats.formula(`${name}.hitRate`, "ratio", "hits over lookups", () => this.hits.value / (this.hits.value + this.misses.value));
  }

  /**
   * Registers a core's private L2 and L1d (index = local core index), and its buffer of
   * write-backs on their way here (their data is the newest the node has).
   */
  addCore(l2: Cache, l1d: Cache, writeBacks: VictimBuffer | null = null): void {
    this.l2s.push(l2);
    this.l1s.push(l1d);
    this.writeBacks.push(writeBacks);
  }

  /**
   * Serves a miss of core `core` if the node may: returns the state to fill the core with, or -1
   * when the request must go to the line's home. An exclusive hit invalidates the other cores'
   * copies (their dirty data merges here).
   */
  tryHit(line: number, exclusive: boolean, core: number): number {
    const slot = this.cache.find(line);
    if (slot < 0) {
      this.misses.value++;
      return -1;
    }
    const nodeState = this.cache.slotState(slot);
    if (exclusive && !isWritable(nodeState)) {
      this.misses.value++;
      return -1;
    }
    let othersHold = false;
    let othersDirty = false;
    const tracking = this.cache.tracksVersions;
    let version = this.cache.slotVersion(slot);
    const addr = line * this.lineBytes;
    for (let c = 0; c < this.l2s.length; c++) {
      // A core's write-back on its way here (even the requester's own) carries the newest data.
      const wb = this.writeBacks[c];
      if (wb !== null && wb.holds(addr)) {
        othersDirty = true;
        if (tracking) version = Math.max(version, wb.versionOf(addr));
      }
      if (c === core) continue;
      const s2 = this.l2s[c].find(line);
      if (s2 < 0) continue;
      othersHold = true;
      const st = Math.max(this.l2s[c].slotState(s2), this.l1s[c].stateOf(line));
      if (isDirty(st)) othersDirty = true;
      if (tracking) version = Math.max(version, this.l2s[c].slotVersion(s2), this.l1s[c].versionOf(line));
      if (exclusive) {
        this.l2s[c].setSlotState(s2, LineState.I);
        this.l1s[c].invalidate(line);
      } else if (isDirty(st) || st === LineState.E) {
        // Another core had it exclusively: both now share it, the node keeps the dirty data here.
        this.l2s[c].setSlotState(s2, LineState.S);
        const s1 = this.l1s[c].find(line);
        if (s1 >= 0) {
          this.l1s[c].setSlotState(s1, LineState.S);
          // The L1d's newer data goes down to the L2 as the copies become clean.
          if (tracking) this.l2s[c].setSlotVersion(s2, Math.max(this.l2s[c].slotVersion(s2), this.l1s[c].slotVersion(s1)));
        }
      }
    }
    this.cache.touch(slot);
    this.hits.value++;
    // The newest data among the copies merges here and is what the core gets.
    this.cache.setSlotVersion(slot, version);
    this.hitVersion = version;
    if (exclusive) {
      this.cache.setSlotState(slot, LineState.M);
      return LineState.M;
    }
    if (othersDirty && nodeState !== LineState.M) this.cache.setSlotState(slot, LineState.O);
    else if (othersDirty) this.cache.setSlotState(slot, LineState.M);
    return othersHold || !isWritable(nodeState) ? LineState.S : LineState.E;
  }

  /**
   * Installs a line the home granted in `state` with data of `version`. Returns true when a
   * victim left; its address is in `victimLine` (its data's version in `victimVersion`) and the
   * return of `victimDirty()` says whether it needs writing back. The victim's copies in the
   * cores go with it, and so does the data of their write-backs of it on their way here (which
   * are dropped when they arrive). A line already held dirty stays dirty (two misses of the node's cores to
   * one line may both go to the home; the second fill must not drop the data the first made
   * dirty here): O under a shared grant, M under an exclusive one.
   */
  fill(line: number, state: number, version = 0): boolean {
    if (isDirty(this.cache.stateOf(line))) state = state === LineState.S ? LineState.O : LineState.M;
    if (!this.cache.insert(line, state, version)) return false;
    const v = this.cache.victimLine;
    let dirty = isDirty(this.cache.victimState);
    let newest = this.cache.victimVersion;
    const tracking = this.cache.tracksVersions;
    const addr = v * this.lineBytes;
    for (let c = 0; c < this.l2s.length; c++) {
      if (tracking) newest = Math.max(newest, this.l2s[c].versionOf(v), this.l1s[c].versionOf(v));
      const wb = this.writeBacks[c];
      if (wb !== null && wb.holds(addr)) {
        dirty = true;
        if (tracking) newest = Math.max(newest, wb.versionOf(addr));
        wb.cancel(addr);
      }
      if (isDirty(this.l2s[c].invalidate(v))) dirty = true;
      if (isDirty(this.l1s[c].invalidate(v))) dirty = true;
    }
    this.victimLine = v;
    this.victimVersion = newest;
    this.lastVictimDirty = dirty;
    return true;
  }

  /** Whether the last victim held data memory does not have. */
  victimDirty(): boolean {
    return this.lastVictimDirty;
  }

  /**
   * Takes a core's write-back of `line`, which left the core in `state` (M, or O when other nodes
   * share it) with data of `version`: the line is dirty here, owned (O) while other nodes may
   * hold copies. False if the line is not held.
   */
  absorbWriteBack(line: number, state: number = LineState.M, version = 0): boolean {
    const slot = this.cache.find(line);
    if (slot < 0) return false;
    const here = this.cache.slotState(slot);
    this.cache.setSlotState(slot, state === LineState.O || here === LineState.O || here === LineState.S ? LineState.O : LineState.M);
    this.cache.setSlotVersion(slot, version);
    return true;
  }

  private lastVictimDirty = false;
}
