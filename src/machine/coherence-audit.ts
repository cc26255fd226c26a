import type { Cache } from "../mem/cache.ts";
import { LineState } from "../mem/moesi.ts";
import { InvariantError } from "./invariant-error.ts";

/**
 * One coherence owner: a core's private hierarchy (its L2, which includes its L1d, or each of the
 * two when the L2 is exclusive) or a socket's L3.
 */
interface Owner {
  name: string;
  /** The cache whose state speaks for the owner. */
  cache: Cache;
  /** Node the owner sits on. */
  node: number;
  /** Shared caches include their node's cores: they are not a second owner against them. */
  shared: boolean;
}

/**
 * The single-writer check of `--check`: each time a line is filled somewhere, no other owner may
 * hold it in a way the fill's state forbids — an M or E copy allows no other copy, an S or O copy
 * allows no other M or E copy. A violation stops the run naming the owners, the line and the tick.
 */
export class CoherenceAudit {
  private readonly owners: Owner[] = [];
  /** Fills checked. */
  checks = 0;

  /** Registers an owner. */
  add(name: string, cache: Cache, node: number, shared: boolean): void {
    this.owners.push({ name, cache, node, shared });
  }

  /** Checks a fill of `line` in `state` by owner `who` on `node` at `tick`. */
  onFill(who: string, node: number, line: number, state: number, tick: number): void {
    this.checks++;
    const exclusive = state === LineState.M || state === LineState.E;
    for (const o of this.owners) {
      if (o.name === who) continue;
      // A node's shared cache holds what its cores hold: it is the same owner, seen from outside.
      if (o.shared && o.node === node) continue;
      const s = o.cache.stateOf(line);
      if (s === LineState.I) continue;
      const otherExclusive = s === LineState.M || s === LineState.E;
      if (exclusive || otherExclusive) {
        throw new InvariantError(who, tick, `line 0x${line.toString(16)} filled in state ${STATE[state]} while ${o.name} holds it in ${STATE[s]} (at most one owner)`);
      }
    }
  }
}

const STATE = ["I", "S", "E", "O", "M"];
