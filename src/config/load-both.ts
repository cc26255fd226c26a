import { ConfigError } from "./errors.ts";

/** Runs two loaders and reports the problems of both at once (one ConfigError), or returns both values. */
export function loadBoth<A, B>(first: () => A, second: () => B): [A, B] {
  let a: A | undefined;
  let b: B | undefined;
  const problems: ConfigError["problems"][number][] = [];
  try {
    a = first();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }
  try {
    b = second();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return [a as A, b as B];
}
