import type { Counter } from "../stats/counter.ts";
import type { StatsRegistry } from "../stats/registry.ts";
import type { MapListener } from "./address-space.ts";
import type { FrameAllocator } from "./frame-allocator.ts";
import { PageTable, type RadixLayout, type TablePlacement } from "./page-table.ts";

/** How a process's virtual addresses reach memory: natively, or in a guest with nested or shadow paging. */
export type PagingMode = "native" | "nested" | "shadow";

/** Settings of a process's paging. */
export interface PagingParams {
  mode: PagingMode;
  layout: RadixLayout;
  placement: TablePlacement;
  /** Page size (log2) the host maps guest memory with (nested and shadow). */
  hostPageShift: number;
  /** One VM exit and re-entry, in ps. */
  vmExitPs: number;
  /** TLB entries carry a VM tag: entering and leaving the VMM needs no flush. */
  vpid: boolean;
  /** Kernel time per demand-paging fault, in ps, charged to the faulting core. */
  faultPs: number;
  /** A TLB shootdown after munmap: each other core's interrupt, and the initiator's wait for their answers, in ps. */
  shootdownPs?: number;
  /** Keep a copy of the process's table on every node (Mitosis). */
  replicate: boolean;
  /**
   * Who manages host memory under a nested-paging guest (Drepper, "What Every Programmer Should
   * Know About Memory" §4.4: one memory manager or two): KVM, where the Linux
   * host is the VMM and backs guest memory on demand (the guest's first touch of a fresh page is
   * an EPT violation: a VM exit plus the host kernel's page fault), or Xen, whose hypervisor gives
   * a domain its memory when it is built (no exit at first touch). Default kvm.
   */
  hypervisor?: "kvm" | "xen";
}

/** Something holding translations that a VM exit without VM tags must flush (a core's MMU). */
export interface Flushable {
  flushAll(): void;
  /** Drops the translations of [start, start + bytes). */
  flushRange?(start: number, bytes: number): void;
}

/** A core running the process: its translation hardware and how to interrupt it. */
export interface PagingCpu {
  mmu: Flushable;
  /** Stops the core for `ps` (handling an inter-processor interrupt). */
  pause(ps: number): void;
}

/**
 * A process's page tables and what keeps them: the table the OS writes (guest-virtual to
 * guest-physical in a guest), the host's table (guest-physical to host-physical, for nested
 * paging) and the VMM's shadow table (guest-virtual to host-physical, for shadow paging).
 * Listens to the address space: every mapping writes table entries; under shadow paging each
 * such write traps to the VMM, which costs a VM exit, charged to the core that caused it.
 *
 * Guest-physical memory is backed one-to-one by host frames here (the guest's frame at gPA
 * lives at hPA = gPA), so the data placement is the OS model's; the host table still exists in
 * memory and is walked like any other.
 */
export class Paging implements MapListener {
  readonly params: PagingParams;
  /** The table the (guest) OS writes; what native hardware walks. */
  readonly table: PageTable;
  /** The host's table for guest-physical addresses (nested paging), else null. */
  readonly host: PageTable | null;
  /** The VMM's merged table (shadow paging), else null. */
  readonly shadow: PageTable | null;
  /** VM exit time not yet charged to a core, in ps. */
  pendingPenaltyPs: number;
  /** The core translating now (its TLBs are flushed on a VM exit without VM tags). */
  current: Flushable | null;
  private readonly hostMapped = new Set<number>();
  private readonly stEptViolations: Counter;
  private readonly cpus: PagingCpu[] = [];
  private readonly stTraps: Counter;
  private readonly stShootdowns: Counter;

  constructor(stats: StatsRegistry, name: string, frames: FrameAllocator, p: PagingParams, rootNode: number) {
    this.params = p;
    this.table = new PageTable(`${name}.pagetable`, p.layout, frames, p.placement, rootNode, p.replicate && p.mode === "native");
    this.host = p.mode === "nested" ? new PageTable(`${name}.hostpagetable`, p.layout, frames, p.placement, rootNode) : null;
    this.shadow = p.mode === "shadow" ? new PageTable(`${name}.shadowpagetable`, p.layout, frames, p.placement, rootNode) : null;
    this.stEptViolations = stats.counter(`${name}.eptViolations`, "count", "first touches of guest-physical pages the host backed on demand (KVM: a VM exit and a host page fault each)");
    this.pendingPenaltyPs = 0;
    this.current = null;
    this.stTraps = stats.counter(`${name}.vm.exits`, "count", "guest page-table writes trapped to the VMM (shadow paging)");
    this.stShootdowns = stats.counter(`${name}.shootdowns`, "count", "TLB shootdowns after munmap (interrupts sent to other cores)");
    for (const t of [this.table, this.host, this.shadow]) {
      if (t === null) continue;
      const tbl = t;
      stats.formula(`${tbl.name}.bytes`, "bytes", "page-table memory", () => tbl.bytes);
      for (let l = 1; l <= p.layout.levels; l++) {
        stats.formula(`${tbl.name}.level${l}.pages`, "count", `table pages at level ${l}`, () => tbl.tablesPerLevel[l]);
        stats.formula(`${tbl.name}.level${l}.bytes`, "bytes", `page-table memory at level ${l}`, () => tbl.tablesPerLevel[l] * frames.pageBytes);
      }
      stats.formula(`${tbl.name}.pteWrites`, "count", "entries written", () => tbl.pteWrites);
    }
  }

  /** The OS mapped a page: write the table; under shadow paging the VMM traps each entry written and mirrors it. */
  mapped(va: number, shift: number, node: number, pa = -1): void {
    this.pendingPenaltyPs += this.params.faultPs;
    const writes = this.table.map(va, shift, node);
    if (this.shadow !== null && pa >= 0 && (this.params.hypervisor ?? "kvm") === "kvm") {
      // Under KVM the shadow MMU backs the page during the exits the table writes already cost:
      // a host page fault per host page touched for the first time, no further exit.
      const hb = 2 ** this.params.hostPageShift;
      for (let a = Math.floor(pa / hb) * hb; a < pa + 2 ** shift; a += hb) {
        const page = Math.floor(a / hb);
        if (this.hostMapped.has(page)) continue;
        this.hostMapped.add(page);
        this.pendingPenaltyPs += this.params.faultPs;
      }
    }
    if (this.host !== null && pa >= 0) {
      // The guest kernel zeroes the new page: the host backs each of its host pages it touches
      // for the first time. Under KVM that is an EPT violation: a VM exit and a host page fault.
      const hb = 2 ** this.params.hostPageShift;
      for (let a = Math.floor(pa / hb) * hb; a < pa + 2 ** shift; a += hb) {
        if (this.hostEnsure(a, node) && (this.params.hypervisor ?? "kvm") === "kvm") {
          this.stEptViolations.value++;
          this.pendingPenaltyPs += this.params.vmExitPs + this.params.faultPs;
        }
      }
    }
    if (this.shadow !== null) {
      this.shadow.map(va, shift, node);
      this.trap(writes);
    }
  }

  /** The OS unmapped a page (munmap): one entry written, trapped under shadow paging. */
  unmapped(va: number, shift: number): void {
    this.table.unmap(va, shift);
    if (this.shadow !== null) {
      this.shadow.unmap(va, shift);
      this.trap(1);
    }
  }

  /** Registers a core running the process (it takes part in TLB shootdowns). */
  addCpu(cpu: PagingCpu): void {
    this.cpus.push(cpu);
  }

  /**
   * After munmap: every core drops the range's translations; the others are interrupted
   * (each pays the interrupt) and the initiating core waits for their answers.
   */
  rangeUnmapped(start: number, bytes: number): void {
    const ps = this.params.shootdownPs ?? 0;
    let others = 0;
    for (const c of this.cpus) {
      c.mmu.flushRange?.(start, bytes);
      if (c.mmu === this.current) continue;
      others++;
      c.pause(ps);
    }
    this.stShootdowns.value += others;
    if (others > 0) this.pendingPenaltyPs += ps;
  }

  /** Makes sure the host's table maps guest-physical `gpa`; true when it had to map it now. */
  hostEnsure(gpa: number, node: number): boolean {
    const h = this.host;
    if (h === null) return false;
    const page = Math.floor(gpa / 2 ** this.params.hostPageShift);
    if (this.hostMapped.has(page)) return false;
    this.hostMapped.add(page);
    h.map(page * 2 ** this.params.hostPageShift, this.params.hostPageShift, node);
    return true;
  }

  /** Takes the VM exit time accrued since the last call. */
  takePenaltyPs(): number {
    const p = this.pendingPenaltyPs;
    this.pendingPenaltyPs = 0;
    return p;
  }

  private trap(exits: number): void {
    this.stTraps.value += exits;
    this.pendingPenaltyPs += exits * this.params.vmExitPs;
    if (!this.params.vpid && this.current !== null) this.current.flushAll();
  }
}
