import { EventQueue, type EventHandler } from "./event-queue.ts";
import { MAX_TICK, type Tick } from "./tick.ts";

/** Thrown when a component schedules an event before the current tick (or at a non-integer tick). */
export class SchedulingError extends Error {
  constructor(component: string, tick: number, now: Tick) {
    super(`${component}: cannot schedule an event at tick ${tick} ps; the simulation is at ${now} ps (events must be at integer ticks, not in the past)`);
    this.name = "SchedulingError";
  }
}

/** Thrown when an event would fall at or past MAX_TICK: the run has passed the range of simulated time. */
export class TickLimitError extends SchedulingError {
  constructor(component: string, tick: number, now: Tick) {
    super(component, tick, now);
    this.name = "TickLimitError";
    this.message = `${component}: the simulation would pass ${MAX_TICK} ps (about 75 minutes of simulated time) at ${now} ps, scheduling an event at ${tick} ps; shorten the workload or the latencies`;
  }
}

/** Why `run` returned. */
export type StopReason = "empty" | "until" | "condition" | "stopped" | "budget";

/**
 * The discrete-event kernel: one event queue ordered by (tick, insertion sequence) and a clock `now`
 * in integer picoseconds. Components schedule events for themselves (or a port) with an integer
 * kind and an optional payload; the kernel calls `handler.handleEvent(kind, payload)` when due.
 */
export class Simulator {
  /** Current simulated time in picoseconds. */
  now: Tick;
  /** Events dispatched since construction. */
  eventsDispatched: number;
  private readonly queue: EventQueue;
  private stopRequested: boolean;
  /** Latest tick `advanceTo` may move the clock to: the running loop's bound, -Infinity outside `run`. */
  private horizon: Tick;

  constructor(initialCapacity = 1024) {
    this.now = 0;
    this.eventsDispatched = 0;
    this.queue = new EventQueue(initialCapacity);
    this.stopRequested = false;
    this.horizon = -Infinity;
  }

  /** Number of pending events. */
  get pending(): number {
    return this.queue.size;
  }

  /** Schedules `handler.handleEvent(kind, payload)` after `delayPs` (a non-negative integer). */
  schedule(handler: EventHandler, delayPs: number, kind: number, payload: unknown): void {
    const tick = this.now + delayPs;
    // One comparison catches negative, fractional and NaN delays alike.
    if (!(delayPs >= 0 && tick === Math.floor(tick) && tick < MAX_TICK)) throw schedulingError(handler.name, tick, this.now);
    this.queue.push(tick, handler, kind, payload);
  }

  /** Schedules `handler.handleEvent(kind, payload)` at an absolute tick, not earlier than now. */
  scheduleAt(handler: EventHandler, tick: Tick, kind: number, payload: unknown): void {
    if (!(tick >= this.now && tick === Math.floor(tick) && tick < MAX_TICK)) throw schedulingError(handler.name, tick, this.now);
    this.queue.push(tick, handler, kind, payload);
  }

  /**
   * Moves the clock on to `tick` inside the current event, exactly as if the caller had scheduled
   * itself an event there and that event had come next: allowed only while `run` or `runBudget`
   * is dispatching, no pending event is due by `tick` (an equal tick would have gone first) and
   * the loop would reach it. Returns false, the clock unchanged, when it may not or the queue
   * cannot tell at a glance; the caller then schedules its event as usual. A component that
   * would otherwise wake itself for its next step (a core between accesses) saves the event.
   */
  advanceTo(tick: Tick): boolean {
    if (!(tick <= this.horizon) || this.stopRequested || tick < this.now || this.queue.hasEventBy(tick)) return false;
    this.now = tick;
    return true;
  }

  /** Asks the running loop to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Runs events in order until the queue is empty or the next event is later than `untilTick`
   * (then `now` advances to `untilTick`). Returns why it stopped.
   */
  run(untilTick: Tick = Infinity): StopReason {
    const q = this.queue;
    this.stopRequested = false;
    this.horizon = untilTick;
    let dispatched = 0;
    let reason: StopReason = "empty";
    for (;;) {
      const slot = q.takeUntil(untilTick);
      if (slot < 0) {
        if (q.size > 0) reason = "until";
        break;
      }
      this.now = q.tickOf(slot);
      const kind = q.kindOf(slot);
      const payload = q.payloadOf(slot);
      const handler = q.handlerOf(slot);
      dispatched++;
      handler.handleEvent(kind, payload);
      if (this.stopRequested) {
        reason = "stopped";
        break;
      }
    }
    this.eventsDispatched += dispatched;
    this.horizon = -Infinity;
    if (reason !== "stopped" && untilTick !== Infinity && this.now < untilTick) this.now = untilTick;
    return reason;
  }

  /**
   * Runs at most `maxEvents` events (fewer if the queue empties or a handler stops the run), so a
   * caller can yield between slices. A separate loop from `run`, which stays as lean as it can.
   */
  runBudget(maxEvents: number): StopReason {
    const q = this.queue;
    this.stopRequested = false;
    this.horizon = Infinity;
    let dispatched = 0;
    let reason: StopReason = "empty";
    while (dispatched < maxEvents) {
      const slot = q.takeUntil(Infinity);
      if (slot < 0) break;
      this.now = q.tickOf(slot);
      const kind = q.kindOf(slot);
      const payload = q.payloadOf(slot);
      const handler = q.handlerOf(slot);
      dispatched++;
      handler.handleEvent(kind, payload);
      if (this.stopRequested) {
        reason = "stopped";
        break;
      }
    }
    if (reason === "empty" && dispatched >= maxEvents && q.size > 0) reason = "budget";
    this.eventsDispatched += dispatched;
    this.horizon = -Infinity;
    return reason;
  }

  /**
   * Runs until `condition()` is true, checked after every event (slower than `run`; for tests and
   * interactive use), or the queue empties, or `untilTick` passes. Handlers may not move the
   * clock on by themselves here (`advanceTo`), so the condition sees every step.
   */
  runUntil(condition: () => boolean, untilTick: Tick = Infinity): StopReason {
    const q = this.queue;
    this.stopRequested = false;
    if (condition()) return "condition";
    for (;;) {
      const slot = q.takeUntil(untilTick);
      if (slot < 0) {
        if (q.size === 0) return "empty";
        this.now = untilTick;
        return "until";
      }
      this.now = q.tickOf(slot);
      const kind = q.kindOf(slot);
      const payload = q.payloadOf(slot);
      const handler = q.handlerOf(slot);
      this.eventsDispatched++;
      handler.handleEvent(kind, payload);
      if (this.stopRequested) return "stopped";
      if (condition()) return "condition";
    }
  }
}

/** The error for an event that cannot be scheduled: past the tick range (TickLimitError), or in the past or between ticks. */
function schedulingError(component: string, tick: number, now: Tick): SchedulingError {
  return tick >= MAX_TICK || tick === Infinity ? new TickLimitError(component, tick, now) : new SchedulingError(component, tick, now);
}
