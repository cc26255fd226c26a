import type { DeviceSpec } from "../config/device-spec.ts";
import { Mailbox } from "../workload/ping-pong.ts";

/** What the rest of the machine knows of a built device: where it sits in the physical map. */
export interface DeviceHandle {
  /** Device name from the machine file. */
  name: string;
  /** Index in the machine file's device list. */
  index: number;
  spec: DeviceSpec;
  /** Socket whose root complex the device hangs off. */
  attachTo: number;
  /** NUMA node of the device's memory, or -1 when it has none. */
  memoryNode: number;
  /** Physical range of the device's memory (0 bytes when it has none). */
  memBase: number;
  memBytes: number;
  /** Physical range of the device's registers. */
  mmioBase: number;
  mmioBytes: number;
  /** The host mailbox the echo doorbell answers into (ping-pong). */
  mailbox: Mailbox;
}

/** A handle with the physical ranges filled in. */
export function deviceHandle(spec: DeviceSpec, index: number, memoryNode: number, memBase: number, mmioBase: number): DeviceHandle {
  return {
    name: spec.name,
    index,
    spec,
    attachTo: spec.attachTo,
    memoryNode,
    memBase,
    memBytes: spec.memory?.size ?? 0,
    mmioBase,
    mmioBytes: spec.mmio.size,
    mailbox: new Mailbox(),
  };
}
