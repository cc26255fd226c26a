/**
 * Integer kinds of the Messages that travel between the memory-side components. One numbering
 * for the whole machine keeps every Message the same shape.
 */
export const MsgKind = {
  /** Home agent -> memory controller: read `sizeBytes` at `addr`. */
  MemRead: 1,
  /** Home agent -> memory controller: write `sizeBytes` at `addr`. */
  MemWrite: 2,
  /** Memory controller -> home agent: the data of a MemRead (same Message, kind changed). */
  MemReadResp: 3,
  /** Memory controller -> home agent: a MemWrite is accepted (posted) or durable. */
  MemWriteAck: 4,
  /** Requester -> home: read a line (shared). */
  ReadReq: 10,
  /** Requester -> home: read a line for ownership (a write miss). */
  ReadExReq: 11,
  /** Requester -> home: upgrade a shared line to owned (no data needed). */
  UpgradeReq: 12,
  /** Core -> its northbridge: a dirty line written back (with the data). */
  WriteBack: 13,
  /** Home -> node: probe a line (aux: 0 = share, 1 = invalidate). */
  Probe: 14,
  /** Node -> requester: probe answered, no data. */
  ProbeResp: 15,
  /** Node -> requester: probe answered with the (dirty) line. */
  ProbeRespData: 16,
  /** Home -> requester: the line's data. */
  Data: 17,
  /** Requester -> home: transaction complete (releases the line at home). */
  SrcDone: 18,
  /** Home -> node: a WriteBackReq's turn has come at the line's home: send the data (WriteBackData). */
  WriteBackAck: 19,
  /**
   * I/O agent -> home: write a whole line (a DMA write). The home invalidates every cached copy
   * (unless the request carries NO_SNOOP), writes memory and answers with a header-only Data.
   */
  WriteLineReq: 20,
  /** Core -> device: an uncacheable read of a device register (addr in an MMIO range). */
  MmioRead: 21,
  /** Device -> core: the register's value (aux) for an MmioRead (same Message, kind changed). */
  MmioReadResp: 22,
  /** Core -> device: a posted, uncacheable write of a device register (aux: the value). */
  MmioWrite: 23,
  /** Device TLB -> translation service: translate the page holding `addr` (aux: 1 for a write). */
  XlatReq: 24,
  /**
   * Translation service -> device TLB (same Message, kind changed): `addr` is now the physical
   * address of the page's first byte, `aux` the page shift, or XLAT_BLOCKED when the access is not
   * allowed (the device must drop it and count it).
   */
  XlatResp: 25,
  /**
   * Translation service -> device: drop every cached translation in [addr, addr + aux bytes)
   * (aux 0: everything); the device answers with XlatInvalDone (same Message, kind changed).
   */
  XlatInval: 26,
  /** Device -> translation service: an XlatInval has taken effect. */
  XlatInvalDone: 27,
  /**
   * Core -> home: clflush of a line the core no longer holds (it wrote it back first if dirty):
   * the home invalidates every other cached copy and answers with a header-only Data.
   */
  FlushReq: 28,
  /**
   * Node -> home: asks to write a dirty line back (the node keeps the data meanwhile); the home
   * serialises it with the line's other transactions and answers with WriteBackAck.
   */
  WriteBackReq: 29,
  /**
   * Node -> home, after its WriteBackAck: the line's data (txnId: the ack's), or (aux
   * WRITE_BACK_CANCELLED, no data) word that an invalidating probe has given the data to a new owner.
   */
  WriteBackData: 30,
} as const;

/** `aux` of a WriteBackData that carries no data: the write-back was cancelled. */
export const WRITE_BACK_CANCELLED = 1;

/** Flag in the `aux` of a ReadReq or WriteLineReq from an I/O agent: do not probe the caches. */
export const NO_SNOOP = 1 << 24;

/** `aux` of an XlatResp whose access the IOMMU or GPU MMU refused (never performed). */
export const XLAT_BLOCKED = -1;

/** Names of the message kinds, by number (for traces). */
export const MSG_KIND_NAMES: Record<number, string> = Object.fromEntries(Object.entries(MsgKind).map(([k, v]) => [v, k]));
