import type { EventHandler } from "../../src/kernel/event-queue.ts";
import type { Simulator } from "../../src/kernel/simulator.ts";

/** A test component that records (tick, kind) of every event it handles. */
export class Recorder implements EventHandler {
  readonly name: string;
  readonly seen: Array<[number, number]> = [];
  constructor(
    private readonly sim: Simulator,
    name = "test.recorder",
  ) {
    this.name = name;
  }
  handleEvent(kind: number): void {
    this.seen.push([this.sim.now, kind]);
  }
}
