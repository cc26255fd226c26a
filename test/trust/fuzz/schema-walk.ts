/**
 * Reading zod 4 schemas as data, for generators: which object schemas apply to a value at a path,
 * which keys they declare and which of those a file must give. Only what the fuzzers need.
 */
import type { z } from "zod";

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: readonly z.ZodType[];
  items?: readonly z.ZodType[];
  rest?: z.ZodType | null;
}

function defOf(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips optional / default / pipe wrappers and splits unions. */
function expand(s: z.ZodType, out: z.ZodType[], depth = 0): void {
  if (depth > 32) return;
  const d = defOf(s);
  if (["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(d.type) && d.innerType) expand(d.innerType, out, depth + 1);
  else if (d.type === "pipe" && d.in) expand(d.in, out, depth + 1);
  else if (d.type === "union" && d.options) for (const o of d.options) expand(o, out, depth + 1);
  else out.push(s);
}

/** Whether `value` fits the literal / enum fields (discriminators) of an object schema. */
function discriminatorsMatch(s: z.ZodType, value: unknown): boolean {
  const shape = defOf(s).shape ?? {};
  if (typeof value !== "object" || value === null) return true;
  for (const [k, field] of Object.entries(shape)) {
    const t = defOf(field).type;
    if ((t === "literal" || t === "enum") && !field.safeParse((value as Record<string, unknown>)[k]).success) return false;
  }
  return true;
}

/** Object schemas that apply to the mapping at `path` inside `root`, given the document `doc`. */
export function objectSchemasAt(root: z.ZodType, doc: unknown, path: readonly (string | number)[]): z.ZodType[] {
  let current: z.ZodType[] = [];
  expand(root, current);
  let value: unknown = doc;
  const fit = (list: z.ZodType[], v: unknown) => list.filter((s) => defOf(s).type !== "object" || discriminatorsMatch(s, v));
  current = fit(current, value);
  for (const seg of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      const d = defOf(s);
      let child: z.ZodType | null | undefined;
      if (d.type === "object" && typeof seg === "string") child = d.shape?.[seg];
      else if (d.type === "array") child = d.element;
      else if (d.type === "tuple" && typeof seg === "number") child = d.items?.[seg] ?? d.rest;
      if (child) expand(child, next);
    }
    value = (value as Record<string | number, unknown> | undefined)?.[seg];
    current = fit(next, value);
  }
  return current.filter((s) => defOf(s).type === "object");
}

/** Keys the schema declares for the mapping at `path` (union over the schemas that may apply). */
export function knownKeysAt(root: z.ZodType, doc: unknown, path: readonly (string | number)[]): Set<string> {
  const keys = new Set<string>();
  for (const s of objectSchemasAt(root, doc, path)) for (const k of Object.keys(defOf(s).shape ?? {})) keys.add(k);
  return keys;
}

/** True when every schema that may apply at `path` requires `key` (no default, not optional). */
export function isRequiredKey(root: z.ZodType, doc: unknown, path: readonly (string | number)[], key: string): boolean {
  const schemas = objectSchemasAt(root, doc, path);
  if (schemas.length === 0) return false;
  return schemas.every((s) => {
    const field = defOf(s).shape?.[key];
    return field !== undefined && !["optional", "default", "prefault"].includes(defOf(field).type);
  });
}

/** Every key declared anywhere in the schema. */
export function allKeys(root: z.ZodType): Set<string> {
  const out = new Set<string>();
  const seen = new Set<z.ZodType>();
  const visit = (s: z.ZodType) => {
    if (seen.has(s)) return;
    seen.add(s);
    const list: z.ZodType[] = [];
    expand(s, list);
    for (const x of list) {
      const d = defOf(x);
      if (d.type === "object") for (const [k, v] of Object.entries(d.shape ?? {})) {
        out.add(k);
        visit(v);
      }
      if (d.type === "array" && d.element) visit(d.element);
      if (d.type === "tuple") for (const i of d.items ?? []) visit(i);
    }
  };
  visit(root);
  return out;
}

/** True when some schema that may apply to the field at `path` accepts a number there (e.g. a word or a node index). */
export function fieldTakesNumbers(root: z.ZodType, doc: unknown, path: readonly (string | number)[]): boolean {
  const key = path[path.length - 1];
  if (typeof key !== "string") return false;
  for (const parent of objectSchemasAt(root, doc, path.slice(0, -1))) {
    const field = defOf(parent).shape?.[key];
    if (field === undefined) continue;
    const options: z.ZodType[] = [];
    expand(field, options);
    if (options.some((o) => defOf(o).type === "number")) return true;
  }
  return false;
}
