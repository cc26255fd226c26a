import type { Message } from "../../kernel/message.ts";
import type { DecodedAddress } from "./address-mapping.ts";

/** How a request found its bank, decided by the first command issued for it. */
export const RowOutcome = {
  /** Not decided yet (no command issued for it). */
  Pending: 0,
  /** Its row was open: served by column commands only. */
  Hit: 1,
  /** Its bank was closed: needed an ACT. */
  Miss: 2,
  /** Another row was open: needed a PRE and an ACT. */
  Conflict: 3,
} as const;

/**
 * A request inside a channel controller: the decoded location of a MemRead or MemWrite plus its
 * bookkeeping. Pooled and threaded through intrusive lists, so the hot path allocates nothing.
 */
export class DramRequest implements DecodedAddress {
  /** The message to answer (reads); null for posted writes, whose ack has already gone. */
  msg: Message | null;
  /** True for a write. */
  isWrite: boolean;
  channel: number;
  rank: number;
  bankGroup: number;
  bank: number;
  row: number;
  column: number;
  /** Bank group index within the channel: rank * bankGroups + bankGroup. */
  groupIndex: number;
  /** Bank index within the channel: groupIndex * banksPerGroup + bank. */
  bankIndex: number;
  /** Bursts still to issue (a request larger than a burst needs several column commands). */
  burstsLeft: number;
  /** Bytes requested. */
  sizeBytes: number;
  /** Tick at which the controller accepted it. */
  acceptedAt: number;
  /** Cycle at which its last data beat is back (reads in flight). */
  doneCycle: number;
  /** One of RowOutcome. */
  outcome: number;
  /** Previous request in the list holding it. */
  prev: DramRequest | null;
  /** Next request in the list holding it. */
  next: DramRequest | null;

  constructor() {
    this.msg = null;
    this.isWrite = false;
    this.channel = 0;
    this.rank = 0;
    this.bankGroup = 0;
    this.bank = 0;
    this.row = 0;
    this.column = 0;
    this.groupIndex = 0;
    this.bankIndex = 0;
    this.burstsLeft = 0;
    this.sizeBytes = 0;
    this.acceptedAt = 0;
    this.doneCycle = 0;
    this.outcome = 0;
    this.prev = null;
    this.next = null;
  }
}

/** An age-ordered doubly linked list of requests: append at the tail, remove from anywhere, no allocation. */
export class RequestList {
  /** Oldest request. */
  head: DramRequest | null = null;
  /** Youngest request. */
  tail: DramRequest | null = null;
  /** Requests in the list. */
  length = 0;

  /** Appends a request (it must not be in any list). */
  push(r: DramRequest): void {
    r.next = null;
    r.prev = this.tail;
    if (this.tail === null) this.head = r;
    else this.tail.next = r;
    this.tail = r;
    this.length++;
  }

  /** Unlinks a request that is in this list. */
  remove(r: DramRequest): void {
    if (r.prev === null) this.head = r.next;
    else r.prev.next = r.next;
    if (r.next === null) this.tail = r.prev;
    else r.next.prev = r.prev;
    r.prev = null;
    r.next = null;
    this.length--;
  }

  /** Removes and returns the oldest request, or null. */
  shift(): DramRequest | null {
    const r = this.head;
    if (r !== null) this.remove(r);
    return r;
  }
}

/** A free list of DramRequests (grows to the controller's queue capacity, then recycles). */
export class RequestPool {
  private readonly free: DramRequest[] = [];

  /** A request for reuse; its fields are overwritten by the caller. */
  get(): DramRequest {
    return this.free.pop() ?? new DramRequest();
  }

  /** Returns a request that is in no list. */
  put(r: DramRequest): void {
    r.msg = null;
    this.free.push(r);
  }
}
