import { MessageQueue, type Message } from "../kernel/message.ts";
import { drainBacklog, Port, sendOrQueue, type PortOwner } from "../kernel/port.ts";

/**
 * A crossbar switch joining sockets (e.g. a Newisys Horus-style node controller): forwards each
 * packet on the port toward its destination node. Its traversal latency is charged on its links.
 */
export class SwitchRouter implements PortOwner {
  /** Component path, e.g. `switch0`. */
  readonly name: string;
  private readonly ports: Port[] = [];
  private readonly queues: MessageQueue[] = [];
  private routeOut: Int32Array;

  constructor(name: string, nodes: number) {
    this.name = name;
    this.routeOut = new Int32Array(nodes).fill(-1);
  }

  /** Adds a port (index 1000 + k, like a northbridge's link ports) and returns it. */
  addPort(label: string): Port {
    const p = new Port(this, `${this.name}.${label}`, 1000 + this.ports.length);
    this.ports.push(p);
    this.queues.push(new MessageQueue());
    return p;
  }

  /** Sets the output port index for every destination node. */
  setRoutes(out: Int32Array): void {
    this.routeOut = out;
  }

  recv(_port: Port, msg: Message): boolean {
    const k = this.routeOut[msg.dst];
    const q = this.queues[k];
    // A packet that has to wait can no longer leave from its head's arrival time.
    if (!sendOrQueue(this.ports[k], q, msg)) msg.headAt = 0;
    return true;
  }

  wake(port: Port): void {
    drainBacklog(port, this.queues[port.index - 1000]);
  }
}
