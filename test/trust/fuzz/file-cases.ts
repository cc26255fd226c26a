/**
 * Generators of whole input files on disk: valid and broken documents rendered as YAML or JSON,
 * then perhaps damaged as text (truncated, spliced, bytes flipped, lines shuffled), laced with YAML
 * features the loader must survive (aliases, anchors, tags, merge keys, several documents), chained
 * with `extends` (to the bundled machines, to each other, in cycles, to nothing), or plain noise.
 */
import fc from "fast-check";
import YAML from "yaml";
import { mutatedArb } from "./mutations.ts";
import { validCaseArb, type Doc } from "./valid-inputs.ts";

/** One file to write, by name within the case's folder. */
export interface FileSpec {
  name: string;
  content: string | Uint8Array;
}

/** A set of files and which two of them to run. */
export interface FileCase {
  files: FileSpec[];
  /** Machine file: a name in `files`, or an absolute path (a bundled machine). */
  machine: string;
  /** Workload file: a name in `files`, or an absolute path. */
  workload: string;
  seed: number;
  /** The field-level change (a mutation kind, "valid", or what the file is). */
  kind: string;
  /** Field changed, if any. */
  path: string;
  /** What was done to the file's text afterwards ("" when nothing). */
  damage: string;
  /** The input has no valid reading. */
  mustReject: boolean;
  /** The input is valid and must run. */
  mustRun: boolean;
}

/** Renders a document as YAML (block or flow style) or JSON. */
function renderArb(doc: Doc): fc.Arbitrary<{ text: string; ext: string }> {
  return fc.constantFrom(
    { text: YAML.stringify(doc), ext: "yaml" },
    { text: YAML.stringify(doc, { collectionStyle: "flow" }), ext: "yml" },
    { text: JSON.stringify(doc, null, 1), ext: "json" },
  );
}

/** Ways to damage a file's text. */
function damageArb(text: string): fc.Arbitrary<{ text: string; what: string }> {
  const at = fc.nat(Math.max(0, text.length));
  const junk = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(":", "- ", "{", "}", "[", "]", "\t", "\n  ", "#", "&a ", "*a", "!", "|", ">", "'", '"', "\\", "\u0000", "\uFEFF", "\u2028", "%YAML 1.1\n", "---\n", "...\n"));
  const lines = text.split("\n");
  return fc.oneof(
    at.map((i) => ({ text: text.slice(0, i), what: `truncated at ${i}` })),
    fc.tuple(at, junk).map(([i, j]) => ({ text: text.slice(0, i) + j + text.slice(i), what: `inserted ${JSON.stringify(j)} at ${i}` })),
    fc.tuple(at, fc.nat(40)).map(([i, n]) => ({ text: text.slice(0, i) + text.slice(i + n), what: `deleted ${n} chars at ${i}` })),
    fc.tuple(fc.nat(Math.max(0, lines.length - 1)), fc.nat(Math.max(0, lines.length - 1))).map(([a, b]) => {
      const l = [...lines];
      [l[a], l[b]] = [l[b]!, l[a]!];
      return { text: l.join("\n"), what: `swapped lines ${a} and ${b}` };
    }),
    fc.nat(Math.max(0, lines.length - 1)).map((a) => {
      const l = [...lines];
      l.splice(a, 0, l[a]!);
      return { text: l.join("\n"), what: `duplicated line ${a}` };
    }),
    fc.tuple(fc.nat(Math.max(0, lines.length - 1)), fc.constantFrom("  ", "    ", "\t", "")).map(([a, pad]) => {
      const l = [...lines];
      l[a] = pad + l[a]!.trimStart();
      return { text: l.join("\n"), what: `re-indented line ${a}` };
    }),
    fc.constant({ text: `\uFEFF${text}`, what: "byte-order mark" }),
    fc.constant({ text: text.replace(/\n/g, "\r\n"), what: "CRLF line ends" }),
  );
}

/** YAML features appended to a document: each must be read or refused, never thrown. */
const YAML_EXTRAS: { what: string; text: string }[] = [
  { what: "an alias to an anchor never set", text: "\nextraAlias: *nowhere\n" },
  { what: "an alias bomb", text: "\nbombA: &a [x, x, x, x, x, x, x, x, x, x]\nbombB: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nbombC: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nbombD: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n" },
  { what: "a collection as a key", text: "\n? [a, b]\n: 1\n" },
  { what: "a merge key", text: "\n<<: { zz: 1 }\n" },
  { what: "a custom tag", text: "\ntagged: !custom 5\n" },
  { what: "a binary tag", text: "\nbin: !!binary aGVsbG8=\n" },
  { what: "a second document", text: "\n---\nname: again\n" },
  { what: "a duplicate key", text: "\nname: twice\n" },
  { what: "a null key", text: "\n~: 1\n" },
  { what: "a number key", text: "\n12: 1\n" },
  { what: "a prototype key", text: '\n"__proto__": { polluted: true }\n' },
  { what: "a very long line", text: `\nlong: ${"x".repeat(100_000)}\n` },
  { what: "deep nesting", text: `\ndeep: ${"[".repeat(500)}${"]".repeat(500)}\n` },
];

/** A machine and workload pair rendered to files, valid or broken in one field, perhaps damaged. */
const renderedArb: fc.Arbitrary<FileCase> = fc
  .oneof(
    validCaseArb.map((c) => ({ machine: c.machine, workload: c.workload, seed: c.seed, kind: "valid", path: "", mustReject: false, valid: true })),
    mutatedArb(validCaseArb).map((c) => ({ ...c, valid: false })),
  )
  .chain((c) =>
    fc.record({ m: renderArb(c.machine), w: renderArb(c.workload), damage: fc.constantFrom("none", "none", "machine", "workload", "extra") }).chain(({ m, w, damage }) => {
      const base = (mt: string, wt: string, damage: string, mustReject: boolean, mustRun: boolean): FileCase => ({
        files: [{ name: `machine.${m.ext}`, content: mt }, { name: `workload.${w.ext}`, content: wt }],
        machine: `machine.${m.ext}`,
        workload: `workload.${w.ext}`,
        seed: c.seed,
        kind: c.kind,
        path: c.path,
        damage,
        mustReject,
        mustRun,
      });
      // NaN and the infinities do not survive JSON (they become null): still invalid, but not the same input.
      if (damage === "none") return fc.constant(base(m.text, w.text, "", c.mustReject, c.valid));
      if (damage === "extra") {
        return fc.constantFrom(...YAML_EXTRAS).map((x) => base(m.ext === "json" ? m.text : m.text + x.text, w.text, m.ext === "json" ? "" : `machine file + ${x.what}`, false, false));
      }
      const target = damage === "machine" ? m.text : w.text;
      return damageArb(target).map((d) => (damage === "machine" ? base(d.text, w.text, `machine file ${d.what}`, false, false) : base(m.text, d.text, `workload file ${d.what}`, false, false)));
    }),
  );

/** Files that are not configuration at all. */
const noiseArb: fc.Arbitrary<FileCase> = fc
  .record({ bytes: fc.uint8Array({ maxLength: 300 }), ext: fc.constantFrom("yaml", "json", "txt"), which: fc.constantFrom("machine", "workload") })
  .map(({ bytes, ext, which }) => ({
    files: [{ name: `noise.${ext}`, content: bytes }],
    machine: which === "machine" ? `noise.${ext}` : "",
    workload: which === "workload" ? `noise.${ext}` : "",
    seed: 1,
    kind: "noise",
    path: "",
    damage: `${bytes.length} random bytes`,
    mustReject: true,
    mustRun: false,
  }));

/** `extends` chains: to a bundled machine, to each other, in a cycle, to a missing file, malformed. */
function extendsArb(bundledMachines: string[]): fc.Arbitrary<FileCase> {
  const override = fc.constantFrom<Doc>({}, { name: "child" }, { link: { latency: "20ns" } }, { node: { cores: 1 } }, { coherence: "directory" }, { link: { latency: "20 furlongs" } }, { colour: "red" }, { topology: { kind: "ring", nodes: 3 } }, { node: { memory: { kind: "dram", size: "1GiB", dram: { preset: "ddr4-2400" } } } });
  const chain = fc.record({ base: fc.constantFrom(...bundledMachines), depth: fc.integer({ min: 1, max: 3 }), overrides: fc.array(override, { minLength: 3, maxLength: 3 }), twist: fc.constantFrom("none", "none", "cycle", "self", "missing", "number", "list", "empty", "directory") });
  return chain.map(({ base, depth, overrides, twist }) => {
    const files: FileSpec[] = [];
    for (let i = 0; i < depth; i++) {
      let ext: unknown = i === 0 ? base : `m${i - 1}.yaml`;
      // A cycle: the first file extends the last, each other file the one before it.
      if (twist === "cycle" && i === 0) ext = `m${depth - 1}.yaml`;
      if (i === depth - 1) {
        if (twist === "self") ext = `m${i}.yaml`;
        if (twist === "missing") ext = "absent.yaml";
        if (twist === "number") ext = 5;
        if (twist === "list") ext = [i === 0 ? base : `m${i - 1}.yaml`, "absent.yaml"];
        if (twist === "empty") ext = "";
        if (twist === "directory") ext = ".";
      }
      files.push({ name: `m${i}.yaml`, content: YAML.stringify({ extends: ext, ...overrides[i]! }) });
    }
    const broken = twist !== "none";
    return { files, machine: `m${depth - 1}.yaml`, workload: "", seed: 1, kind: "extends", path: "extends", damage: `chain of ${depth} from ${base} (${twist})`, mustReject: broken, mustRun: false };
  });
}

/** Every kind of file case; an empty `machine` or `workload` means a small default one the test provides. */
export function fileCaseArb(bundledMachines: string[]): fc.Arbitrary<FileCase> {
  return fc.oneof({ weight: 6, arbitrary: renderedArb }, { weight: 1, arbitrary: noiseArb }, { weight: 2, arbitrary: extendsArb(bundledMachines) });
}
