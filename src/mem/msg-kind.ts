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
  /** Requester -> home: a dirty line written back. */
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
  /** Home -> requester: a write-back is accepted. */
  WriteBackAck: 19,
} as const;

/** Names of the message kinds, by number (for traces). */
export const MSG_KIND_NAMES: Record<number, string> = Object.fromEntries(Object.entries(MsgKind).map(([k, v]) => [v, k]));
