import type { Tick } from "./tick.ts";

/**
 * The one message class of the hot path: every request, probe, response and data packet is a
 * Message with an integer `kind`, pooled and reused, so V8 sees a single shape everywhere.
 */
export class Message {
  /** What the message is: a component-defined integer (see mem/msg-kind.ts). */
  kind: number;
  /** Physical byte address the message is about (line-aligned for coherent traffic). */
  addr: number;
  /** Bytes the message occupies on a link (header plus payload). */
  sizeBytes: number;
  /** Endpoint that created the message (a node, core or agent id; component-defined). */
  src: number;
  /** Endpoint the message is going to. */
  dst: number;
  /** Transaction identifier, unique among in-flight transactions of the originator. */
  txnId: number;
  /** Free-form small integer (e.g. the requesting core, a probe's intent). */
  aux: number;
  /** Tick at which the transaction this message belongs to began. */
  issuedAt: Tick;
  /** Hops travelled so far. */
  hops: number;
  /**
   * Tick the packet's head reached the component now forwarding it (cut-through links), or 0.
   * A router that forwards the packet at once may start it on the next link from this tick.
   */
  headAt: Tick;
  /**
   * Tick the message is ready to leave, when later than the moment it is handed to a link (a
   * reply computed now but due after a lookup delay); 0 means now. The link clears it.
   */
  sendAt: Tick;
  /**
   * Version of the line's data the packet carries (value tracking of `--check`; 0 when the data
   * is untracked or the packet carries none). Each completed store makes a new version.
   */
  version: number;
  /** Intrusive link for FIFO queues (null when not queued). */
  next: Message | null;

  constructor() {
    this.kind = 0;
    this.addr = 0;
    this.sizeBytes = 0;
    this.src = 0;
    this.dst = 0;
    this.txnId = 0;
    this.aux = 0;
    this.issuedAt = 0;
    this.hops = 0;
    this.headAt = 0;
    this.sendAt = 0;
    this.version = 0;
    this.next = null;
  }
}

/** A free list of Messages: `get` reuses a returned one when it can, `put` returns one. */
export class MessagePool {
  private free: Message[] = [];
  /** Messages created since the pool was made (grows only until the working set is reached). */
  created = 0;

  /** A message with every field reset. */
  get(): Message {
    const m = this.free.pop();
    if (m !== undefined) return m;
    this.created++;
    return new Message();
  }

  /** Returns a message; the caller must hold no other reference to it. */
  put(m: Message): void {
    m.kind = 0;
    m.addr = 0;
    m.sizeBytes = 0;
    m.src = 0;
    m.dst = 0;
    m.txnId = 0;
    m.aux = 0;
    m.issuedAt = 0;
    m.hops = 0;
    m.headAt = 0;
    m.sendAt = 0;
    m.version = 0;
    m.next = null;
    this.free.push(m);
  }
}

/** A FIFO of Messages threaded through their `next` fields: no allocation per push. */
export class MessageQueue {
  head: Message | null = null;
  tail: Message | null = null;
  length = 0;

  /** Appends a message. */
  push(m: Message): void {
    m.next = null;
    if (this.tail === null) this.head = m;
    else this.tail.next = m;
    this.tail = m;
    this.length++;
  }

  /** Puts a message back at the head (it goes next). */
  pushFront(m: Message): void {
    m.next = this.head;
    this.head = m;
    if (this.tail === null) this.tail = m;
    this.length++;
  }

  /** Removes and returns the oldest message, or null. */
  shift(): Message | null {
    const m = this.head;
    if (m === null) return null;
    this.head = m.next;
    if (this.head === null) this.tail = null;
    m.next = null;
    this.length--;
    return m;
  }
}
