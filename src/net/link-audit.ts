import { InvariantError } from "../machine/invariant-error.ts";

/**
 * Checks, independently of the link's own bookkeeping, that no direction of a link carries more
 * than its bandwidth over any window: each transfer's bytes are spread over the time it occupies
 * the wire, summed per fixed window, and a window holding more than bandwidth x window (plus one
 * largest packet, for a command packet inserted into a data packet) stops the run.
 */
export class LinkAudit {
  readonly name: string;
  private readonly windowPs: number;
  private readonly capacityBytes: number;
  /** Bytes per window, per direction (window index -> bytes). */
  private readonly windows: [Map<number, number>, Map<number, number>];
  private maxPacketBytes: number;
  /** Windows checked so far. */
  checked: number;

  constructor(name: string, bandwidthBytesPerNs: number, windowPs = 1_000_000) {
    this.name = name;
    this.windowPs = windowPs;
    this.capacityBytes = (bandwidthBytesPerNs * windowPs) / 1000;
    this.windows = [new Map(), new Map()];
    this.maxPacketBytes = 0;
    this.checked = 0;
  }

  /** A transfer of `bytes` occupies direction `side` from `startPs` for `serPs`. */
  record(side: number, startPs: number, serPs: number, bytes: number, nowPs: number): void {
    if (bytes > this.maxPacketBytes) this.maxPacketBytes = bytes;
    const w = this.windows[side];
    const end = startPs + serPs;
    let t = startPs;
    while (t < end || serPs === 0) {
      const k = Math.floor(t / this.windowPs);
      const windowEnd = (k + 1) * this.windowPs;
      const until = end < windowEnd ? end : windowEnd;
      const share = serPs === 0 ? bytes : (bytes * (until - t)) / serPs;
      w.set(k, (w.get(k) ?? 0) + share);
      if (serPs === 0) break;
      t = until;
      // A transfer over many windows fills each one it spans at its own rate; nothing else can
      // push one past its bandwidth plus the largest packet (this one), so only its first and
      // last windows are kept (a slow link's long packet would otherwise make millions).
      const last = Math.floor((end - 1) / this.windowPs) * this.windowPs;
      if (t < last) t = last;
    }
    // Windows wholly before the earliest start any later transfer can have are final: check them.
    const oldest = Math.floor(nowPs / this.windowPs) - 1;
    for (const [k, b] of w) {
      if (k >= oldest) continue;
      this.check(side, k, b);
      w.delete(k);
    }
  }

  /** Checks every window still open (at the end of a run). */
  finish(nowPs: number): void {
    for (let side = 0; side < 2; side++) {
      for (const [k, b] of this.windows[side]) this.check(side, k, b, nowPs);
      this.windows[side].clear();
    }
  }

  private check(side: number, k: number, bytes: number, nowPs = (k + 1) * this.windowPs): void {
    this.checked++;
    if (bytes > this.capacityBytes + this.maxPacketBytes + 1e-6) {
      throw new InvariantError(this.name, nowPs, `${side === 0 ? "fwd" : "rev"} carried ${bytes.toFixed(0)} bytes in the ${this.windowPs / 1000} ns window from ${k * this.windowPs} ps; its bandwidth allows ${this.capacityBytes.toFixed(0)}`);
    }
  }
}
