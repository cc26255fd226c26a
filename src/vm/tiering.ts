import type { EventHandler } from "../kernel/event-queue.ts";
import type { Simulator } from "../kernel/simulator.ts";
import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import type { AddressSpace, Region } from "./address-space.ts";
import type { PageMigrator } from "./page-migrator.ts";

/** Parameters of the memory-tiering daemon. */
export interface TieringParams {
  /** How often the daemon looks at the access samples, in ps. */
  epochPs: number;
  /** Sampled accesses in an epoch that make a page hot. */
  hotThreshold: number;
  /** Pages the daemon may promote per epoch (rate limit). */
  maxPagesPerEpoch: number;
  /** Memory nodes of the fast tier (DRAM, HBM). */
  fastNodes: number[];
  /** Memory nodes of the slow tier (NVM, far memory). */
  slowNodes: number[];
  /** Cost of the TLB shootdown after a page moves: every core running the process is interrupted. */
  shootdownPs: number;
  /** Epochs a page stays where it was just moved (hysteresis against ping-pong). */
  cooldownEpochs: number;
}

/** The machine-side actions the daemon needs: a free frame, cache flushes, interrupts. */
export interface TieringHost {
  /** Invalidates every cached copy of the lines of the page at `pa`. */
  flushPage(pa: number): void;
  /** Interrupts every core running the process for `ps` (TLB shootdown). */
  interruptCores(ps: number): void;
  /** Lets cores whose accesses waited for a page being moved try again. */
  resumeCores(): void;
  /** True while any thread of the process has work left. */
  busy(): boolean;
}

interface Candidate {
  region: Region;
  page: number;
  count: number;
  order: number;
}

const EV_EPOCH = 0;
const EV_COPY = 1;

/** A page chosen to move: where it is, and the frame reserved for it. */
interface Move {
  region: Region;
  page: number;
  to: number;
  node: number;
}

/**
 * An OS memory-tiering daemon (as Linux's NUMA-balancing tiering or TPP): every epoch it reads
 * the sampled per-page accesses, promotes the hottest slow-tier pages to the fast tier, demoting
 * idle fast-tier pages when the fast tier is full, and halves the counts. A page budget per
 * epoch limits the copy traffic. As Linux migrates a batch, the epoch's moves unmap their pages
 * first (accesses to them wait) and one TLB shootdown covers them all, so accesses already under
 * way finish; then each page is copied through the memory system and its new frame mapped.
 */
export class TieringDaemon implements EventHandler {
  /** Component path. */
  readonly name: string;
  private readonly sim: Simulator;
  private readonly space: AddressSpace;
  private readonly migrator: PageMigrator;
  private readonly host: TieringHost;
  private readonly p: TieringParams;
  private readonly stPromotions: Counter;
  private readonly stDemotions: Counter;
  private readonly stEpochs: Counter;
  private readonly stShootdowns: Counter;
  /** Moves chosen this epoch, copied once the shootdown is over. */
  private batch: Move[] = [];

  constructor(sim: Simulator, stats: StatsRegistry, name: string, space: AddressSpace, migrator: PageMigrator, host: TieringHost, p: TieringParams) {
    this.name = name;
    this.sim = sim;
    this.space = space;
    this.migrator = migrator;
    this.host = host;
    this.p = p;
    this.stPromotions = stats.counter(`${name}.promotions`, "count", "pages moved to the fast tier");
    this.stDemotions = stats.counter(`${name}.demotions`, "count", "pages moved to the slow tier to make room");
    this.stEpochs = stats.counter(`${name}.epochs`, "count", "times the daemon looked at the samples");
    this.stShootdowns = stats.counter(`${name}.shootdowns`, "count", "TLB shootdowns (one per batch of moves)");
  }

  /** Starts the periodic scan. */
  start(): void {
    this.sim.schedule(this, this.p.epochPs, EV_EPOCH, null);
  }

  handleEvent(kind: number): void {
    if (kind === EV_COPY) {
      this.copyBatch();
      return;
    }
    if (!this.host.busy()) return;
    this.stEpochs.value++;
    if (this.batchLeft === 0 && this.migrator.pending === 0) this.scan();
    // Decay the counts by a quarter: a page must stay busy to stay hot.
    for (const r of this.space.regions) {
      const a = r.pageAccesses;
      for (let i = 0; i < a.length; i++) a[i] = (a[i] * 3) >>> 2;
    }
    this.sim.schedule(this, this.p.epochPs, EV_EPOCH, null);
  }

  private scan(): void {
    const fast = new Set(this.p.fastNodes);
    const slow = new Set(this.p.slowNodes);
    const hot: Candidate[] = [];
    const cold: Candidate[] = [];
    let order = 0;
    for (const r of this.space.regions) {
      for (let i = 0; i < r.pageNode.length; i++, order++) {
        const n = r.pageNode[i];
        if (n < 0) continue;
        const moved = r.pageMovedEpoch[i];
        if (moved > 0 && this.stEpochs.value - moved < this.p.cooldownEpochs) continue;
        const c = r.pageAccesses[i];
        if (slow.has(n) && c >= this.p.hotThreshold) hot.push({ region: r, page: i, count: c, order });
        else if (fast.has(n)) cold.push({ region: r, page: i, count: c, order });
      }
    }
    if (hot.length === 0) return;
    hot.sort((a, b) => b.count - a.count || a.order - b.order);
    cold.sort((a, b) => a.count - b.count || a.order - b.order);
    const frames = this.space.frameAllocator;
    let budget = this.p.maxPagesPerEpoch;
    let k = 0;
    // Promote into free fast frames, hottest first.
    for (; k < hot.length && budget > 0; k++) {
      const target = this.p.fastNodes.find((n) => frames.free(n) > 0) ?? -1;
      if (target < 0) break;
      this.move(hot[k].region, hot[k].page, target, true);
      budget--;
    }
    // The fast tier is full: demote the coldest pages that are colder than the hot ones left,
    // so that later epochs can promote into the frames they free.
    for (let c = 0; k < hot.length && c < cold.length && budget > 0; k++, c++) {
      const slowTarget = this.p.slowNodes.find((n) => frames.free(n) > 0) ?? -1;
      // Only pages idle over the last epochs go down; a merely cooler page stays.
      if (slowTarget < 0 || cold[c].count > 0) break;
      this.move(cold[c].region, cold[c].page, slowTarget, false);
      budget--;
    }
    if (this.batch.length > 0) {
      // The batch's pages are unmapped; one shootdown covers them all (the kernel batches the
      // flushes), and the copies start once it is over.
      this.stShootdowns.value++;
      this.host.interruptCores(this.p.shootdownPs);
      this.sim.schedule(this, this.p.shootdownPs, EV_COPY, null);
    }
  }

  /** Reserves a frame on `node` now and unmaps the page; its copy starts with the batch's. */
  private move(r: Region, page: number, node: number, promote: boolean): void {
    const frames = this.space.frameAllocator;
    const to = frames.alloc(node);
    if (to < 0) return;
    if (promote) this.stPromotions.value++;
    else this.stDemotions.value++;
    r.pageMovedEpoch[page] = this.stEpochs.value;
    this.space.beginMove(r, page);
    this.batchLeft++;
    this.batch.push({ region: r, page, to, node });
  }

  /** Copies the batch's pages; each is mapped at its new frame when its copy is done. */
  private copyBatch(): void {
    const batch = this.batch;
    this.batch = [];
    for (const { region: r, page, to, node } of batch) {
      const from = r.pagePa[page];
      this.migrator.enqueue({
        fromPa: from,
        toPa: to,
        done: () => {
          // The new frame was taken above; remap returns the old one.
          this.space.remap(r, page, to, node);
          this.host.flushPage(from);
          this.space.endMove(r, page);
          this.batchLeft--;
          this.host.resumeCores();
        },
      });
    }
  }

  private batchLeft = 0;
}
