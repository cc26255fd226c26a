/**
 * Command-line overrides (`--set links[2].latency=40ns`) applied to a plain
 * configuration object before validation.
 */
import YAML from "yaml";
import { ConfigError, formatPath, type ConfigProblem } from "./errors.ts";

/** One step of an override path: a key, a `[n]` index, or a dotted all-digit segment (index in lists, key in mappings). */
export type OverrideSegment = { kind: "key"; key: string } | { kind: "index"; index: number };

/** A parsed `path=value` override. */
export interface ParsedOverride {
  /** The override as written. */
  text: string;
  /** The key path as written, e.g. `links[2].latency`. */
  pathText: string;
  /** The path to set, as written (dotted digits are keys until applied). */
  segments: OverrideSegment[];
  /** The value, parsed as a YAML scalar or flow collection. */
  value: unknown;
}

/** Keys that reach an object's prototype rather than a field of it. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const SEGMENT_RE = /^([^.[\]=]*)((?:\[\d+\])*)$/;

function parsePath(path: string): OverrideSegment[] | undefined {
  const segments: OverrideSegment[] = [];
  const parts = path.split(".");
  for (const [i, part] of parts.entries()) {
    const m = SEGMENT_RE.exec(part);
    if (!m) return undefined;
    const key = m[1]!;
    const indices = m[2]!;
    // Only the first part may be a bare index list ("[0].x"); otherwise a key is required.
    if (key === "" && !(i === 0 && indices !== "")) return undefined;
    if (key !== "") segments.push({ kind: "key", key });
    for (const im of indices.matchAll(/\[(\d+)\]/g)) segments.push({ kind: "index", index: Number(im[1]) });
  }
  return segments;
}

function isPlainScalar(value: unknown): boolean {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

/** Parses the right-hand side: YAML flow syntax for `[...]`/`{...}`, a YAML scalar otherwise, "" when empty. */
function parseValue(text: string): { value: unknown } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { value: "" };
  const doc = YAML.parseDocument(trimmed, { prettyErrors: false, logLevel: "error" });
  if (doc.errors.length > 0) {
    if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
      return { error: `invalid value: ${doc.errors[0]!.message.split("\n")[0]}` };
    }
    return { value: trimmed };
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (e) {
    // An alias to an anchor never set, or too many aliases.
    return { error: `invalid value: ${(e as Error).message}` };
  }
  if (trimmed.startsWith("[") || trimmed.startsWith("{") || isPlainScalar(value)) return { value };
  // Block syntax such as "a: b" or "- x" is taken literally.
  return { value: trimmed };
}

/** `workload.` + `threads[0]`: a field path shown after the prefix the user typed before it. */
export function prefixedPath(prefix: string, path: string): string {
  if (prefix === "") return path;
  if (path === "") return prefix.replace(/\.$/, "");
  return path.startsWith("[") ? prefix.replace(/\.$/, "") + path : prefix + path;
}

/** Parses one `a.b[2].c=value` override (shown after `prefix`, as typed); throws ConfigError when malformed. */
export function parseOverride(text: string, source = "--set", prefix = ""): ParsedOverride {
  const where = `${source} ${JSON.stringify(prefix + text)}`;
  const eq = text.indexOf("=");
  const pathText = eq < 0 ? "" : text.slice(0, eq).trim();
  if (eq < 0 || pathText === "") throw ConfigError.single(where, "expected key=value");
  const segments = parsePath(pathText);
  const forbidden = segments?.find((s) => s.kind === "key" && FORBIDDEN_KEYS.has(s.key));
  if (forbidden !== undefined && forbidden.kind === "key") {
    throw ConfigError.single(where, `"${forbidden.key}" is not a field name`);
  }
  if (!segments) {
    throw ConfigError.single(where, `invalid key path "${pathText}" (expected e.g. a.b.c or links[2].latency)`);
  }
  const parsed = parseValue(text.slice(eq + 1));
  if ("error" in parsed) throw ConfigError.single(where, parsed.error);
  return { text, pathText, segments, value: parsed.value };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === "object" && value !== null;
}

/**
 * Sets one parsed override inside `root` (mutating it) and returns the resolved
 * path (numbers for list indices); throws a problem message on failure.
 */
function setAt(root: Record<string, unknown>, override: ParsedOverride, prefix: string): PropertyKey[] | string {
  const resolved: PropertyKey[] = [];
  const shown = (at: readonly PropertyKey[]) => prefixedPath(prefix, formatPath(at));
  const pathText = prefixedPath(prefix, override.pathText);
  let container: Record<string, unknown> | unknown[] = root;
  const { segments } = override;
  for (const [i, seg] of segments.entries()) {
    const last = i === segments.length - 1;
    let step: string | number;
    if (Array.isArray(container)) {
      const index = seg.kind === "index" ? seg.index : /^\d+$/.test(seg.key) ? Number(seg.key) : undefined;
      if (index === undefined) {
        return `cannot set "${pathText}": "${shown(resolved)}" is a list, not a mapping`;
      }
      if (index > container.length) {
        const items = container.length === 1 ? "1 item" : `${container.length} items`;
        return `cannot set "${pathText}": index ${index} is out of range ("${shown(resolved)}" has ${items})`;
      }
      step = index;
    } else {
      step = seg.kind === "index" ? String(seg.index) : seg.key;
    }
    resolved.push(step);
    const holder = container as Record<string | number, unknown>;
    if (last) {
      holder[step] = override.value;
      break;
    }
    const existing = holder[step];
    const next = segments[i + 1]!;
    if ((existing === undefined || existing === null) && next.kind === "key" && /^\d+$/.test(next.key)) {
      return `cannot set "${pathText}": there is no list "${shown(resolved)}" to set item ${next.key} of`;
    }
    if (existing === undefined || existing === null) {
      const created: Record<string, unknown> | unknown[] = segments[i + 1]!.kind === "index" ? [] : {};
      holder[step] = created;
      container = created;
    } else if (isContainer(existing)) {
      container = existing;
    } else {
      return `cannot set "${pathText}": "${shown(resolved)}" is ${describe(existing)}, not a mapping or list`;
    }
  }
  return resolved;
}

/** An override applied by applyOverridesTracked, with the path it resolved to. */
export interface AppliedOverride {
  /** The override as written. */
  text: string;
  /** Resolved field path, with numbers for list indices (as zod reports paths). */
  path: PropertyKey[];
}

/** Like applyOverrides, but also reports the resolved path of every override; problem lines show each after `prefix`. */
export function applyOverridesTracked<T>(
  obj: T,
  overrides: readonly string[],
  source = "--set",
  prefix = "",
): { value: T; applied: AppliedOverride[] } {
  const problems: ConfigProblem[] = [];
  const applied: AppliedOverride[] = [];
  const root = structuredClone(obj ?? {}) as unknown;
  if (!isContainer(root) || Array.isArray(root)) {
    throw ConfigError.single(source, `cannot apply overrides: the configuration is ${describe(root)}, not a mapping`);
  }
  for (const text of overrides) {
    let parsed: ParsedOverride;
    try {
      parsed = parseOverride(text, source, prefix);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
      continue;
    }
    const result = setAt(root, parsed, prefix);
    if (typeof result === "string") problems.push({ file: `${source} ${JSON.stringify(prefix + text)}`, path: "", message: result });
    else applied.push({ text, path: result });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { value: root as T, applied };
}

/**
 * Returns a copy of `obj` with each `path=value` override applied in order
 * (creating missing intermediate mappings); throws one ConfigError listing
 * every malformed or inapplicable override.
 */
export function applyOverrides<T>(obj: T, overrides: readonly string[], source = "--set"): T {
  return applyOverridesTracked(obj, overrides, source).value;
}
