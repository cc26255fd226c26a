/**
 * Sweep progress on stderr: a progress bar on a terminal, with log lines printed above it; a plain
 * line every few seconds otherwise ("sweep NAME: 5/8 points, 0 failed, ~12 s left").
 */
import { MultiBar, type SingleBar } from "cli-progress";
import type { Logger } from "pino";
import { makeLogger } from "../cli/logger.ts";

/** Where progress and log lines go. */
export interface ProgressOptions {
  name: string;
  /** Draw a bar (default: when stderr is a terminal). */
  tty?: boolean;
  /** Seconds between plain progress lines (default 5). */
  intervalSeconds?: number;
  /** No progress output at all (log lines still go to stderr). */
  quiet?: boolean;
  /** Where text goes (default stderr). */
  write?: (text: string) => void;
}

/** Tracks a sweep's progress and prints it. */
export class SweepProgress {
  readonly name: string;
  private readonly tty: boolean;
  private readonly quiet: boolean;
  private readonly intervalMs: number;
  private readonly out: (text: string) => void;
  private total = 0;
  private done = 0;
  private failed = 0;
  /** Points that had to be simulated, and how many of them are done: the basis of the estimate. */
  private toRun = 0;
  private ran = 0;
  private startMs = 0;
  private lastLineMs = 0;
  private multibar: MultiBar | undefined;
  private bar: SingleBar | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(o: ProgressOptions) {
    this.name = o.name;
    this.out = o.write ?? ((t) => process.stderr.write(t));
    this.tty = o.tty ?? process.stderr.isTTY === true;
    this.quiet = o.quiet ?? false;
    this.intervalMs = (o.intervalSeconds ?? 5) * 1000;
  }

  /** Writes a line of text above the bar (or plainly when there is none). */
  line(text: string): void {
    const t = text.endsWith("\n") ? text : `${text}\n`;
    if (this.multibar !== undefined) this.multibar.log(t);
    else this.out(t);
  }

  /** A logger whose plain lines go above the bar. */
  logger(level: string): Logger {
    return makeLogger(level, (l) => this.line(l));
  }

  /** Starts counting: `total` points, of which `alreadyDone` need no simulation (`alreadyFailed` of them failed) and `toRun` do. */
  start(total: number, alreadyDone: number, toRun: number, alreadyFailed = 0): void {
    this.total = total;
    this.done = alreadyDone;
    this.failed = alreadyFailed;
    this.toRun = toRun;
    this.startMs = Date.now();
    this.lastLineMs = this.startMs;
    if (this.quiet || toRun === 0) return;
    if (this.tty) {
      this.multibar = new MultiBar({
        stream: process.stderr,
        format: `sweep ${this.name} [{bar}] {value}/{total} points | {failed} failed | {left}`,
        hideCursor: true,
        clearOnComplete: false,
        barsize: 30,
        fps: 5,
      });
      this.bar = this.multibar.create(total, alreadyDone, this.payload());
      // Ctrl-C: give the terminal its cursor back, then let the signal do what it would have done.
      process.once("SIGINT", this.onSignal);
      process.once("SIGTERM", this.onSignal);
    }
    this.timer = setInterval(() => this.tick(), Math.min(1000, this.intervalMs));
    this.timer.unref();
  }

  /** Records finished points (several when points share an id). */
  pointsDone(rows: number, failed: boolean, simulated: boolean): void {
    this.done += rows;
    if (failed) this.failed += rows;
    if (simulated) this.ran++;
    this.bar?.update(this.done, this.payload());
    this.tick();
  }

  /** Sets absolute counts (for executors that only observe finished points, such as Slurm). */
  set(done: number, failed: number, ran: number): void {
    this.done = done;
    this.failed = failed;
    this.ran = ran;
    this.bar?.update(this.done, this.payload());
    this.tick();
  }

  /** Stops the bar and the timer; prints a last plain line when there was progress to show. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.multibar !== undefined) {
      process.off("SIGINT", this.onSignal);
      process.off("SIGTERM", this.onSignal);
      this.bar?.update(this.done, this.payload());
      this.multibar.stop();
      this.multibar = undefined;
      this.bar = undefined;
    } else if (!this.quiet && this.toRun > 0) this.out(`${this.plainLine()}\n`);
  }

  /** The estimate of the time left, from the points simulated so far. */
  etaText(): string {
    const left = this.toRun - this.ran;
    if (left <= 0) return "done";
    if (this.ran === 0) return "estimating";
    const seconds = ((Date.now() - this.startMs) / 1000 / this.ran) * left;
    return `~${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s left`;
  }

  /** The plain progress line. */
  plainLine(): string {
    return `sweep ${this.name}: ${this.done}/${this.total} points, ${this.failed} failed, ${this.etaText()}`;
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.multibar?.stop();
    this.multibar = undefined;
    this.bar = undefined;
    process.kill(process.pid, signal);
  };

  private payload(): { failed: number; left: string } {
    return { failed: this.failed, left: this.etaText() };
  }

  private tick(): void {
    if (this.bar !== undefined) {
      this.bar.update(this.done, this.payload());
      return;
    }
    if (this.quiet || this.timer === undefined) return;
    const now = Date.now();
    if (now - this.lastLineMs >= this.intervalMs) {
      this.lastLineMs = now;
      this.out(`${this.plainLine()}\n`);
    }
  }
}
