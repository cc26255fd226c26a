/** MOESI line states, stored as small integers in the caches' state arrays. */
export const LineState = {
  /** Invalid: not present. */
  I: 0,
  /** Shared: clean, other caches may hold it. */
  S: 1,
  /** Exclusive: clean, no other cache holds it. */
  E: 2,
  /** Owned: dirty, other caches may hold shared copies; this cache answers for it. */
  O: 3,
  /** Modified: dirty and the only copy. */
  M: 4,
} as const;

/** True for states that may be written without asking anyone (E and M). */
export function isWritable(state: number): boolean {
  return state === LineState.E || state === LineState.M;
}

/** True for dirty states (O and M), whose data memory does not have. */
export function isDirty(state: number): boolean {
  return state === LineState.O || state === LineState.M;
}

/** Names of the states, for reports. */
export const LINE_STATE_NAMES = ["I", "S", "E", "O", "M"] as const;
