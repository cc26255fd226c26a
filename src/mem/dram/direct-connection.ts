import type { Message } from "../../kernel/message.ts";
import type { Connection, Port } from "../../kernel/port.ts";

/**
 * A wire between two ports inside one component (a DRAM system and its channel controllers, a
 * trace player and a controller): no latency, no buffering, no bandwidth limit. `send` hands the
 * message to the far owner's `recv` at once and returns its answer; a refused sender is woken
 * when the far side calls `ready()`. The refused message stays with its sender.
 */
export class DirectConnection implements Connection {
  private readonly ends: [Port, Port];
  private readonly waiting: [boolean, boolean];

  constructor(a: Port, b: Port) {
    this.ends = [a, b];
    this.waiting = [false, false];
    a.attach(this, 0);
    b.attach(this, 1);
  }

  /** Offers `msg` from side `side` to the other side's owner; false if it refused. */
  send(side: number, msg: Message): boolean {
    const to = this.ends[1 - side];
    if (to.owner.recv(to, msg)) return true;
    this.waiting[side] = true;
    return false;
  }

  /** The owner on `side` has room again: wake the other side if it was refused. */
  receiverReady(side: number): void {
    const s = 1 - side;
    if (!this.waiting[s]) return;
    this.waiting[s] = false;
    const from = this.ends[s];
    from.owner.wake(from);
  }
}
