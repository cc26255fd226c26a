/** --set overrides split by target: `workload.` keys go to the workload file, the rest to the machine. */
export interface SplitOverrides {
  machine: string[];
  workload: string[];
}

/** What a `--set` key starts with to reach the workload file (problem lines show it again). */
export const WORKLOAD_PREFIX = "workload.";

/** Routes each `key=value` override to the machine or the workload by its first key. */
export function splitOverrides(sets: readonly string[]): SplitOverrides {
  const out: SplitOverrides = { machine: [], workload: [] };
  for (const s of sets) {
    if (s.startsWith(WORKLOAD_PREFIX)) out.workload.push(s.slice(WORKLOAD_PREFIX.length));
    else if (s.startsWith("machine.")) out.machine.push(s.slice("machine.".length));
    else out.machine.push(s);
  }
  return out;
}
