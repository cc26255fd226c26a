import type { Message } from "../message.ts";
import type { Connection, Port } from "../port.ts";

/**
 * A zero-delay, never-full connection between two ports: a message sent on one side is delivered
 * to the other side's owner at once, inside the sender's event. Queueing models use it to join a
 * source, a server and a sink, whose buffers are unbounded.
 */
export class Handoff implements Connection {
  private readonly ports: [Port, Port];

  constructor(a: Port, b: Port) {
    this.ports = [a, b];
    a.attach(this, 0);
    b.attach(this, 1);
  }

  /** Delivers `msg` to the other side; a receiver that refuses breaks the model, so it throws. */
  send(side: number, msg: Message): boolean {
    const to = this.ports[1 - side];
    if (!to.owner.recv(to, msg)) throw new Error(`${to.name}: refused a message on an unbounded handoff`);
    return true;
  }

  /** Nothing is ever held back. */
  receiverReady(_side: number): void {}
}
