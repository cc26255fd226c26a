/**
 * Loading configuration files: YAML/JSON parsing, `extends` inheritance,
 * `--set` overrides and zod validation, reporting every problem at once.
 *
 * Validation problems are attributed to the file (or `--set`) that supplied
 * the offending value, so a bad value inherited from a base file names that file.
 */
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import type { z } from "zod";
import { ConfigError, formatIssues, formatPath, type ConfigProblem } from "./errors.ts";
import { applyOverridesTracked, prefixedPath } from "./overrides.ts";

/** Options for loadConfigFile and loadRaw. */
export interface LoadOptions {
  /** `path=value` overrides applied after `extends` merging (as given to `--set`). */
  overrides?: readonly string[];
  /** Where the overrides came from, as problems with them name it (default `--set`). */
  overrideSource?: string;
  /** What the user wrote before each override's path (such as `workload.`), shown in problem lines with it. */
  overridePrefix?: string;
}

/** A plain configuration mapping as read from a file. */
export type RawConfig = Record<string, unknown>;

/** Source of each field (by formatted path, "" for the whole document): the file or `--set` that set it. */
type Sources = Map<string, string>;

/** A merged configuration together with where each of its fields came from. */
interface Layered {
  value: RawConfig;
  sources: Sources;
}

const OVERRIDE_SOURCE = "--set";

/** Largest configuration file read (16 MiB). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

function isMapping(value: unknown): value is RawConfig {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return `a ${typeof value}`;
}

/** How a path outside the current directory is shown: relative when below the cwd, absolute otherwise. */
function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? abs : rel;
}

// ---------------------------------------------------------------------------
// Reading and parsing one file.

type ReadResult = { kind: "ok"; value: unknown } | { kind: "missing" } | { kind: "failed" };

/** 1-based line and column of a character offset. */
function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, col: before.length - lineStart + 1 };
}

function syntaxProblem(file: string, text: string, offset: number, message: string): ConfigProblem {
  const { line, col } = lineCol(text, offset);
  return { file, path: "", message: `syntax error at line ${line}, column ${col}: ${message}` };
}

function parseJson(text: string, file: string, problems: ConfigProblem[]): ReadResult {
  // A byte-order mark is not JSON, but editors write one.
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  try {
    return { kind: "ok", value: JSON.parse(body) as unknown };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    // V8 either names a position or quotes the text ("..." is not valid JSON): keep neither.
    const message = raw
      .replace(/\s*\(line \d+ column \d+\)/, "")
      .replace(/\s*in JSON at position \d+.*$/s, "")
      .replace(/, ".*" is not valid JSON$/s, "")
      .split("\n")[0]!;
    const pos = /at position (\d+)/.exec(raw);
    // Without a position, the YAML parser (JSON is YAML) finds where the text goes wrong.
    const offset = pos ? Number(pos[1]) : (YAML.parseDocument(body, { prettyErrors: false, logLevel: "silent" }).errors[0]?.pos[0] ?? body.length);
    problems.push(syntaxProblem(file, body, offset, message));
    return { kind: "failed" };
  }
}

function parseYaml(text: string, file: string, problems: ConfigProblem[]): ReadResult {
  // logLevel "error": the yaml library would otherwise print warnings (collection keys) on stderr.
  const doc = YAML.parseDocument(text, { prettyErrors: false, logLevel: "error" });
  const first = doc.errors[0];
  if (first) {
    problems.push(syntaxProblem(file, text, first.pos[0], first.message.split("\n")[0]!));
    return { kind: "failed" };
  }
  try {
    return { kind: "ok", value: doc.toJS() as unknown };
  } catch (e) {
    // Converting can still fail: an alias to an anchor never set, or an alias bomb.
    problems.push({ file, path: "", message: `cannot read YAML: ${(e as Error).message}` });
    return { kind: "failed" };
  }
}

/** Reads and parses a YAML or JSON file (by extension; anything but `.json` is read as YAML). */
function readDocument(abs: string, file: string, problems: ConfigProblem[]): ReadResult {
  let text: string;
  try {
    // Only regular files: /dev/zero would be read for ever, a FIFO would block.
    const st = fs.statSync(abs);
    if (!st.isFile()) {
      problems.push({ file, path: "", message: st.isDirectory() ? "is a directory, not a file" : "not a regular file" });
      return { kind: "failed" };
    }
    if (st.size > MAX_FILE_BYTES) {
      problems.push({ file, path: "", message: `file is too large (${st.size} bytes; at most ${MAX_FILE_BYTES})` });
      return { kind: "failed" };
    }
    text = fs.readFileSync(abs, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    problems.push({ file, path: "", message: `cannot read file: ${(e as Error).message}` });
    return { kind: "failed" };
  }
  return path.extname(abs).toLowerCase() === ".json" ? parseJson(text, file, problems) : parseYaml(text, file, problems);
}

// ---------------------------------------------------------------------------
// Merging with provenance.

function isUnder(key: string, prefix: string): boolean {
  return prefix === "" || key === prefix || key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`);
}

/** Records `file` as the source of `value` at `at` and of everything inside it. */
function recordAll(value: unknown, at: PropertyKey[], file: string, sources: Sources): void {
  sources.set(formatPath(at), file);
  if (Array.isArray(value)) value.forEach((item, i) => recordAll(item, [...at, i], file, sources));
  else if (isMapping(value)) for (const [k, v] of Object.entries(value)) recordAll(v, [...at, k], file, sources);
}

/** Replaces the sources under `prefix` with those `from` has under it. */
function replaceSources(into: Sources, from: Sources, prefix: string): void {
  for (const key of [...into.keys()]) if (isUnder(key, prefix)) into.delete(key);
  for (const [key, file] of from) if (isUnder(key, prefix)) into.set(key, file);
}

/**
 * Deep-merges `child` over `base` (mappings merge recursively; lists and
 * scalars in the child replace), updating `sources` from `childSources`.
 */
function mergeValues(base: unknown, child: unknown, at: PropertyKey[], sources: Sources, childSources: Sources): unknown {
  const key = formatPath(at);
  // An object that changes its `kind` is a different variant: the child replaces it whole.
  const sameVariant = !(isMapping(base) && isMapping(child) && "kind" in child && "kind" in base && child.kind !== base.kind);
  if (isMapping(base) && isMapping(child) && sameVariant) {
    const out: RawConfig = { ...base };
    // defineProperty: a key "__proto__" from a file stays a key (reported as unknown), never a prototype.
    for (const [k, v] of Object.entries(child)) {
      Object.defineProperty(out, k, { value: mergeValues(Object.hasOwn(base, k) ? base[k] : undefined, v, [...at, k], sources, childSources), enumerable: true, writable: true, configurable: true });
    }
    const own = childSources.get(key);
    if (own !== undefined) sources.set(key, own);
    return out;
  }
  replaceSources(sources, childSources, key);
  return structuredClone(child);
}

function mergeLayer(base: Layered, child: Layered): Layered {
  const sources = new Map(base.sources);
  const value = mergeValues(base.value, child.value, [], sources, child.sources) as RawConfig;
  return { value, sources };
}

// ---------------------------------------------------------------------------
// `extends` resolution.

interface LoadContext {
  problems: ConfigProblem[];
  /** Directory of the top-level file; cycle chains are shown relative to it. */
  rootDir: string;
}

function chainName(abs: string, ctx: LoadContext): string {
  const rel = path.relative(ctx.rootDir, abs);
  return rel.startsWith("..") || path.isAbsolute(rel) ? displayPath(abs) : rel;
}

/** The `extends` entries of a document, or undefined (with a problem recorded) when malformed. */
function extendsList(doc: RawConfig, file: string, ctx: LoadContext): { target: string; field: string }[] | undefined {
  const ext = doc["extends"];
  if (ext === undefined || ext === null) return [];
  if (typeof ext === "string" && ext.trim() !== "") return [{ target: ext, field: "extends" }];
  if (Array.isArray(ext) && ext.every((e) => typeof e === "string" && e.trim() !== "")) {
    return (ext as string[]).map((target, i) => ({ target, field: `extends[${i}]` }));
  }
  ctx.problems.push({ file, path: "extends", message: "expected a file path or a list of file paths" });
  return undefined;
}

/** Loads `abs` with everything it extends merged underneath; undefined when it could not be loaded. */
function loadLayered(abs: string, file: string, stack: readonly string[], ctx: LoadContext): Layered | "missing" | undefined {
  const read = readDocument(abs, file, ctx.problems);
  if (read.kind !== "ok") return read.kind === "missing" ? "missing" : undefined;
  const doc = read.value ?? {};
  if (!isMapping(doc)) {
    ctx.problems.push({ file, path: "", message: `expected a mapping of keys to values at the top level, got ${describeValue(doc)}` });
    return undefined;
  }
  const chain = [...stack, abs];
  let merged: Layered = { value: {}, sources: new Map() };
  for (const { target, field } of extendsList(doc, file, ctx) ?? []) {
    const targetAbs = path.resolve(path.dirname(abs), target);
    const seen = chain.indexOf(targetAbs);
    if (seen >= 0) {
      const names = [...chain.slice(seen), targetAbs].map((p) => chainName(p, ctx));
      ctx.problems.push({ file, path: field, message: `extends cycle: ${names.join(" -> ")}` });
      continue;
    }
    const base = loadLayered(targetAbs, displayPath(targetAbs), chain, ctx);
    if (base === "missing") {
      ctx.problems.push({ file, path: field, message: `file not found: ${JSON.stringify(target)} (looked for ${targetAbs})` });
    } else if (base !== undefined) {
      merged = mergeLayer(merged, base);
    }
  }
  const own: RawConfig = { ...doc };
  delete own["extends"];
  const ownSources: Sources = new Map();
  recordAll(own, [], file, ownSources);
  return mergeLayer(merged, { value: own, sources: ownSources });
}

function valueAt(root: unknown, at: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const seg of at) cur = (cur as Record<PropertyKey, unknown> | undefined)?.[seg];
  return cur;
}

/** Loads, merges and applies overrides; throws ConfigError with every problem found. */
function loadWithSources(file: string, opts: LoadOptions): { layered: Layered; attribute: (at: readonly PropertyKey[]) => string } {
  const abs = path.resolve(file);
  const ctx: LoadContext = { problems: [], rootDir: path.dirname(abs) };
  const result = loadLayered(abs, file, [], ctx);
  if (result === "missing") ctx.problems.unshift({ file, path: "", message: "file not found" });
  if (ctx.problems.length > 0 || result === undefined || result === "missing") throw new ConfigError(ctx.problems);

  let layered = result;
  if (opts.overrides && opts.overrides.length > 0) {
    const source = opts.overrideSource ?? OVERRIDE_SOURCE;
    const { value, applied } = applyOverridesTracked(layered.value, opts.overrides, source, opts.overridePrefix);
    const sources = new Map(layered.sources);
    for (const { path: at } of applied) {
      for (let n = 1; n < at.length; n++) {
        const key = formatPath(at.slice(0, n));
        if (!sources.has(key)) sources.set(key, source);
      }
      const key = formatPath(at);
      for (const k of [...sources.keys()]) if (isUnder(k, key)) sources.delete(k);
      recordAll(valueAt(value, at), at, source, sources);
    }
    layered = { value, sources };
  }

  const { sources } = layered;
  const attribute = (at: readonly PropertyKey[]): string => {
    for (let n = at.length; n >= 0; n--) {
      const source = sources.get(formatPath(at.slice(0, n)));
      if (source !== undefined) return source;
    }
    return file;
  };
  return { layered, attribute };
}

// ---------------------------------------------------------------------------
// Public API.

/**
 * Reads `file` (YAML or JSON), merges everything it `extends`, applies
 * `opts.overrides`, and returns the plain object before validation.
 */
export function loadRaw(file: string, opts: LoadOptions = {}): RawConfig {
  return loadWithSources(file, opts).layered.value;
}

function validate<S extends z.ZodType>(
  raw: unknown,
  schema: S,
  attribute: string | ((at: readonly PropertyKey[]) => string),
): z.output<S> {
  // reportInput keeps the refused value in each issue, so that its problem line can show it.
  const result = schema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(formatIssues(attribute, result.error, schema));
  return result.data;
}

/** Validates a plain configuration object against `schema`, throwing a ConfigError (naming `file`) listing every problem. */
export function resolveConfig<S extends z.ZodType>(raw: unknown, schema: S, file: string): z.output<S> {
  return validate(raw, schema, file);
}

/**
 * Loads `file` with its `extends` chain and `opts.overrides`, validates it
 * against `schema` and returns the parsed (transformed) value; throws a
 * ConfigError listing every problem found.
 */
export function loadConfigFile<S extends z.ZodType>(file: string, schema: S, opts: LoadOptions = {}): z.output<S> {
  const { layered, attribute } = loadWithSources(file, opts);
  const prefix = opts.overridePrefix ?? "";
  if (prefix === "") return validate(layered.value, schema, attribute);
  try {
    return validate(layered.value, schema, attribute);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const source = opts.overrideSource ?? OVERRIDE_SOURCE;
    throw new ConfigError(e.problems.map((p) => (p.file === source ? { ...p, path: prefixedPath(prefix, p.path) } : p)));
  }
}
