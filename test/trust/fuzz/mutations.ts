/**
 * Breaking a valid machine or workload in one place: a value of the wrong type, an unknown key,
 * a unit that does not parse or is of the wrong kind, a negative, zero, NaN or huge number, a
 * missing field, a list emptied, a topology or placement that cannot exist. Each mutation says
 * whether the result must be refused (`mustReject`) or may be either accepted or refused (a zero
 * where zero is allowed, a deleted field with a default): never may it crash.
 */
import fc from "fast-check";
import type { z } from "zod";
import { MachineSpec } from "../../../src/config/machine-spec.ts";
import { WorkloadSpec } from "../../../src/config/workload-spec.ts";
import { allKeys, fieldTakesNumbers, isRequiredKey, knownKeysAt } from "./schema-walk.ts";
import type { Doc, ValidCase } from "./valid-inputs.ts";

/** A path inside a document: keys and list indices. */
export type DocPath = (string | number)[];

/** The operator a mutation applied. */
export type MutationKind =
  | "wrong-type"
  | "unknown-key"
  | "bad-unit"
  | "wrong-unit-kind"
  | "bad-string"
  | "negative"
  | "zero"
  | "nan"
  | "infinite"
  | "huge"
  | "fraction"
  | "missing-field"
  | "empty-list"
  | "bad-topology"
  | "bad-placement"
  | "bad-combination";

/** One broken input. */
export interface Mutated {
  machine: Doc;
  workload: Doc;
  seed: number;
  /** Which file was changed. */
  target: "machine" | "workload";
  kind: MutationKind;
  /** Field changed, e.g. `link.latency`. */
  path: string;
  /** The value put there (undefined for a deleted field). */
  value: unknown;
  /** True when no valid reading of the input exists: the pipeline must refuse it. */
  mustReject: boolean;
}

const UNIT_RE = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*(ps|ns|us|µs|μs|ms|s|Hz|kHz|MHz|GHz|THz|B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|B\/s|KB\/s|MB\/s|GB\/s|TB\/s|KiB\/s|MiB\/s|GiB\/s|TiB\/s)\s*$/;

/** The kind of a unit string ("60ns" is a duration), or undefined when `v` is not one. */
export function unitKindOf(v: unknown): "duration" | "frequency" | "size" | "bandwidth" | undefined {
  if (typeof v !== "string") return undefined;
  const m = UNIT_RE.exec(v);
  if (!m) return undefined;
  const u = m[1]!;
  if (u.endsWith("/s")) return "bandwidth";
  if (u.endsWith("Hz")) return "frequency";
  if (u.endsWith("B")) return "size";
  return "duration";
}

const OTHER_KIND_EXAMPLES: Record<string, string[]> = {
  duration: ["2GHz", "32KiB", "6.4GB/s", "3 cycles"],
  frequency: ["60ns", "32KiB", "6.4GB/s"],
  size: ["60ns", "2GHz", "6.4GB/s", "1.5ns"],
  bandwidth: ["60ns", "2GHz", "32KiB", "6.4GB"],
};

const BAD_UNIT_TEXT = ["12 furlongs", "ns", "", " ", "12", "1e", "--5ns", "5nss", "five ns", "0x10ns", "∞ns", "1,5ns", "NaNns", "Infinityns", "1e400ps", "12 ns ns", "60NS", "2ghz", "32kib", "\u0000", "60ns\n70ns"];
const BAD_STRINGS = ["", " Broadcast", "LOCAL", "random ", "unknown", "🙂", "x".repeat(300)];
const WRONG_TYPES: unknown[] = [true, false, null, [], [1, 2], {}, { a: 1 }, [[]]];
const HUGE_NUMBERS = [2 ** 31, 2 ** 32, 1e12, 1e15, 2 ** 53, 2 ** 53 + 2, 1e300, Number.MAX_VALUE];
const HUGE_UNITS: Record<string, string[]> = {
  duration: ["1e15ps", "3600s", "9007199254740993ps", "1e300ns"],
  frequency: ["1e300GHz", "1e-300Hz", "1e-9Hz", "1THz"],
  size: ["1TiB", "1e15B", "9007199254740993B", "1e300GiB"],
  bandwidth: ["1e-300B/s", "1e300TB/s", "1e-9B/s"],
};

/** A unit string made negative ("-60ns"); a zero becomes "-1" of its unit, since -0 is zero. */
function negateUnit(v: string): string {
  const m = /^\s*[+-]?([\d.]+(?:[eE][+-]?\d+)?)\s*(.*)$/.exec(v)!;
  return Number(m[1]) === 0 ? `-1${m[2]}` : `-${m[1]}${m[2]}`;
}

/** Leaves and containers of a document with their paths. */
function walk(doc: unknown, at: DocPath, out: { path: DocPath; value: unknown }[]): void {
  out.push({ path: at, value: doc });
  if (Array.isArray(doc)) doc.forEach((v, i) => walk(v, [...at, i], out));
  else if (typeof doc === "object" && doc !== null) for (const [k, v] of Object.entries(doc)) walk(v, [...at, k], out);
}

function fmt(path: DocPath): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

function setAt(doc: Doc, path: DocPath, value: unknown): void {
  let cur = doc as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  // defineProperty: a key such as "__proto__" becomes an own field, as a YAML or JSON parser makes it.
  Object.defineProperty(cur, last, { value, writable: true, enumerable: true, configurable: true });
}

function deleteAt(doc: Doc, path: DocPath): void {
  let cur = doc as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  delete cur[path[path.length - 1]!];
}

/** Free-text fields: any non-empty string is valid there (renaming a region may also break references). */
function isFreeText(path: DocPath): boolean {
  const last = path[path.length - 1];
  return last === "name" || last === "description";
}

const SCHEMAS: Record<"machine" | "workload", z.ZodType> = { machine: MachineSpec, workload: WorkloadSpec };
const ALL_KEYS = new Set([...allKeys(MachineSpec), ...allKeys(WorkloadSpec)]);

/** A key no schema declares: a typo of a real key, a prototype name, or noise. */
function unknownKeyArb(near: string[]): fc.Arbitrary<string> {
  const typos = near.flatMap((k) => [`${k}s`, k.toLowerCase() === k ? k.toUpperCase() : k.toLowerCase(), k.slice(1), `${k.slice(0, -1)}_`]);
  return fc
    .oneof(fc.constantFrom(...(typos.length > 0 ? typos : ["colour"])), fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "extends "), fc.string({ minLength: 1, maxLength: 8 }))
    .filter((k) => !ALL_KEYS.has(k) && k !== "extends");
}

/** One operator applied at one place of a document (of `target`), or null when it does not apply there. */
type Operator = (doc: Doc, target: "machine" | "workload", path: DocPath, value: unknown) => fc.Arbitrary<{ kind: MutationKind; value: unknown; del?: boolean; mustReject: boolean; path?: DocPath }> | null;

const isNum = (v: unknown): v is number => typeof v === "number";
const isContainer = (v: unknown) => typeof v === "object" && v !== null;

const operators: Operator[] = [
  // A value of a type no field of that kind accepts.
  (_d, _t, path, v) =>
    path.length > 0 && !isContainer(v)
      ? fc.constantFrom(...WRONG_TYPES.filter((x) => typeof x !== typeof v)).map((x) => ({ kind: "wrong-type" as const, value: x, mustReject: true }))
      : null,
  // A string where a number is wanted, or a number where a word is.
  (doc, target, path, v) =>
    path.length === 0 ? null
    : isNum(v) ? fc.constantFrom("abc", "1 2", "true").map((x) => ({ kind: "wrong-type" as const, value: x, mustReject: true }))
    : typeof v === "string" && unitKindOf(v) === undefined && !isFreeText(path) && !fieldTakesNumbers(SCHEMAS[target], doc, path) ? fc.constantFrom(0, 1, 2.5).map((x) => ({ kind: "wrong-type" as const, value: x, mustReject: true }))
    : null,
  // An unknown key in a mapping.
  (doc, target, path, v) => {
    if (!isContainer(v) || Array.isArray(v)) return null;
    const known = [...knownKeysAt(SCHEMAS[target], doc, path)];
    return unknownKeyArb(known).map((k) => ({ kind: "unknown-key" as const, value: 1, path: [...path, k], mustReject: true }));
  },
  // A unit string that does not parse.
  (_d, _t, _p, v) => (unitKindOf(v) ? fc.constantFrom(...BAD_UNIT_TEXT).map((x) => ({ kind: "bad-unit" as const, value: x, mustReject: true })) : null),
  // A unit of the wrong kind.
  (_d, _t, _p, v) => {
    const k = unitKindOf(v);
    return k ? fc.constantFrom(...OTHER_KIND_EXAMPLES[k]!).map((x) => ({ kind: "wrong-unit-kind" as const, value: x, mustReject: true })) : null;
  },
  // A word that is not one of the choices (enums, references to regions).
  (_d, _t, path, v) =>
    typeof v === "string" && unitKindOf(v) === undefined && path.length > 0
      ? fc.constantFrom(...BAD_STRINGS).map((x) => ({ kind: "bad-string" as const, value: x, mustReject: !isFreeText(path) || (x === "" && path[path.length - 1] === "name") }))
      : null,
  // Negative quantities: no field accepts them.
  (_d, _t, _p, v) =>
    isNum(v) ? fc.constantFrom(-1, -v - 1, -0.5, -1e9).map((x) => ({ kind: "negative" as const, value: x, mustReject: true }))
    : unitKindOf(v) ? fc.constant({ kind: "negative" as const, value: negateUnit(v as string), mustReject: true })
    : null,
  // Zero: refused where a quantity must be positive, accepted where it may be zero.
  (_d, _t, _p, v) =>
    isNum(v) ? fc.constant({ kind: "zero" as const, value: 0, mustReject: false })
    : unitKindOf(v) ? fc.constant({ kind: "zero" as const, value: (v as string).replace(/^\s*[+-]?[\d.eE+-]+/, "0"), mustReject: false })
    : null,
  // Not-a-number and infinities (a YAML file can say .nan and .inf).
  (_d, _t, path, v) => (path.length > 0 && (isNum(v) || unitKindOf(v)) ? fc.constant({ kind: "nan" as const, value: NaN, mustReject: true }) : null),
  (_d, _t, path, v) => (path.length > 0 && (isNum(v) || unitKindOf(v)) ? fc.constantFrom(Infinity, -Infinity).map((x) => ({ kind: "infinite" as const, value: x, mustReject: true })) : null),
  // Huge numbers: refused where out of range; where accepted, the run must still end cleanly.
  (_d, _t, _p, v) => {
    if (isNum(v)) return fc.constantFrom(...HUGE_NUMBERS).map((x) => ({ kind: "huge" as const, value: x, mustReject: false }));
    const k = unitKindOf(v);
    return k ? fc.constantFrom(...HUGE_UNITS[k]!).map((x) => ({ kind: "huge" as const, value: x, mustReject: false })) : null;
  },
  // A fraction where a whole number may be wanted.
  (_d, _t, _p, v) => (isNum(v) && Number.isInteger(v) ? fc.constantFrom(0.5, v + 0.25).map((x) => ({ kind: "fraction" as const, value: x, mustReject: false })) : null),
  // A field left out: refused when the field is required.
  (doc, target, path) => {
    const key = path[path.length - 1];
    if (typeof key !== "string") return null;
    const parent = path.slice(0, -1);
    return fc.constant({ kind: "missing-field" as const, value: undefined, del: true, mustReject: isRequiredKey(SCHEMAS[target], doc, parent, key) });
  },
  // A list emptied.
  (_d, _t, path, v) => (Array.isArray(v) && v.length > 0 && path.length > 0 ? fc.constant({ kind: "empty-list" as const, value: [], mustReject: false }) : null),
];

/** Topologies the schema accepts in shape but no machine can have. */
export const BAD_TOPOLOGIES: { what: string; topology: Doc }[] = [
  { what: "a ladder with an odd number of nodes", topology: { kind: "ladder", nodes: 5 } },
  { what: "a twisted ladder with an odd number of nodes", topology: { kind: "twisted-ladder", nodes: 7 } },
  { what: "an edge list whose graph is disconnected", topology: { kind: "edges", nodes: 3, edges: [[0, 1]] } },
  { what: "two nodes and no edges", topology: { kind: "edges", nodes: 2, edges: [] } },
  { what: "the same edge twice", topology: { kind: "edges", nodes: 2, edges: [[0, 1], [1, 0]] } },
  { what: "an edge to a node that does not exist", topology: { kind: "edges", nodes: 2, edges: [[0, 1], [1, 2]] } },
  { what: "a self loop", topology: { kind: "edges", nodes: 2, edges: [[0, 1], [1, 1]] } },
  { what: "an I/O hub on a missing node", topology: { kind: "ring", nodes: 3, ioHubs: [3] } },
  { what: "a mesh of more than 30 nodes", topology: { kind: "mesh", rows: 8, cols: 8 } },
  { what: "a hypercube of dimension 11", topology: { kind: "hypercube", dim: 11 } },
];

/** Settings each valid alone that no machine can have together. */
export const BAD_COMBINATIONS: { what: string; mustReject: boolean; apply: (machine: Doc, memoryBytes: number) => void }[] = [
  {
    what: "timed translation with x86-4M page tables and 4 KiB pages",
    mustReject: true,
    apply: (m) => {
      m.pageSize = "4KiB";
      (m.node as Doc).core = { ...((m.node as Doc).core as Doc), tlb: { enabled: true } };
      m.os = { ...((m.os as Doc | undefined) ?? {}), pageTables: { layout: "x86-4M" } };
    },
  },
  {
    what: "timed translation with 8 KiB pages",
    mustReject: true,
    apply: (m) => {
      m.pageSize = "8KiB";
      const arrays = [{ entries: 16, pageSizes: ["8KiB"] }];
      (m.node as Doc).core = { ...((m.node as Doc).core as Doc), tlb: { enabled: true, l1: { arrays }, l2: { arrays } } };
      ((m.node as Doc).memory as Doc).size = "64MiB";
      delete m.memoryNodes;
    },
  },
  {
    what: "a huge-page pool as large as a node's memory",
    mustReject: false,
    apply: (m, memoryBytes) => {
      m.os = { ...((m.os as Doc | undefined) ?? {}), hugePages2M: Math.ceil(memoryBytes / 2 ** 21) };
    },
  },
  {
    what: "a huge-page pool larger than a node's memory",
    mustReject: true,
    apply: (m, memoryBytes) => {
      m.os = { ...((m.os as Doc | undefined) ?? {}), hugePages2M: 2 * Math.ceil(memoryBytes / 2 ** 21) + 1 };
    },
  },
];

/** Placements that cannot exist on the machine: cores and nodes it lacks, regions it cannot hold. */
function badPlacementArb(c: ValidCase): fc.Arbitrary<{ workload: Doc; path: string; value: unknown }> {
  const w = c.workload as { regions: Doc[]; threads: Doc[] };
  return fc.constantFrom(
    { path: "threads[0].core", value: 4096 },
    { path: "threads[0].core", value: { node: 64, core: 0 } },
    { path: "threads[0].core", value: { node: 0, core: 4096 } },
    { path: "regions[0].policy", value: { kind: "bind", nodes: [63] } },
    { path: "regions[0].policy", value: { kind: "preferred", node: 63 } },
    { path: "regions[0].policy", value: { kind: "interleave", nodes: [0, 63] } },
    { path: "regions[0].size", value: "64TiB" },
    { path: "regions[0].size", value: (c.nodes + c.memoryNodes) * c.memoryBytes + c.deviceMemoryBytes + 65536 },
    { path: "threads[1]", value: { ...w.threads[0] } },
    { path: "regions[1]", value: { ...w.regions[0] } },
    { path: "threads[0].region", value: "nowhere" },
  ).map(({ path, value }) => {
    const workload = structuredClone(c.workload);
    const p = path.replace(/\[(\d+)\]/g, ".$1").split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    // Duplicating a thread or region appends (the index may be past the end: then add at the end).
    const list = workload[p[0] as string] as unknown[];
    if (p.length === 2 && typeof p[1] === "number" && p[1] >= list.length) p[1] = list.length;
    setAt(workload, p, structuredClone(value));
    return { workload, path, value };
  });
}

/** A valid case broken in exactly one place. */
export function mutatedArb(validArb: fc.Arbitrary<ValidCase>): fc.Arbitrary<Mutated> {
  return validArb.chain((c) =>
    fc.oneof(
      { weight: 16, arbitrary: generic(c) },
      { weight: 1, arbitrary: fc.constantFrom(...BAD_TOPOLOGIES).map((b) => ({ machine: { ...structuredClone(c.machine), topology: b.topology }, workload: c.workload, seed: c.seed, target: "machine" as const, kind: "bad-topology" as const, path: "topology", value: b.topology, mustReject: true })) },
      { weight: 2, arbitrary: badPlacementArb(c).map((p) => ({ machine: c.machine, workload: p.workload, seed: c.seed, target: "workload" as const, kind: "bad-placement" as const, path: p.path, value: p.value, mustReject: true })) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...BAD_COMBINATIONS).map((b) => {
          const machine = structuredClone(c.machine);
          b.apply(machine, c.memoryBytes);
          return { machine, workload: c.workload, seed: c.seed, target: "machine" as const, kind: "bad-combination" as const, path: b.what, value: undefined, mustReject: b.mustReject };
        }),
      },
    ),
  );
}

function generic(c: ValidCase): fc.Arbitrary<Mutated> {
  return fc.constantFrom<"machine" | "workload">("machine", "machine", "workload").chain((target) => {
    const doc = c[target];
    const places: { path: DocPath; value: unknown }[] = [];
    walk(doc, [], places);
    const choices: fc.Arbitrary<Mutated>[] = [];
    for (const { path, value } of places) {
      for (const op of operators) {
        const a = op(doc, target, path, value);
        if (a === null) continue;
        choices.push(
          a.map((r) => {
            const copy = structuredClone(doc);
            const at = r.path ?? path;
            if (r.del) deleteAt(copy, at);
            else setAt(copy, at, r.value);
            const machine = target === "machine" ? copy : c.machine;
            const workload = target === "workload" ? copy : c.workload;
            return { machine, workload, seed: c.seed, target, kind: r.kind, path: fmt(at), value: r.value, mustReject: r.mustReject };
          }),
        );
      }
    }
    return fc.oneof(...choices);
  });
}
