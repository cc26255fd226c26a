import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level, so equal values give equal text whatever order
 * their keys were built in. `undefined` fields are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Length of a point id in hex digits (48 bits: collisions are negligible for any real sweep). */
export const ID_DIGITS = 12;

/** A short stable hash (hex) of a value's canonical JSON. */
export function shortHash(value: unknown, digits = ID_DIGITS): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, digits);
}
