/**
 * Problems the fuzzers have found that need changes outside the trust suite, each with the fix it
 * waits for. The fuzz properties accept an outcome that matches a gap (and count it), so they stay
 * green while the fix is pending; test/trust/known-gaps.test.ts holds one `it.fails` per gap, which
 * starts failing the day the fix lands, to say the entry here can go.
 */
import type { Outcome } from "../../../src/trust/run-inputs.ts";

/** What a fuzz case changed, as far as the gap rules need to know. */
export interface CaseInfo {
  kind: string;
  path: string;
}

/** A known problem: an id, what goes wrong, the fix, and which outcomes are it. */
export interface KnownGap {
  id: string;
  what: string;
  fix: string;
  matches(c: CaseInfo, o: Outcome): boolean;
}

const crashMessage = (o: Outcome): string => (o.kind === "crashed" ? `${(o.error as Error)?.name}: ${(o.error as Error)?.message}` : "");

/** Every known gap. */
export const KNOWN_GAPS: KnownGap[] = [
  {
    id: "topology-shape",
    what: "a ladder or twisted ladder with an odd node count, an edge list with a repeated edge, or a disconnected edge list passes validation and then throws a raw Error from the topology builders",
    fix: "MachineSpec.superRefine (src/config/machine-spec.ts): even node counts for ladder / twisted-ladder, no repeated edge in either order, and a connected edge list",
    matches: (_c, o) => /ladder size must be even|duplicates edge|graph is disconnected/.test(crashMessage(o)),
  },
  {
    id: "region-beyond-memory",
    what: "a region larger than the machine's memory is accepted: it runs while few pages are touched, then ends in an OutOfMemoryError, a hang or a RangeError (page maps and chase permutations sized by the region)",
    fix: "bindWorkload (src/machine/bind-workload.ts): refuse a region larger than the memory its policy may use, as a problem on regions[i].size",
    matches: (c, o) => /^regions\[\d+\]\.size$/.test(c.path) && (c.kind === "bad-placement" || c.kind === "huge") && (o.kind === "ran" || (o.kind === "over-budget" && o.excess.absurd !== undefined)),
  },
  {
    id: "unbounded-quantities",
    what: "counts and sizes have no upper bound (cores, miss registers, queues, cache sizes, DRAM channels and banks, page maps): a huge value is accepted and the build allocates without limit",
    fix: "upper bounds in the schemas (src/config/machine-spec.ts, src/mem/dram/dram-spec.ts) and a cap on the elements a region or a pointer chase may need (src/machine/bind-workload.ts)",
    matches: (c, o) =>
      c.kind === "huge" &&
      ((o.kind === "over-budget" && o.excess.absurd !== undefined) || (o.kind === "crashed" && /Invalid typed array length|Array buffer allocation failed/.test(crashMessage(o)))),
  },
  {
    id: "time-range",
    what: "a run whose simulated time passes the kernel's tick range (2^52 ps, 75 minutes) ends in a raw SchedulingError with a stack trace (huge latencies, cycles, gaps or start times, or a near-zero clock or bandwidth); a clock so slow its period is not a finite number of ps ends in a raw Error from the link constructor",
    fix: "Simulator.schedule/scheduleAt (src/kernel/simulator.ts) throw a TickLimitError for ticks at or past MAX_TICK, which runWithConfigErrors (src/config/exit.ts) prints as one line with exit code 2; and upper bounds on durations, lower bounds on frequencies and bandwidths in src/config/units.ts",
    matches: (c, o) =>
      /^SchedulingError: .*cannot schedule an event at tick (\d{16,}|\d(?:\.\d+)?e\+\d+|Infinity|NaN) ps/.test(crashMessage(o)) ||
      (c.kind === "huge" && /latency must be a whole number of ps/.test(crashMessage(o))),
  },
  {
    id: "json-syntax",
    what: "a JSON syntax error is reported with Node's message, which quotes the file's text (newlines included, so one problem spans several lines) and gives no position (the line and column shown are the end of the file); a JSON file starting with a byte-order mark is refused",
    fix: "parseJson (src/config/load.ts): strip a leading U+FEFF; keep only the message before the quoted excerpt and never a newline; without a position in the message, take it from a YAML parse of the same text (JSON is YAML) or show no line and column",
    matches: (_c, o) => o.kind === "rejected" && o.lines.some((l) => /" is not valid JSON$/.test(l) || l.includes("\n")),
  },
  {
    id: "yaml-to-js",
    what: "a YAML alias to an anchor that was never set, or an alias bomb, in a file or in a --set value (`--set name=*x`), throws a ReferenceError out of the loader (parsing reports no error; converting the document to data throws)",
    fix: "parseYaml (src/config/load.ts) and parseValue (src/config/overrides.ts): call doc.toJS() inside try/catch and report the error's message as a problem of the file or the override",
    matches: (_c, o) => /^ReferenceError: (Unresolved alias|Excessive alias count)/.test(crashMessage(o)),
  },
  {
    id: "prototype-pollution",
    what: "`--set __proto__.x=1` (or `link.__proto__.x=1`) writes into Object.prototype: every later object has the field (a sweep running points in one process is corrupted), the run reports unknown keys in files that never had them or throws a TypeError from zod",
    fix: "parsePath / setAt (src/config/overrides.ts): refuse the keys __proto__, constructor and prototype in an override path (and read existing fields with Object.hasOwn); mergeValues (src/config/load.ts): define merged fields with Object.defineProperty, so a file's own __proto__ key stays a key and is reported as unknown",
    matches: (_c, o) => /^PrototypePollutionError: /.test(crashMessage(o)),
  },
  {
    id: "translation-combination",
    what: "timed translation (node.core.tlb.enabled) with a base page other than 4 KiB passes validation and then throws a raw Error building the page table (\"x86-64 tables are 4096 bytes, frames are 8192\"); x86-4M with 4 KiB regions was fixed meanwhile (bindWorkload checks region page sizes)",
    fix: "MachineSpec.superRefine (src/config/machine-spec.ts): when node.core.tlb.enabled, require pageSize 4KiB (both layouts' tables are 4096 bytes), as a problem on pageSize",
    matches: (_c, o) => /^Error: page table .*: (x86-4M has no \d+-byte pages|x86-\w+ tables are \d+ bytes, frames are \d+)/.test(crashMessage(o)),
  },
  {
    id: "out-of-memory",
    what: "regions that do not fit the memory their policy allows (a region bound to one node larger than it; regions adding up to more than the machine) end in a raw OutOfMemoryError with a stack trace, when the pages are touched or populated",
    fix: "bindWorkload (src/machine/bind-workload.ts): refuse regions that cannot fit the nodes their policy allows (alone, and together with the others); and runSimulation (src/machine/run-simulation.ts) or the run command turn an OutOfMemoryError into one readable line with exit code 2",
    matches: (_c, o) => /^Error: out of memory: /.test(crashMessage(o)),
  },
  {
    id: "memory-node-fallback",
    what: "a page whose preferred (or interleave) node is a memory-only node that is full falls back through the socket hop table, which has no row for memory-only nodes: TypeError in AddressSpace.nearestWithFree",
    fix: "AddressSpace (src/vm/address-space.ts): measure distances from a memory-only node as from the socket it is attached to (or give the hop table rows for memory nodes in build-machine.ts)",
    matches: (_c, o) => o.kind === "crashed" && o.error instanceof TypeError && /nearestWithFree/.test(o.error.stack ?? ""),
  },
  {
    id: "huge-page-pool",
    what: "os.hugePages2M may reserve more 2 MiB pages than a node has memory; it is accepted",
    fix: "MachineSpec.superRefine (src/config/machine-spec.ts): hugePages2M x 2 MiB must not exceed node.memory.size (a problem on os.hugePages2M)",
    matches: (c, o) => c.kind === "bad-combination" && /huge-page pool larger/.test(c.path) && o.kind === "ran",
  },
];

/** The gap an outcome is an instance of, or undefined. */
export function knownGapOf(c: CaseInfo, o: Outcome): KnownGap | undefined {
  return KNOWN_GAPS.find((g) => g.matches(c, o));
}

/**
 * A problem line that is well formed but says too little: when a value fits none of a union's
 * alternatives (a region's policy, a thread's core, a region's kind), the line reads only
 * "<field>: Invalid input", not which field inside went wrong or what was expected.
 */
export const UNION_MESSAGE_GAP = {
  id: "union-message",
  what: 'a value that fits no alternative of a union (regions[i].policy, regions[i].kind, threads[i].core) is reported as "<field>: Invalid input"',
  fix: "convertIssue (src/config/errors.ts): when alternatives tie, report the one alternative that accepted the value's type and failed further in; when every alternative refused the value outright, list what each accepts (invalid_value as well as invalid_type)",
  matches: (lines: readonly string[]): boolean => lines.some((l) => /: Invalid input$/.test(l)),
};

/** Gaps seen only through the command line, or not safely testable at all. */
export const OTHER_GAPS = [
  {
    id: "yaml-warning",
    what: 'a YAML file with a collection as a key (`? [a, b]`) makes the yaml library print a Node warning on stderr ("(node:PID) Warning: Keys with collection values will be stringified ..."), two lines that are not problem lines',
    fix: 'parseYaml (src/config/load.ts) and parseValue (src/config/overrides.ts): YAML.parseDocument(text, { prettyErrors: false, logLevel: "error" }) (the key then becomes an unknown key "[ a, b ]")',
  },
  {
    id: "device-file",
    what: "`hopsim run -m /dev/zero` (or `extends: /dev/zero`) reads without end: 16 GB of memory in a minute, then std::bad_alloc; a FIFO or /dev/stdin blocks for ever. Not tested: it would take the test machine down",
    fix: "readDocument (src/config/load.ts): fs.statSync first; refuse anything but a regular file (\"not a regular file\") and files over a limit such as 16 MiB (\"file is too large\")",
  },
];

