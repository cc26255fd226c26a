import type { Message } from "../kernel/message.ts";
import { MsgKind } from "./msg-kind.ts";

/**
 * Version a write carries when it comes from a non-coherent agent on a device (a GPU's caches, a
 * DMA engine's copy into device memory): the memory keeps the version it had, so value tracking
 * never judges what the model declares non-coherent.
 */
export const UNTRACKED_VERSION = -1;

/**
 * The version of each line a memory holds (value tracking of `--check`), keyed by the
 * line-aligned address the memory sees. A request takes effect when the memory accepts it, in
 * arrival order: a read is stamped with the version the line has then (a write queue forwards to
 * later reads), a write records the version it carries.
 */
export class LineVersions {
  private readonly byAddr = new Map<number, number>();

  /** Applies an accepted MemRead (stamps it) or MemWrite (records its version). */
  accept(msg: Message): void {
    if (msg.kind === MsgKind.MemRead) this.read(msg);
    else if (msg.kind === MsgKind.MemWrite) this.write(msg.addr, msg.version);
  }

  /** Stamps an accepted read with the version its line has now. */
  read(msg: Message): void {
    msg.version = this.byAddr.get(msg.addr) ?? 0;
  }

  /** Records an accepted write of `version` at `addr` (an untracked write leaves the line's version). */
  write(addr: number, version: number): void {
    if (version !== UNTRACKED_VERSION) this.byAddr.set(addr, version);
  }

  /** Version of the line at `addr` (0: never written). */
  at(addr: number): number {
    return this.byAddr.get(addr) ?? 0;
  }
}
