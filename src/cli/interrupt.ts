/**
 * Stopping a run cleanly on Ctrl-C or `kill`: the first SIGINT or SIGTERM stops the simulator
 * between two events, lets the caller write what it has (results marked partial, with the tick
 * where the run stopped) and exits with 130 (SIGINT) or 143 (SIGTERM), as shells expect; a second
 * signal while the caller is still writing exits at once.
 *
 * Node delivers a signal only when JavaScript yields to the event loop, and `Simulator.run` never
 * does, so a run that should be interruptible goes through `runYielding`, which runs the simulator
 * in slices of a few tens of milliseconds and yields between them. Slices end after a count of
 * events (`runUntil`), never at a tick, so `now` and every statistic are exactly those of one
 * uninterrupted `run()`.
 */
import type { Simulator, StopReason } from "../kernel/simulator.ts";

/** The signals that stop a run. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** Exit code after a stop signal: 128 plus the signal number (SIGINT 2, SIGTERM 15). */
export function exitCodeFor(signal: StopSignal): 130 | 143 {
  return signal === "SIGINT" ? 130 : 143;
}

/** What installInterruptHandler returns. */
export interface InterruptHandle {
  /** The first stop signal received, or null. */
  readonly signal: StopSignal | null;
  /** Removes the handlers (call when the run is over and its results are written). */
  dispose(): void;
}

/** Options of installInterruptHandler (for tests). */
export interface InterruptOptions {
  /** Ends the process; default process.exit. */
  exit?: (code: number) => void;
  /** Where a failure of `onStop` is reported; default stderr. */
  report?: (line: string) => void;
  /** Where the signals come from; default the process. */
  signals?: { on(event: StopSignal, fn: () => void): unknown; off(event: StopSignal, fn: () => void): unknown };
}

/**
 * On the first SIGINT or SIGTERM: asks `sim` to stop after the current event, calls `onStop` (which
 * may return a promise) to write partial results at `sim.now`, then exits with 130 or 143. A second
 * SIGINT or SIGTERM before that exits at once with the code of the first. If `onStop` throws, its
 * message is printed and the process still exits with the signal's code.
 */
export function installInterruptHandler(sim: Simulator, onStop: (reason: StopSignal) => void | Promise<void>, opts: InterruptOptions = {}): InterruptHandle {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const report = opts.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  let first: StopSignal | null = null;
  const handler = (signal: StopSignal) => {
    if (first !== null) {
      exit(exitCodeFor(first));
      return;
    }
    first = signal;
    sim.stop();
    let result: void | Promise<void>;
    try {
      result = onStop(signal);
    } catch (e) {
      report(`hopsim: could not write partial results: ${e instanceof Error ? e.message : String(e)}`);
      exit(exitCodeFor(signal));
      return;
    }
    if (result instanceof Promise) {
      result.then(
        () => exit(exitCodeFor(signal)),
        (e: unknown) => {
          report(`hopsim: could not write partial results: ${e instanceof Error ? e.message : String(e)}`);
          exit(exitCodeFor(signal));
        },
      );
    } else {
      exit(exitCodeFor(signal));
    }
  };
  const signals = opts.signals ?? process;
  const onInt = () => handler("SIGINT");
  const onTerm = () => handler("SIGTERM");
  signals.on("SIGINT", onInt);
  signals.on("SIGTERM", onTerm);
  return {
    get signal() {
      return first;
    },
    dispose() {
      signals.off("SIGINT", onInt);
      signals.off("SIGTERM", onTerm);
    },
  };
}

/** Options of runYielding. */
export interface YieldingOptions {
  /** Wall-clock milliseconds a slice aims at (default 25). */
  sliceMs?: number;
  /** Checked between slices: true stops the run (reason "stopped"). */
  shouldStop?: () => boolean;
}

/**
 * Runs `sim` until its queue is empty, like `sim.run()`, but in slices of about `sliceMs` of wall
 * time, yielding to the event loop between them so signal handlers (and timers) get to run.
 * Resolves with "empty", or "stopped" when `sim.stop()` was called during a slice or `shouldStop`
 * said so between slices.
 */
export async function runYielding(sim: Simulator, opts: YieldingOptions = {}): Promise<StopReason> {
  const sliceMs = opts.sliceMs ?? 25;
  let events = 10_000;
  for (;;) {
    if (opts.shouldStop?.()) return "stopped";
    const t0 = performance.now();
    const reason = sim.runBudget(events);
    if (reason !== "budget") return reason;
    // Aim the next slice at sliceMs, changing its length by at most 4x at a time.
    const ms = performance.now() - t0;
    const scale = ms > 0 ? sliceMs / ms : 4;
    events = Math.max(1000, Math.round(events * Math.min(4, Math.max(0.25, scale))));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
