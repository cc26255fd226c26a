/** Turns a thread's virtual addresses into physical ones (the OS model; TLB timing is separate). */
export interface Translator {
  /** Physical byte address of `vaddr` for a thread running on `node`; may allocate on first touch. */
  translate(vaddr: number, node: number, isWrite: boolean): number;
  /** Unmaps `bytes` at `vaddr` (munmap); pages fault in again on their next touch. */
  unmap?(vaddr: number, bytes: number): void;
  /** Physical address of `vaddr` if its page is mapped, else -1 (never faults). */
  peek?(vaddr: number): number;
  /** True while the page of `vaddr` is being moved to another frame: an access to it waits. */
  moving?(vaddr: number): boolean;
}
