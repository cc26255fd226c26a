/** Command codes a channel controller issues to its devices (small integers: no strings on the hot path). */
export const DramCmd = {
  /** Activate: open a row in a bank. */
  ACT: 0,
  /** Read one burst from the open row. */
  RD: 1,
  /** Write one burst into the open row. */
  WR: 2,
  /** Precharge (close) one bank. */
  PRE: 3,
  /** Precharge every bank of a rank. */
  PREA: 4,
  /** All-bank refresh of a rank. */
  REF: 5,
  /** Per-bank refresh of one bank. */
  REFPB: 6,
} as const;

/** One of the DramCmd codes. */
export type DramCmd = (typeof DramCmd)[keyof typeof DramCmd];

/** Printable command names, indexed by DramCmd code. */
export const DRAM_CMD_NAMES: readonly string[] = ["ACT", "RD", "WR", "PRE", "PREA", "REF", "REFpb"];

/**
 * Told about every command a controller issues (the protocol checker, a test recorder, a tracer).
 * Rank-wide commands (PREA, REF) pass -1 for bank group, bank and row.
 */
export interface CommandObserver {
  /** Command `cmd` went to (rank, bankGroup, bank, row) of `channel` at `tick` picoseconds. */
  onCommand(channel: number, cmd: number, rank: number, bankGroup: number, bank: number, row: number, tick: number): void;
  /**
   * Whole refresh rounds of `rank` on `channel` fell due while the controller was idle and are not
   * replayed one by one. The last of them began at `lastRoundTick`: one REF to the rank, or (per
   * bank) a REFpb to each bank of the rank, `intervalTicks` apart, starting with bank `firstBank`
   * (its index within the rank). Optional: a controller replays every refresh through `onCommand`
   * while any of its observers lacks it, which costs one call per refresh however long the gap.
   */
  onRefreshRoundsSkipped?(channel: number, rank: number, lastRoundTick: number, perBank: boolean, firstBank: number, intervalTicks: number): void;
}
