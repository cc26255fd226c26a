import { MessageQueue, type Message } from "../kernel/message.ts";
import { NOT_HELD, VictimBuffer } from "./victim-buffer.ts";

/**
 * A node's dirty lines on their way out. A write-back is in flight from the moment a core evicts
 * the line (its write-back buffer, on the way to the northbridge) until the home has taken its
 * data (the node's victim buffer: the node asks its home for a turn and sends the data when told).
 * A probe that finds its line in flight answers with that data; an invalidating one cancels the
 * write-backs (the data now belongs to the new owner, and must not reach memory after newer
 * data). With a directory, a request for a line the node is still writing back waits until the
 * home has taken it, so the home never takes that write-back for the end of a new copy.
 */
export class WriteBacksInFlight {
  /** Write-backs waiting for their home's turn (the node holds their data). */
  readonly sent: VictimBuffer;
  /** Each port's write-back buffer (a core's, on their way to the northbridge), or null. */
  private readonly byPort: (VictimBuffer | null)[] = [];
  /** The non-null entries of byPort. */
  private readonly cores: VictimBuffer[] = [];
  private readonly requests = new Map<number, MessageQueue>();

  constructor(lineBytes: number) {
    this.sent = new VictimBuffer(lineBytes);
  }

  /** Registers the next port's write-back buffer (null: the port's sender keeps none). */
  addPort(buffer: VictimBuffer | null): void {
    this.byPort.push(buffer);
    if (buffer !== null) this.cores.push(buffer);
  }

  /** A write-back from port `port` reached the northbridge: what its sender's buffer says (victim-buffer.ts). */
  arrived(port: number, addr: number): number {
    const b = this.byPort[port];
    return b === null || b === undefined ? NOT_HELD : b.remove(addr);
  }

  /**
   * A probe of `addr` looks here: -1 if no write-back of the line is in flight, else the version
   * of the newest one's data (0 when versions are not kept). An invalidating probe cancels them.
   */
  probe(addr: number, invalidate: boolean): number {
    let v = -1;
    for (let i = 0; i < this.cores.length; i++) {
      const b = this.cores[i];
      if (!b.holds(addr)) continue;
      v = Math.max(v, b.versionOf(addr));
      if (invalidate) b.cancel(addr);
    }
    if (this.sent.holds(addr)) {
      v = Math.max(v, this.sent.versionOf(addr));
      if (invalidate) this.sent.cancel(addr);
    }
    return v;
  }

  /** Holds a request for a line this node is still writing back home; false if it may go. */
  holdRequest(msg: Message): boolean {
    if (!this.sent.holds(msg.addr)) return false;
    let q = this.requests.get(msg.addr);
    if (q === undefined) {
      q = new MessageQueue();
      this.requests.set(msg.addr, q);
    }
    q.push(msg);
    return true;
  }

  /** Requests of `addr` that waited, once no write-back of it is held, or null. */
  releaseRequests(addr: number): MessageQueue | null {
    if (this.requests.size === 0 || this.sent.holds(addr)) return null;
    const q = this.requests.get(addr);
    if (q === undefined) return null;
    this.requests.delete(addr);
    return q;
  }

  /** What is still in flight or waiting (a quiet node has nothing), or null. */
  outstanding(): string | null {
    if (this.sent.size > 0) return `${this.sent.size} write-backs still waiting for their home's turn`;
    if (this.cores.some((b) => b.size > 0)) return "write-backs of its cores still on their way to it";
    if (this.requests.size > 0) return "requests still waiting for a write-back";
    return null;
  }
}
