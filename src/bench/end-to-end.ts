/** End-to-end simulated accesses per second; filled in once the Opteron machine exists. */
export function endToEndBench(_print: (line: string) => void): Record<string, unknown> | null {
  return null;
}
