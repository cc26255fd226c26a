/** Heap measurements for long runs: used heap after a full collection when the process allows one. */

/** True when the process was started with --expose-gc. */
export function canCollect(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === "function";
}

/** Bytes of JS heap in use, after a full garbage collection (twice, to settle weak references) when possible. */
export function heapUsedBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** Megabytes with one decimal, for printing. */
export function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
