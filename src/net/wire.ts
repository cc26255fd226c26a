import type { Message } from "../kernel/message.ts";
import type { Connection, Port } from "../kernel/port.ts";

/**
 * A zero-latency connection between two on-die components (a home agent and its memory
 * controller): a send is delivered at once, in the sender's event, and refusals propagate
 * straight back. Timing belongs to the components on either side; no event is spent on the wire.
 */
export class Wire implements Connection {
  private readonly ports: [Port, Port];
  private readonly waiting: [boolean, boolean];

  constructor(a: Port, b: Port) {
    this.ports = [a, b];
    this.waiting = [false, false];
    a.attach(this, 0);
    b.attach(this, 1);
  }

  /** Delivers `msg` to the other side now; false if it refused (the sender is woken later). */
  send(side: number, msg: Message): boolean {
    const to = this.ports[1 - side];
    if (to.owner.recv(to, msg)) return true;
    this.waiting[side] = true;
    return false;
  }

  /** The receiver on `side` has room: wake the other side if it was refused. */
  receiverReady(side: number): void {
    const sender = 1 - side;
    if (!this.waiting[sender]) return;
    this.waiting[sender] = false;
    const p = this.ports[sender];
    p.owner.wake(p);
  }
}
