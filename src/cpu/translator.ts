/** Turns a thread's virtual addresses into physical ones (the OS model; TLB timing is separate). */
export interface Translator {
  /** Physical byte address of `vaddr` for a thread running on `node`; may allocate on first touch. */
  translate(vaddr: number, node: number, isWrite: boolean): number;
}
