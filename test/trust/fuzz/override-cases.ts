/**
 * Generators of `--set` overrides for `hopsim run`: legal ones (a latency, a clock, a count of
 * accesses), and any field of the bundled machine or workload set to any value text the command
 * line can carry (units of every kind, NaN, infinities, huge numbers, lists, mappings, nothing),
 * plus malformed paths (empty keys, unclosed brackets, indices past the end, keys inside scalars).
 */
import fc from "fast-check";
import { durationText, sizeText } from "./valid-inputs.ts";

/** One `hopsim run` command line's overrides, with the change that matters for judging. */
export interface OverrideCase {
  sets: string[];
  /** Kind of the last override ("legal" for the known-good ones). */
  kind: string;
  /** Field it sets, without the `workload.` prefix. */
  path: string;
  mustReject: boolean;
  mustRun: boolean;
}

/** Leaf paths of a document, written as `--set` paths (a.b[2].c). */
export function leafPaths(doc: unknown, prefix = ""): string[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => leafPaths(v, `${prefix}[${i}]`));
  if (typeof doc === "object" && doc !== null) return Object.entries(doc).flatMap(([k, v]) => leafPaths(v, prefix === "" ? k : `${prefix}.${k}`));
  return [prefix];
}

const text = (a: fc.Arbitrary<number | string>) => a.map(String);

/** Overrides that keep the bundled default machine and a small workload valid. */
const legalArb: fc.Arbitrary<string> = fc.oneof(
  text(fc.integer({ min: 1000, max: 90_000 }).chain(durationText)).map((v) => `link.latency=${v}`),
  text(fc.integer({ min: 10_000, max: 90_000 }).chain(durationText)).map((v) => `node.memory.latency=${v}`),
  fc.constantFrom("1.6GHz", "2200MHz", "3", "2.6 GHz").map((v) => `node.core.clock=${v}`),
  fc.constantFrom("directory", "broadcast").map((v) => `coherence=${v}`),
  fc.integer({ min: 1, max: 64 }).map((v) => `link.credits=${v}`),
  fc.integer({ min: 1, max: 120 }).map((v) => `workload.threads[0].accesses=${v}`),
  fc.integer({ min: 0, max: 8 }).map((v) => `workload.threads[1].gapCycles=${v}`),
  fc.constantFrom("sequential", "random").map((v) => `workload.threads[0].order=${v}`),
  text(fc.integer({ min: 4096, max: 1 << 20 }).chain(sizeText)).map((v) => `workload.regions[1].size=${v}`),
  fc.constantFrom("{ kind: interleave }", "{kind: bind, nodes: [0, 1]}", "interleave-line", "local").map((v) => `workload.regions[0].policy=${v}`),
  fc.constantFrom("machine.name=renamed", "description=set from the command line", "node.core.l1d={ size: 32KiB, assoc: 8, latencyCycles: 4 }"),
);

/** Value texts of every shape. */
const VALUE_TEXTS = [
  "", " ", "0", "-1", "-0", "1.5", "1e300", "-1e300", "9007199254740993", "4294967296", ".nan", ".NaN", "NaN", ".inf", "-.inf", "Infinity",
  "60ns", "-60ns", "0ns", "1e15ps", "3600s", "2GHz", "1e-300Hz", "0Hz", "32KiB", "0B", "1TiB", "64TiB", "1e15B", "6.4GB/s", "1e-300B/s", "0GB/s",
  "12 furlongs", "ns", "3 cycles", "true", "false", "null", "~", "[]", "[1, 2]", "[", "{}", "{a: 1}", "{", "{kind: mesh}", "'quoted'", '"dq"',
  "a=b", "=", "x".repeat(5000), "\u0000", "🙂", "- item", "key: value", "&anchor x", "*alias", "!tag x", "%", "@", "`",
];

/** Override paths that are not paths. */
const BAD_PATHS = ["", ".", "..", "a..b", "[0]", "[x]", "a[", "a]", "a[0", "a[-1]", "a[1.5]", "link.latency.x", "name.x", "name[0]", "node.cores[0]", "topology.edges[99]", "topology.edges[0][9]", "workload.threads[99].accesses", "workload.regions[0].size.x", "workload.", "machine.", "workload", "__proto__.x", "constructor.prototype.x", "link.__proto__", "a b", "a=b", " link.latency", "link .latency"];

/** Any field of the bundled files set to any value text, or a malformed path. */
function anyArb(machinePaths: string[], workloadPaths: string[]): fc.Arbitrary<{ set: string; path: string; kind: string }> {
  const value = fc.oneof(fc.constantFrom(...VALUE_TEXTS), fc.string({ maxLength: 10 }));
  const field = fc.oneof(
    fc.constantFrom(...machinePaths).map((p) => ({ full: p, path: p })),
    fc.constantFrom(...workloadPaths).map((p) => ({ full: `workload.${p}`, path: p })),
    fc.constantFrom(...BAD_PATHS).map((p) => ({ full: p, path: p })),
  );
  return fc.oneof(
    fc.tuple(field, value).map(([f, v]) => ({ set: `${f.full}=${v}`, path: f.path, kind: /^(1e\d|-?9007|4294|1e15|3600s|1TiB|64TiB|1e-300)/.test(v) ? "huge" : "value" })),
    fc.constantFrom("novalue", "=5", "==", "link.latency", "workload.threads[0].accesses").map((s) => ({ set: s, path: "", kind: "malformed" })),
  );
}

/** Command lines of overrides: a few legal ones, perhaps followed by one of any kind. */
export function overrideCaseArb(machinePaths: string[], workloadPaths: string[]): fc.Arbitrary<OverrideCase> {
  return fc.record({ legal: fc.array(legalArb, { maxLength: 3 }), other: fc.option(anyArb(machinePaths, workloadPaths), { freq: 3, nil: undefined }) }).map(({ legal, other }) => {
    if (other === undefined) return { sets: legal, kind: "legal", path: "", mustReject: false, mustRun: true };
    return { sets: [...legal, other.set], kind: other.kind, path: other.path, mustReject: other.kind === "malformed", mustRun: false };
  });
}
