import type { MapListener } from "../../vm/address-space.ts";
import type { Iommu } from "./iommu.ts";

/**
 * Keeps an IOMMU that shares a process's page table in step with the OS (as Linux's mmu_notifier
 * does for SVA): installed as the address space's listener in front of the one it had (the
 * process's Paging), it forwards every event and, when a munmap completes, invalidates the range
 * in the IOTLB and the device's TLBs.
 */
export class MmuNotifier implements MapListener {
  /** The listener events are forwarded to (the process's Paging), or null. */
  readonly inner: MapListener | null;
  /** The IOMMUs told of unmapped ranges. */
  readonly iommus: Iommu[];

  constructor(inner: MapListener | null, iommus: Iommu[]) {
    this.inner = inner;
    this.iommus = iommus;
  }

  mapped(va: number, shift: number, node: number, pa: number): void {
    this.inner?.mapped(va, shift, node, pa);
  }

  unmapped(va: number, shift: number): void {
    this.inner?.unmapped?.(va, shift);
  }

  rangeUnmapped(start: number, bytes: number): void {
    this.inner?.rangeUnmapped?.(start, bytes);
    for (const m of this.iommus) m.invalidate(start, bytes);
  }
}
