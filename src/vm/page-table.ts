import { OutOfMemoryError } from "./address-space.ts";
import type { FrameAllocator } from "./frame-allocator.ts";

/** The shape of a radix page table. Levels are numbered from 1 (the last table a walk reads) up. */
export interface RadixLayout {
  /** Name for reports. */
  readonly name: string;
  /** Table levels (4 on x86-64, 1 for x86 4 MiB pages). */
  readonly levels: number;
  /** Index bits per level (9: 512 entries; 10: 1024). */
  readonly indexBits: number;
  /** Bytes per entry (8 on x86-64, 4 on 32-bit x86). */
  readonly entryBytes: number;
  /** Page-offset bits of the smallest page (12 for 4 KiB, 22 for the 1-level 4 MiB mode). */
  readonly baseShift: number;
}

/** x86-64: 4 levels of 512 8-byte entries; leaves at level 1 (4 KiB), 2 (2 MiB) or 3 (1 GiB). */
export const X86_64: RadixLayout = { name: "x86-64", levels: 4, indexBits: 9, entryBytes: 8, baseShift: 12 };

/** x86-64 with 5-level paging (LA57): 5 levels of 512 entries, 57-bit virtual addresses. */
export const X86_64_5LEVEL: RadixLayout = { name: "x86-64-5level", levels: 5, indexBits: 9, entryBytes: 8, baseShift: 12 };

/**
 * 32-bit x86 with 4 MiB pages: one 1024-entry directory, 10-bit index, 22-bit offset (Drepper,
 * "What Every Programmer Should Know About Memory" §4.1).
 */
export const X86_4M: RadixLayout = { name: "x86-4M", levels: 1, indexBits: 10, entryBytes: 4, baseShift: 22 };

/** Where a new table page goes: the node of the thread that caused it, round robin, or one node. */
export type TablePlacement = "local" | "interleave" | number;

/**
 * A radix page table held in simulated memory: every table is one frame taken from the OS frame
 * allocator, so reading an entry is a memory reference to `frame + index * entryBytes`, and a
 * table on another node is a remote reference. Tables are created when a leaf is first mapped
 * below them; the root exists from the start (it is what CR3 points to).
 */
export class PageTable {
  /** Name for statistics, e.g. `process` or `vm.host`. */
  readonly name: string;
  readonly layout: RadixLayout;
  /** Copies of the table kept, one per node when replicated (Mitosis), else 1. */
  readonly replicas: number;
  /** Table pages per level (index = level; index 0 unused), all replicas counted. */
  readonly tablesPerLevel: number[];
  /** Entries written so far (table links and leaves). */
  pteWrites: number;
  private readonly frames: FrameAllocator;
  private readonly placement: TablePlacement;
  /** Per replica: table key (level, prefix) to its frame's physical address. */
  private readonly tables: Map<number, number>[];
  /** Huge leaves: key (level, page number at that level) present when a leaf sits above level 1. */
  private readonly hugeLeaves = new Set<number>();
  private readonly tableBytes: number;
  private rr: number;

  /**
   * @param replicate keep a copy of every table on every node (Mitosis): a walk reads its own
   *   node's copy, and every entry written is written in each copy.
   */
  constructor(name: string, layout: RadixLayout, frames: FrameAllocator, placement: TablePlacement, rootNode: number, replicate = false) {
    this.name = name;
    this.replicas = replicate ? frames.nodes : 1;
    this.tables = Array.from({ length: this.replicas }, () => new Map<number, number>());
    this.layout = layout;
    this.frames = frames;
    this.placement = placement;
    this.tablesPerLevel = new Array<number>(layout.levels + 1).fill(0);
    this.pteWrites = 0;
    this.tableBytes = 2 ** layout.indexBits * layout.entryBytes;
    if (this.tableBytes !== frames.pageBytes) throw new Error(`page table ${name}: ${layout.name} tables are ${this.tableBytes} bytes, frames are ${frames.pageBytes}`);
    this.rr = 0;
    for (let r = 0; r < this.replicas; r++) this.newTable(r, layout.levels, 0, this.replicas > 1 ? r : rootNode);
  }

  /** Bytes of table pages in all. */
  get bytes(): number {
    let n = 0;
    for (const t of this.tablesPerLevel) n += t;
    return n * this.tableBytes;
  }

  /** Bytes one entry at `level` maps (log2). */
  shiftOf(level: number): number {
    return this.layout.baseShift + this.layout.indexBits * (level - 1);
  }

  /** The level whose entries map pages of 2^`shift` bytes, or -1 if the layout has none. */
  levelOfShift(shift: number): number {
    const l = (shift - this.layout.baseShift) / this.layout.indexBits + 1;
    return Number.isInteger(l) && l >= 1 && l <= this.layout.levels ? l : -1;
  }

  /**
   * Maps the page of 2^`shift` bytes holding `va` (creating the tables on its path, placed for a
   * thread on `node`) and returns the entries written: one per new table (its link in the parent)
   * plus the leaf.
   */
  map(va: number, shift: number, node: number): number {
    const leaf = this.levelOfShift(shift);
    if (leaf < 0) throw new Error(`page table ${this.name}: ${this.layout.name} has no ${2 ** shift}-byte pages`);
    let writes = 0;
    for (let level = this.layout.levels - 1; level >= leaf; level--) {
      const prefix = Math.floor(va / 2 ** this.shiftOf(level + 1));
      if (!this.tables[0].has(prefix * 16 + level)) {
        for (let r = 0; r < this.replicas; r++) this.newTable(r, level, prefix, this.replicas > 1 ? r : node);
        writes++;
      }
    }
    if (leaf > 1) this.hugeLeaves.add(Math.floor(va / 2 ** shift) * 16 + leaf);
    writes++;
    this.pteWrites += writes * this.replicas;
    return writes;
  }

  /** Clears the leaf entry of the page holding `va` (tables stay, as Linux keeps them); returns the entries written. */
  unmap(va: number, shift: number): number {
    const leaf = this.levelOfShift(shift);
    if (leaf > 1) this.hugeLeaves.delete(Math.floor(va / 2 ** shift) * 16 + leaf);
    this.pteWrites += this.replicas;
    return 1;
  }

  /** The level holding the leaf entry for `va` (1 for a base page). */
  leafLevel(va: number): number {
    for (let level = this.layout.levels; level > 1; level--) {
      if (this.hugeLeaves.size > 0 && this.hugeLeaves.has(Math.floor(va / 2 ** this.shiftOf(level)) * 16 + level)) return level;
    }
    return 1;
  }

  /** True when the table at `level` on the path of `va` exists. */
  hasTable(va: number, level: number): boolean {
    return this.tables[0].has(this.keyOf(va, level));
  }

  /**
   * Physical address of the entry for `va` in its table at `level` (in the copy of node
   * `node` when replicated), or -1 when that table does not exist.
   */
  entryAddr(va: number, level: number, node = 0): number {
    const frame = this.tables[this.replicas > 1 ? node : 0].get(this.keyOf(va, level));
    if (frame === undefined) return -1;
    const index = Math.floor(va / 2 ** this.shiftOf(level)) % 2 ** this.layout.indexBits;
    return frame + index * this.layout.entryBytes;
  }

  private keyOf(va: number, level: number): number {
    return level === this.layout.levels ? level : Math.floor(va / 2 ** this.shiftOf(level + 1)) * 16 + level;
  }

  private newTable(replica: number, level: number, prefix: number, node: number): void {
    const nodes = this.frames.nodes;
    let want = this.replicas > 1 || this.placement === "local" ? node : this.placement === "interleave" ? this.rr++ % nodes : this.placement;
    if (want >= nodes || this.frames.free(want) <= 0) {
      want = -1;
      for (let n = 0; n < nodes; n++) {
        if (this.frames.free(n) > 0) {
          want = n;
          break;
        }
      }
    }
    const pa = want < 0 ? -1 : this.frames.alloc(want);
    if (pa < 0) throw new OutOfMemoryError(`out of memory: no free frame for a level-${level} table of ${this.name}`);
    this.tables[replica].set(level === this.layout.levels ? level : prefix * 16 + level, pa);
    this.tablesPerLevel[level]++;
  }
}
