/** A broken simulator invariant: names the component, the tick and what was wrong. */
export class InvariantError extends Error {
  constructor(component: string, tick: number, what: string) {
    super(`${component}: invariant broken at ${tick} ps: ${what}`);
    this.name = "InvariantError";
  }
}
