import type { Message, MessageQueue } from "./message.ts";

/** A component that owns ports: it receives messages and is woken when it may send again. */
export interface PortOwner {
  /** Component path. */
  readonly name: string;
  /**
   * A message arrives on `port`. Return false to refuse it (buffer full): the connection keeps it
   * and offers it again after the owner calls `port.ready()`.
   */
  recv(port: Port, msg: Message): boolean;
  /** A send on `port` was refused earlier and the connection has room again. */
  wake(port: Port): void;
}

/** What a port is plugged into: a link (or any other connection) with two sides. */
export interface Connection {
  /** Sends `msg` from the port on `side`; false means no room now (the sender will be woken). */
  send(side: number, msg: Message): boolean;
  /** The receiver on `side` has freed buffer space: offer it the messages it refused. */
  receiverReady(side: number): void;
}

/** One end of a connection, owned by a component; components talk only through ports. */
export class Port {
  /** Component that owns this port. */
  readonly owner: PortOwner;
  /** Port path, e.g. `node0.nb.ht1`. */
  readonly name: string;
  /** Owner-defined small integer (e.g. which neighbour or core this port faces). */
  readonly index: number;
  private conn: Connection | null;
  private side: number;

  constructor(owner: PortOwner, name: string, index = 0) {
    this.owner = owner;
    this.name = name;
    this.index = index;
    this.conn = null;
    this.side = 0;
  }

  /** Plugs this port into side `side` (0 or 1) of a connection; done once by the machine builder. */
  attach(conn: Connection, side: number): void {
    if (this.conn !== null) throw new Error(`${this.name}: port is already connected`);
    this.conn = conn;
    this.side = side;
  }

  /** True once the port is plugged in. */
  get connected(): boolean {
    return this.conn !== null;
  }

  /** Sends a message; false means the connection is full and `owner.wake(this)` will follow. */
  send(msg: Message): boolean {
    if (this.conn === null) throw new Error(`${this.name}: send on an unconnected port`);
    return this.conn.send(this.side, msg);
  }

  /** Tells the connection this port's owner can take refused messages again. */
  ready(): void {
    if (this.conn !== null) this.conn.receiverReady(this.side);
  }
}

/**
 * Sends `msg` on `port` unless messages already wait in `backlog` (order is kept) or the port
 * refuses; then it joins the backlog, to be sent by `drainBacklog` when the owner is woken.
 * Returns true if it was sent now.
 */
export function sendOrQueue(port: Port, backlog: MessageQueue, msg: Message): boolean {
  if (backlog.length === 0 && port.send(msg)) return true;
  backlog.push(msg);
  return false;
}

/**
 * Sends a backlog's messages on `port`, oldest first, while it accepts. Each message leaves the
 * queue before it is sent: the receiver may queue it itself, and the queues are intrusive.
 */
export function drainBacklog(port: Port, backlog: MessageQueue): void {
  for (let m = backlog.shift(); m !== null; m = backlog.shift()) {
    if (!port.send(m)) {
      backlog.pushFront(m);
      return;
    }
  }
}
