/**
 * Problems the fuzzers have found that need changes outside the trust suite. An open gap has a
 * rule saying which outcomes are it: the fuzz properties accept those (and count them), so they
 * stay green while the fix is pending, and test/trust/known-gaps.test.ts holds an `it.fails` for it
 * that starts failing the day the fix lands. A fixed gap moves to FIXED_GAPS, its rule dropped so
 * the fuzzers catch it should it come back, its `it.fails` turned into a regression test.
 */
import type { Outcome } from "../../../src/trust/run-inputs.ts";

/** What a fuzz case changed, as far as the gap rules need to know. */
export interface CaseInfo {
  kind: string;
  path: string;
}

/** A problem the fuzzers found: an id, what went wrong and the fix. */
export interface Gap {
  id: string;
  what: string;
  fix: string;
}

/** An open gap: which outcomes are it. */
export interface KnownGap extends Gap {
  matches(c: CaseInfo, o: Outcome): boolean;
}

/** Gaps still open (none today). */
export const KNOWN_GAPS: KnownGap[] = [];

/** Gaps fixed, each with its regression test in known-gaps.test.ts. */
export const FIXED_GAPS: Gap[] = [
  {
    id: "union-message",
    what: 'a value that fits no alternative of a union (regions[i].policy, regions[i].kind, threads[i].core) is reported as "<field>: Invalid input", not which field inside went wrong or what was expected (the fuzz judge now refuses such a line anywhere)',
    fix: "convertIssue (src/config/errors.ts): when alternatives tie, report the one alternative that accepted the value's type and failed further in; when every alternative refused the value outright, list what each accepts (invalid_value as well as invalid_type)",
  },
  {
    id: "device-file",
    what: "`hopsim run -m /dev/zero` (or `extends: /dev/zero`) reads without end: 16 GB of memory in a minute, then std::bad_alloc; a FIFO or /dev/stdin blocks for ever. tested with /dev/null, which cannot hang the test should the check go",
    fix: "readDocument (src/config/load.ts): fs.statSync first; refuse anything but a regular file (\"not a regular file\") and files over a limit such as 16 MiB (\"file is too large\")",
  },
  {
    id: "topology-shape",
    what: "a ladder or twisted ladder with an odd node count, an edge list with a repeated edge, or a disconnected edge list passes validation and then throws a raw Error from the topology builders",
    fix: "MachineSpec.superRefine (src/config/machine-spec.ts): even node counts for ladder / twisted-ladder, no repeated edge in either order, and a connected edge list",
  },
  {
    id: "region-beyond-memory",
    what: "a region larger than the machine's memory is accepted: it runs while few pages are touched, then ends in an OutOfMemoryError, a hang or a RangeError (page maps and chase permutations sized by the region)",
    fix: "bindWorkload (src/machine/bind-workload.ts): refuse a region larger than the memory its policy may use, as a problem on regions[i].size",
  },
  {
    id: "unbounded-quantities",
    what: "counts and sizes have no upper bound (cores, miss registers, queues, cache sizes, DRAM channels and banks, page maps; later found too: translations in flight in a core or a GPU's L2 TLB, GPU cache sizes, packet sizes): a huge value is accepted and the build allocates without limit",
    fix: "upper bounds in the schemas (src/config/machine-spec.ts, src/config/device-spec.ts, src/config/table-sizes.ts, src/mem/dram/dram-spec.ts) and a cap on the elements a region or a pointer chase may need (src/machine/bind-workload.ts)",
  },
  {
    id: "time-range",
    what: "a run whose simulated time passes the kernel's tick range (2^52 ps, 75 minutes) ends in a raw SchedulingError with a stack trace (huge latencies, cycles, gaps or start times, or a near-zero clock or bandwidth); a clock so slow its period is not a finite number of ps ends in a raw Error from the link constructor",
    fix: "Simulator.schedule/scheduleAt (src/kernel/simulator.ts) throw a TickLimitError for ticks at or past MAX_TICK, which runWithConfigErrors (src/config/exit.ts) prints as one line with exit code 2; and upper bounds on durations, lower bounds on frequencies and bandwidths in src/config/units.ts",
  },
  {
    id: "json-syntax",
    what: "a JSON syntax error is reported with Node's message, which quotes the file's text (newlines included, so one problem spans several lines) and gives no position (the line and column shown are the end of the file); a JSON file starting with a byte-order mark is refused",
    fix: "parseJson (src/config/load.ts): strip a leading U+FEFF; keep only the message before the quoted excerpt and never a newline; without a position in the message, take it from a YAML parse of the same text (JSON is YAML) or show no line and column",
  },
  {
    id: "yaml-to-js",
    what: "a YAML alias to an anchor that was never set, or an alias bomb, in a file or in a --set value (`--set name=*x`), throws a ReferenceError out of the loader (parsing reports no error; converting the document to data throws)",
    fix: "parseYaml (src/config/load.ts) and parseValue (src/config/overrides.ts): call doc.toJS() inside try/catch and report the error's message as a problem of the file or the override",
  },
  {
    id: "prototype-pollution",
    what: "`--set __proto__.x=1` (or `link.__proto__.x=1`) writes into Object.prototype: every later object has the field (a sweep running points in one process is corrupted), the run reports unknown keys in files that never had them or throws a TypeError from zod",
    fix: "parsePath / setAt (src/config/overrides.ts): refuse the keys __proto__, constructor and prototype in an override path (and read existing fields with Object.hasOwn); mergeValues (src/config/load.ts): define merged fields with Object.defineProperty, so a file's own __proto__ key stays a key and is reported as unknown",
  },
  {
    id: "translation-combination",
    what: "timed translation (node.core.tlb.enabled) with a base page other than 4 KiB passes validation and then throws a raw Error building the page table (\"x86-64 tables are 4096 bytes, frames are 8192\"); x86-4M with 4 KiB regions was fixed meanwhile (bindWorkload checks region page sizes)",
    fix: "MachineSpec.superRefine (src/config/machine-spec.ts): when node.core.tlb.enabled, require pageSize 4KiB (both layouts' tables are 4096 bytes), as a problem on pageSize",
  },
  {
    id: "out-of-memory",
    what: "regions that do not fit the memory their policy allows (a region bound to one node larger than it; regions adding up to more than the machine; later, regions of base pages on a machine whose huge-page pool takes all its memory) end in an OutOfMemoryError, when the pages are touched or populated",
    fix: "bindWorkload (src/machine/bind-workload.ts): refuse regions that cannot fit the nodes their policy allows (alone, and together with the others), counting the huge-page pool only for regions of 2 MiB pages; and runSimulation (src/machine/run-simulation.ts) or the run command turn an OutOfMemoryError into one readable line with exit code 2",
  },
  {
    id: "link-booking",
    what: "under --check, a link that does not insert commands into data packets (link.controlInsert: 0) carries more than its bandwidth: a probe answer handed to the link before it is due took the wire then without keeping later packets off it (test: link-bandwidth-audit.test.ts)",
    fix: "Link.send (src/net/link.ts): a packet due later books its wire time, and packets sent meanwhile keep clear of the bookings",
  },
  {
    id: "multi-line-key",
    what: "a YAML collection used as a key (`? { a: 1, b: 2 }`) is reported as an unknown key quoting its text, which spans several lines (the rule of json-syntax, any problem line holding a newline, hid it while that gap was open)",
    fix: "convertIssue (src/config/errors.ts): quote an unknown key on one line, whitespace collapsed, cut short past 60 characters",
  },
  {
    id: "memory-node-fallback",
    what: "a page whose preferred (or interleave) node is a memory-only node that is full falls back through the socket hop table, which has no row for memory-only nodes: TypeError in AddressSpace.nearestWithFree",
    fix: "AddressSpace (src/vm/address-space.ts): measure distances from a memory-only node as from the socket it is attached to (or give the hop table rows for memory nodes in build-machine.ts)",
  },
  {
    id: "huge-page-pool",
    what: "os.hugePages2M may reserve more 2 MiB pages than a node has memory; it is accepted",
    fix: "MachineSpec.superRefine (src/config/machine-spec.ts): hugePages2M x 2 MiB must not exceed node.memory.size (a problem on os.hugePages2M)",
  },
];

/** The gap an outcome is an instance of, or undefined. */
export function knownGapOf(c: CaseInfo, o: Outcome): KnownGap | undefined {
  return KNOWN_GAPS.find((g) => g.matches(c, o));
}


/** Gaps seen only through the command line. */
export const OTHER_GAPS = [
  {
    id: "yaml-warning",
    what: 'a YAML file with a collection as a key (`? [a, b]`) makes the yaml library print a Node warning on stderr ("(node:PID) Warning: Keys with collection values will be stringified ..."), two lines that are not problem lines',
    fix: 'parseYaml (src/config/load.ts) and parseValue (src/config/overrides.ts): YAML.parseDocument(text, { prettyErrors: false, logLevel: "error" }) (the key then becomes an unknown key "[ a, b ]")',
  },
];

