import { z } from "zod";

/**
 * Bounds on the lookup structures a machine file sizes. A lookup searches one set way by way, so
 * ways are bounded; a table's arrays are allocated whole, so entries are bounded. Both bounds are
 * far above any real cache or TLB, and keep a mistyped size a clear error rather than a run that
 * exhausts memory or spends minutes per access.
 */

/** Most ways in one set of a cache or TLB. */
export const MAX_WAYS = 4096;

/** Most entries of one TLB or page-walk-cache array. */
export const MAX_TABLE_ENTRIES = 2 ** 20;

/** Most page walks, or translations, one walker unit has in flight (its slots are allocated whole and searched one by one). */
export const MAX_IN_FLIGHT = 1024;

/** Largest tag a cache keeps (line address over the number of sets, in a 32-bit signed integer). */
export const MAX_TAG = 0x7fffffff;

/** Ways per set of a cache or a TLB array. */
export const Ways = z.number().int().positive().max(MAX_WAYS, `at most ${MAX_WAYS} ways per set are supported (a lookup searches the whole set)`);

/** Entries of a set-associative TLB array. */
export const TableEntries = z.number().int().positive().max(MAX_TABLE_ENTRIES, `at most ${MAX_TABLE_ENTRIES} entries per array are supported`);

/** Entries of a fully associative table (page-walk cache, nested TLB, GPU L1 TLB); 0 where none is allowed. */
export const FullyAssociativeEntries = z.number().int().nonnegative().max(MAX_WAYS, `at most ${MAX_WAYS} entries are supported in a fully associative table (a lookup searches all of them)`);

/** Page walks, or translations, in flight at once in one walker unit. */
export const InFlight = z.number().int().positive().max(MAX_IN_FLIGHT, `at most ${MAX_IN_FLIGHT} in flight are supported (the slots are searched one by one)`);
