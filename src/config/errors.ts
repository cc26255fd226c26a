/**
 * Configuration problems: a ConfigError carries every problem found in a
 * configuration, each printable as one line `<file>: <path>: <message>`.
 */
import { z } from "zod";
import { showInput } from "./units.ts";

/** One thing wrong with a configuration: where (file and field path) and what. */
export interface ConfigProblem {
  /** File (or other source, such as `--set`) the problem was found in. */
  file: string;
  /** Field path such as `links[2].latency`; empty for whole-file problems. */
  path: string;
  /** Human-readable description of the problem. */
  message: string;
}

/** Formats one problem as a single line: `<file>: <path>: <message>` (or `<file>: <message>`). */
export function formatProblem(problem: ConfigProblem): string {
  return problem.path ? `${problem.file}: ${problem.path}: ${problem.message}` : `${problem.file}: ${problem.message}`;
}

/** An error listing every problem found in a configuration; `lines()` gives one printable line each. */
export class ConfigError extends Error {
  /** The problems, in the order they were found. */
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n") || "invalid configuration");
    this.name = "ConfigError";
    this.problems = problems;
  }

  /** A ConfigError with a single problem. */
  static single(file: string, message: string, path = ""): ConfigError {
    return new ConfigError([{ file, path, message }]);
  }

  /** One printable line per problem. */
  lines(): string[] {
    return this.problems.map(formatProblem);
  }
}

const PLAIN_KEY_RE = /^[A-Za-z0-9_$-]+$/;

/** Formats a field path such as ["links", 2, "latency"] as `links[2].latency`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const key = typeof seg === "symbol" ? seg.toString() : seg;
      if (PLAIN_KEY_RE.test(key)) out += out ? `.${key}` : key;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known key closest to `key` within edit distance 2, if any. */
export function suggestKey(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate === key) continue;
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    const effective = d === 0 ? 0.5 : d; // a case-only difference is the best hint of all
    if (effective <= 2 && effective < key.length && effective < bestDistance) {
      best = candidate;
      bestDistance = effective;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------
// Finding the schema at a path (for the known keys of strict objects).

/** The parts of zod 4's internal schema definition this module looks at. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: readonly z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  valueType?: z.ZodType;
  items?: readonly z.ZodType[];
  rest?: z.ZodType | null;
  getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** Strips wrappers (optional, default, pipe, lazy, ...) and splits unions and intersections. */
function expand(schema: z.ZodType, out: z.ZodType[], depth = 0): void {
  if (depth > 32) return;
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
    case "success":
      if (def.innerType) expand(def.innerType, out, depth + 1);
      return;
    case "pipe":
      if (def.in) expand(def.in, out, depth + 1);
      return;
    case "lazy":
      if (def.getter) expand(def.getter(), out, depth + 1);
      return;
    case "union":
      for (const option of def.options ?? []) expand(option, out, depth + 1);
      return;
    case "intersection":
      if (def.left) expand(def.left, out, depth + 1);
      if (def.right) expand(def.right, out, depth + 1);
      return;
    default:
      out.push(schema);
  }
}

/** Every schema that may apply at `path` inside `root`. */
function schemasAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  let current: z.ZodType[] = [];
  expand(root, current);
  for (const seg of path) {
    const next: z.ZodType[] = [];
    for (const schema of current) {
      const def = defOf(schema);
      let child: z.ZodType | null | undefined;
      if (def.type === "object" && typeof seg === "string") child = def.shape?.[seg];
      else if (def.type === "array") child = def.element;
      else if (def.type === "record") child = def.valueType;
      else if (def.type === "tuple" && typeof seg === "number") child = def.items?.[seg] ?? def.rest;
      if (child) expand(child, next);
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** The keys an object at `path` inside `root` may have, as declared by its schema. */
function knownKeysAt(root: z.ZodType, path: readonly PropertyKey[]): Set<string> {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    const def = defOf(schema);
    if (def.type === "object" && def.shape) for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return keys;
}

// ---------------------------------------------------------------------------
// Turning zod issues into problems.

type Issue = z.core.$ZodIssue;

/** Where a problem at a given field path should be attributed: a fixed file name or a lookup. */
export type ProblemSource = string | ((path: readonly PropertyKey[]) => string);

const MISSING_RE = /^Invalid input: expected (\S+), received undefined$/;

/** What zod's type names stand for, as a problem line says it. */
const TYPE_NOUNS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  bigint: "a whole number",
  boolean: "true or false",
  array: "a list",
  tuple: "a list",
  set: "a list",
  object: "a mapping",
  record: "a mapping",
  map: "a mapping",
  null: "null",
  undefined: "nothing",
};

/** A list of alternatives as a sentence says it: `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}` : (items[0] ?? "nothing");
}

/** The parts of an issue, raw (as a schema's error function gets it) or finished, that its wording uses. */
type IssueFacts = { code?: string; input?: unknown; message?: string } & Record<string, unknown>;

/** `, got <value>` when the issue carries the value it refused (zod keeps it when parsing with `reportInput`). */
function gotPart(issue: IssueFacts): string {
  return "input" in issue ? `, got ${showInput(issue.input)}` : "";
}

/** A bound of a number, text or list, as `expected ...` says it (`a number of at least 1`, `at most 4 items`). */
function boundPhrase(issue: IssueFacts, side: "least" | "most"): string {
  const limit = Number(side === "least" ? issue["minimum"] : issue["maximum"]);
  const inclusive = issue["inclusive"] === true;
  const exact = issue["exact"] === true;
  const unit = issue["origin"] === "string" ? "characters" : "items";
  if (issue["origin"] === "string" || issue["origin"] === "array" || issue["origin"] === "set") {
    return exact ? `exactly ${limit} ${unit}` : `at ${side} ${inclusive ? limit : side === "least" ? limit + 1 : limit - 1} ${unit}`;
  }
  if (limit === 0 && side === "least") return inclusive ? "a non-negative number" : "a positive number";
  if (side === "least") return inclusive ? `a number of at least ${limit}` : `a number greater than ${limit}`;
  return inclusive ? `a number of at most ${limit}` : `a number less than ${limit}`;
}

/** A refused list as `got` names it: by its length (a value of another type is shown as it is). */
function gotSize(issue: IssueFacts): string {
  const input = issue.input;
  if (Array.isArray(input)) return `, got ${input.length} item${input.length === 1 ? "" : "s"}`;
  if (typeof input === "string" && issue["origin"] === "string") return `, got ${showInput(input)} (${input.length} characters)`;
  return gotPart(issue);
}

/** `expected one of "a", "b" or "c", got "x"` for a value not among the listed ones, with the closest as a hint. */
function oneOfPhrase(values: readonly unknown[], input: unknown, given: boolean): string {
  const listed = values.map((v) => JSON.stringify(v));
  const expected = listed.length === 1 ? listed[0] : `one of ${orList(listed)}`;
  if (!given) return `expected ${expected}`;
  const hint = typeof input === "string" ? suggestKey(input, values.filter((v): v is string => typeof v === "string")) : undefined;
  return `expected ${expected}, got ${showInput(input)}${hint !== undefined ? ` (did you mean "${hint}"?)` : ""}`;
}

/**
 * Zod's built-in issues in the words of every problem line: what was expected, then what was
 * given (`expected a number, got "many"`, `expected a positive number, got 0`, `expected one of
 * "a" or "b", got "c"`). Issues of other codes keep zod's message. Schemas may pass it as their
 * `error` so that zod itself words their issues so.
 */
export function issueMessage(issue: IssueFacts): string {
  switch (issue.code) {
    case "invalid_type": {
      const expected = String(issue["expected"]);
      return `expected ${TYPE_NOUNS[expected] ?? `a ${expected}`}${gotPart(issue)}`;
    }
    case "too_small":
      return `expected ${boundPhrase(issue, "least")}${gotSize(issue)}`;
    case "too_big":
      return `expected ${boundPhrase(issue, "most")}${gotSize(issue)}`;
    case "invalid_value":
      return oneOfPhrase(issue["values"] as unknown[], issue.input, "input" in issue);
    case "not_multiple_of":
      return `expected a multiple of ${String(issue["divisor"])}${gotPart(issue)}`;
    case "invalid_format":
      return issue["format"] === "regex" ? `expected text matching ${String(issue["pattern"])}${gotPart(issue)}` : `expected ${String(issue["format"])} text${gotPart(issue)}`;
    case "invalid_union": {
      const key = issue["discriminator"];
      const input = issue.input as Record<string, unknown> | undefined;
      if (typeof key !== "string" || !Array.isArray(issue["options"])) break;
      return oneOfPhrase(issue["options"], input?.[key], input !== undefined && typeof input === "object");
    }
  }
  return issue.message ?? "invalid value";
}

/** Whether an issue's message is zod's own wording (not one a schema gave). */
function isZodWording(issue: Issue): boolean {
  return issue.message === z.config().localeError?.(issue as unknown as z.core.$ZodRawIssue);
}

/** Rewrites zod's own wording in the project's words (see issueMessage); keeps the messages schemas give. */
function simpleMessage(issue: Issue): string {
  const missing = MISSING_RE.exec(issue.message);
  if (issue.code === "invalid_type" && missing) return `missing required field (expected ${missing[1]})`;
  return isZodWording(issue) ? issueMessage(issue as unknown as IssueFacts) : issue.message;
}

/**
 * A key as a problem line quotes it: on one line (a YAML collection used as a key arrives as its
 * multi-line text), and cut short past 60 characters.
 */
function showKey(key: string): string {
  const flat = key.replace(/\s+/g, " ").trim();
  return JSON.stringify(flat.length > 60 ? `${flat.slice(0, 57)}...` : flat);
}

/** Converts one issue (whose path is relative to `prefix`) into problems, appending to `out`. */
function convertIssue(
  issue: Issue,
  prefix: readonly PropertyKey[],
  source: ProblemSource,
  schema: z.ZodType | undefined,
  out: ConfigProblem[],
): void {
  const path = [...prefix, ...issue.path];
  const fileFor = (p: readonly PropertyKey[]) => (typeof source === "string" ? source : source(p));

  if (issue.code === "unrecognized_keys") {
    const known = schema ? knownKeysAt(schema, path) : new Set<string>();
    for (const key of issue.keys) {
      const suggestion = suggestKey(key, known);
      const hint = suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : "";
      out.push({ file: fileFor([...path, key]), path: formatPath(path), message: `unknown key ${showKey(key)}${hint}` });
    }
    return;
  }

  if (issue.code === "invalid_union" && issue.message === "Invalid input" && issue.errors.length > 0) {
    const branches = issue.errors;
    // An alternative that refused the value outright: wrong type, or not one of its listed values.
    const refusedOutright = (b: readonly Issue[]) => b.length === 1 && b[0]!.path.length === 0 && (b[0]!.code === "invalid_type" || b[0]!.code === "invalid_value");
    // Every alternative refused the value outright: name what each accepts.
    if (branches.every(refusedOutright)) {
      const expected = branches.flatMap((b) => {
        const i = b[0]!;
        return i.code === "invalid_value" ? i.values.map((v) => JSON.stringify(v)) : [TYPE_NOUNS[(i as { expected: string }).expected] ?? (i as { expected: string }).expected];
      });
      const received = "input" in issue ? showInput(issue.input) : branches.map((b) => /received (.+)$/.exec(b[0]!.message)?.[1]).find((r) => r !== undefined);
      const got = received ? `, got ${received}` : "";
      out.push({ file: fileFor(path), path: formatPath(path), message: `expected ${orList([...new Set(expected)])}${got}` });
      return;
    }
    // Exactly one alternative took the value's type and failed further in: its issues are the ones to report.
    const further = branches.filter((b) => !refusedOutright(b));
    if (further.length === 1) {
      for (const sub of further[0]!) convertIssue(sub, path, source, schema, out);
      return;
    }
    // One alternative came clearly closest (fewest issues): report its issues.
    const fewest = Math.min(...branches.map((b) => b.length));
    const closest = branches.filter((b) => b.length === fewest);
    if (closest.length === 1) {
      for (const sub of closest[0]!) convertIssue(sub, path, source, schema, out);
      return;
    }
  }

  out.push({ file: fileFor(path), path: formatPath(path), message: simpleMessage(issue) });
}

/**
 * Converts a zod error into problems, one per issue (one per key for unknown
 * keys). Pass the schema to get "did you mean" suggestions for unknown keys.
 */
export function formatIssues(
  file: ProblemSource,
  error: { issues: readonly Issue[] },
  schema?: z.ZodType,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of error.issues) convertIssue(issue, [], file, schema, out);
  return out;
}
