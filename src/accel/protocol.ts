/**
 * How the parts of a heterogeneous machine talk to each other. Every part is a PortOwner; parts
 * meet only through ports (wired by the machine builder with a Wire or a Link). Three protocols:
 *
 * Line memory protocol (what a DRAM controller already speaks): a requester sends
 *   MemRead  {addr: physical, line-aligned; sizeBytes: payload bytes; txnId: requester's tag}
 *   MemWrite {addr; sizeBytes}
 * and receives the same Message back through the same port as MemReadResp / MemWriteAck. The
 * device router, the root complex and the GPU's L2 speak it; physical addresses are global (host
 * memory, device memory and MMIO ranges live in one physical map).
 *
 * Translation protocol: a device TLB sends XlatReq {addr: virtual address; aux: 1 for a write;
 * txnId: its tag} to its translation service (the IOMMU on the host, or the GPU's own MMU) and
 * gets the Message back as XlatResp {addr: physical address of the page's first byte; aux: page
 * shift, or XLAT_BLOCKED}. The service may send XlatInval {addr, aux: bytes} to drop cached
 * translations; the device answers XlatInvalDone.
 *
 * Host coherence protocol (the northbridge's core ports): the root complex alone speaks it, as
 * an I/O agent: ReadReq / WriteLineReq, with NO_SNOOP in aux for non-coherent DMA; it answers
 * every Data with SrcDone (aux 1 when the fill came from a shared cache, msg.dst === -1).
 */
export {};

/** Something that copies bytes between physical addresses in the simulated machine (a DMA engine). */
export interface PageCopier {
  /**
   * Starts a copy of `bytes` from physical `src` to physical `dst`; when the last byte has landed,
   * calls `done.handleEvent(kind, payload)` once (an EventHandler, so no closure per copy).
   */
  copy(src: number, dst: number, bytes: number, done: { handleEvent(kind: number, payload: unknown): void }, kind: number, payload: unknown): void;
}
