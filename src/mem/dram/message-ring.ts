import type { Message } from "../../kernel/message.ts";

/**
 * A FIFO of Messages in a growable circular array. Unlike the kernel's intrusive MessageQueue it
 * never writes `msg.next`: a message handed to `recv` may still be threaded in the sender's
 * connection (a Link offers a stalled message before unlinking it), so the receiver must not
 * relink it there and then.
 */
export class MessageRing {
  private slots: (Message | null)[];
  private head: number;
  private count: number;

  constructor(capacity = 16) {
    this.slots = new Array<Message | null>(Math.max(2, capacity)).fill(null);
    this.head = 0;
    this.count = 0;
  }

  /** Messages held. */
  get length(): number {
    return this.count;
  }

  /** Appends a message (doubling the array when full). */
  push(m: Message): void {
    if (this.count === this.slots.length) this.grow();
    this.slots[(this.head + this.count) % this.slots.length] = m;
    this.count++;
  }

  /** The oldest message, or null. */
  peek(): Message | null {
    return this.count === 0 ? null : this.slots[this.head];
  }

  /** Removes and returns the oldest message, or null. */
  shift(): Message | null {
    if (this.count === 0) return null;
    const m = this.slots[this.head];
    this.slots[this.head] = null;
    this.head = (this.head + 1) % this.slots.length;
    this.count--;
    return m;
  }

  private grow(): void {
    const n = this.slots.length;
    const next = new Array<Message | null>(n * 2).fill(null);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) % n];
    this.slots = next;
    this.head = 0;
  }
}
