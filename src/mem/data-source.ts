/**
 * Where the data of a fill came from, as a small integer the northbridge puts in the `src` of a
 * Data packet for a core (value tracking names it when a read turns out stale).
 */

/** Data read from the memory behind node `node`'s home agent. */
export function fromMemoryAt(node: number): number {
  return node;
}

/** Data from a dirty (M or O) copy in a cache of node `node`, sent with a probe response. */
export function fromDirtyCopyAt(node: number): number {
  return DIRTY_COPY + node;
}

/** Data from node `node`'s shared last-level cache (or a sibling core's copy merged there). */
export function fromSharedCacheAt(node: number): number {
  return SHARED_CACHE + node;
}

/** Words for a source code, e.g. "a dirty copy at node 2". */
export function describeDataSource(code: number): string {
  if (code >= SHARED_CACHE) return `the shared cache of node ${code - SHARED_CACHE}`;
  if (code >= DIRTY_COPY) return `a dirty copy at node ${code - DIRTY_COPY} (probe response)`;
  if (code >= 0) return `memory through node ${code}'s home`;
  return "an unknown source";
}

const DIRTY_COPY = 1 << 20;
const SHARED_CACHE = 1 << 21;
