// One test per problem the fuzzers found (each listed in test/trust/fuzz/known-gaps.ts, now in
// FIXED_GAPS): the behaviour the fix brought, kept as a regression test (link-booking's is in
// link-bandwidth-audit.test.ts). A new gap gets an `it.fails` here and an entry with its rule in
// KNOWN_GAPS until its fix lands; then the rule goes, so the fuzzers catch it should it return.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { loadRaw } from "../../src/config/load.ts";
import { badProblemLines, looksLikeCrash } from "../../src/trust/problem-lines.ts";
import { runFilesGuarded, runRawGuarded, type Outcome } from "../../src/trust/run-inputs.ts";
import { ROOT } from "../cli/run-cli.ts";
import { hopsimAsync } from "./fuzz/cli-async.ts";
import { FIXED_GAPS, KNOWN_GAPS, OTHER_GAPS } from "./fuzz/known-gaps.ts";

const dir = mkdtempSync(join(tmpdir(), "hopsim-gaps-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Doc = Record<string, any>;
const machineFile = join(ROOT, "machines", "default.yaml");
const baseMachine = loadRaw(machineFile) as Doc;
const baseWorkload = loadRaw(join(ROOT, "workloads", "default.yaml")) as Doc;
for (const t of baseWorkload.threads) t.accesses = 40;
const workloadFile = join(dir, "small.yaml");
writeFileSync(workloadFile, YAML.stringify(baseWorkload));

/** The default machine and small workload, each changed by `edit`. */
function run(editMachine: (m: Doc) => void, editWorkload: (w: Doc) => void = () => {}): Outcome {
  const m = structuredClone(baseMachine);
  const w = structuredClone(baseWorkload);
  editMachine(m);
  editWorkload(w);
  return runRawGuarded(m, w);
}

/** The problem lines of a refused input (fails the expectation otherwise). */
function refused(o: Outcome): string[] {
  expect(o.kind, o.kind === "crashed" ? String(o.error) : o.kind).toBe("rejected");
  return o.kind === "rejected" ? o.lines : [];
}

const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe("gaps the fuzzers found (each a regression test now; an open one fails until its fix lands)", () => {
  it("every gap has a test here", () => {
    const ids = [...KNOWN_GAPS.map((g) => g.id), ...FIXED_GAPS.map((g) => g.id), ...OTHER_GAPS.map((g) => g.id)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(["device-file", "huge-page-pool", "json-syntax", "link-booking", "memory-node-fallback", "multi-line-key", "out-of-memory", "prototype-pollution", "region-beyond-memory", "time-range", "topology-shape", "translation-combination", "unbounded-quantities", "union-message", "yaml-to-js", "yaml-warning"]);
  });

  for (const [what, topology] of [
    ["a ladder with 5 nodes", { kind: "ladder", nodes: 5 }],
    ["a twisted ladder with 7 nodes", { kind: "twisted-ladder", nodes: 7 }],
    ["a disconnected edge list", { kind: "edges", nodes: 3, edges: [[0, 1]] }],
    ["an edge list with one edge twice", { kind: "edges", nodes: 2, edges: [[0, 1], [1, 0]] }],
  ] as const) {
    it(`topology-shape: ${what} is refused, naming the topology`, () => {
      const lines = refused(run((m) => (m.topology = topology)));
      expect(lines.every((l) => l.startsWith("machine.yaml: topology"))).toBe(true);
    });
  }

  it("region-beyond-memory: a 64 TiB region is refused, naming its size", () => {
    const lines = refused(run(() => {}, (w) => (w.regions[0].size = "64TiB")));
    expect(lines.some((l) => l.startsWith("workload.yaml: regions[0].size: "))).toBe(true);
  });

  it("unbounded-quantities: a million cores per node is refused", () => {
    expect(refused(run((m) => (m.node.cores = 1_000_000)))).toEqual([expect.stringMatching(/^machine\.yaml: node\.cores: /)]);
  });

  it("unbounded-quantities: 2^31 translations in flight, in a core or a GPU's L2 TLB, are refused", () => {
    expect(refused(run((m) => (m.node.core.tlb = { ...m.node.core.tlb, inFlight: 2 ** 31 })))).toEqual([expect.stringMatching(/^machine\.yaml: node\.core\.tlb\.inFlight: at most 1024 /)]);
    const gpuNode = loadRaw(join(ROOT, "machines", "gpu-node.yaml")) as Doc;
    const device = gpuNode.devices[0];
    device.gpu.l2Tlb.outstanding = 2 ** 31;
    expect(refused(run((m) => (m.devices = [device])))).toEqual([expect.stringMatching(/^machine\.yaml: devices\[0\]\.gpu\.l2Tlb\.outstanding: at most 1024 /)]);
  });

  it("unbounded-quantities: a terabyte packet is refused", () => {
    expect(refused(run((m) => (m.packets = { done: "1TiB" })))).toEqual(["machine.yaml: packets.done: at most 4096 bytes, got 1099511627776"]);
  });

  it("unbounded-quantities: a terabyte GPU L1 is refused", () => {
    const device = (loadRaw(join(ROOT, "machines", "gpu-node.yaml")) as Doc).devices[0];
    device.gpu.l1.size = "1TiB";
    expect(refused(run((m) => (m.devices = [device])))).toEqual([expect.stringMatching(/^machine\.yaml: devices\[0\]\.gpu\.l1\.size: \d+ lines; at most 16777216 per cache/)]);
  });

  it("unbounded-quantities: a terabyte L2 is refused", () => {
    expect(refused(run((m) => (m.node.core.l2.size = "1TiB")))).toEqual([expect.stringMatching(/^machine\.yaml: node\.core\.l2/)]);
  });

  it("time-range: a thread starting after the tick range ends in one readable line", () => {
    const lines = refused(run(() => {}, (w) => (w.threads[0].startNs = 1e13)));
    expect(lines).toHaveLength(1);
  });

  it("time-range: a 1e-9 Hz core clock is refused", () => {
    expect(refused(run((m) => (m.node.core.clock = "1e-9Hz")))).toEqual([expect.stringMatching(/^machine\.yaml: node\.core\.clock: /)]);
  });

  it("json-syntax: a JSON error is one line with the right line number", () => {
    const bad = file("bad.json", '{\n  "name": "x",\n  "topology": ]\n}\n');
    const lines = refused(runFilesGuarded(bad, workloadFile));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+bad\.json: syntax error at line 3, column \d+: /);
    expect(lines[0]).not.toContain("\n");
  });

  it("json-syntax: a JSON file starting with a byte-order mark is read", () => {
    const m = file("bom.json", `\uFEFF${JSON.stringify(baseMachine)}`);
    expect(runFilesGuarded(m, workloadFile).kind).toBe("ran");
  });

  it("yaml-to-js: an alias to an anchor never set is refused, in a file", () => {
    const m = file("alias.yaml", `extends: ${machineFile}\ndescription: *nowhere\n`);
    expect(refused(runFilesGuarded(m, workloadFile))).toEqual([expect.stringMatching(/alias\.yaml: /)]);
  });

  it("yaml-to-js: an alias in a --set value is refused", () => {
    expect(refused(runFilesGuarded(machineFile, workloadFile, ["description=*nowhere"]))).toEqual([expect.stringMatching(/^--set/)]);
  });

  it("prototype-pollution: --set __proto__.x=1 is refused and changes nothing", () => {
    const o = runFilesGuarded(machineFile, workloadFile, ["__proto__.polluted=1"]);
    expect(({} as Doc).polluted).toBeUndefined();
    expect(refused(o)).toEqual([expect.stringMatching(/^--set/)]);
  });

  it("prototype-pollution: a file's own __proto__ key is reported as unknown", () => {
    const m = file("proto.yaml", `extends: ${machineFile}\n"__proto__": { coherence: directory }\n`);
    expect(refused(runFilesGuarded(m, workloadFile))).toEqual([expect.stringMatching(/proto\.yaml: unknown key "__proto__"/)]);
  });

  // Fixed while this suite was written (bindWorkload checks each region's page size against the
  // layout): kept as a regression test.
  it("translation-combination: timed translation with x86-4M tables and 4 KiB pages is refused", () => {
    const lines = refused(run((m) => {
      m.node.core.tlb = { ...m.node.core.tlb, enabled: true };
      m.os = { pageTables: { layout: "x86-4M" } };
    }));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => /^(machine|workload)\.yaml: /.test(l))).toBe(true);
  });

  it("translation-combination: timed translation with 8 KiB pages is refused", () => {
    const arrays = [{ entries: 16, pageSizes: ["8KiB"] }];
    const lines = refused(run((m) => {
      m.pageSize = "8KiB";
      m.node.core.tlb = { enabled: true, l1: { arrays }, l2: { arrays } };
    }));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => /^(machine|workload)\.yaml: /.test(l))).toBe(true);
  });

  it("out-of-memory: a populated region bound to a node smaller than it is refused", () => {
    const lines = refused(run((m) => (m.node.memory.size = "64MiB"), (w) => Object.assign(w.regions[0], { size: "96MiB", populate: true })));
    expect(lines.some((l) => l.startsWith("workload.yaml: regions[0]"))).toBe(true);
  });

  it("out-of-memory: regions of base pages on a machine whose huge-page pool takes all its memory are refused", () => {
    // 64 MiB nodes, all of it in 32 pages of 2 MiB: nothing left for 4 KiB pages.
    const pooled = (pages: number) => (m: Doc) => {
      m.node.memory.size = "64MiB";
      m.os = { hugePages2M: pages };
    };
    const lines = refused(run(pooled(32), (w) => Object.assign(w.regions[0], { size: "1MiB", populate: true })));
    expect(lines).toContainEqual("workload.yaml: regions[0].size: 1048576 bytes do not fit in the 0 bytes of memory node 0 has outside its huge-page pool (os.hugePages2M)");
    // Regions of 2 MiB pages draw on the pool, with no base page left, and run (their faults
    // looked for a free base frame first, and stopped the run out of memory).
    const o = run(pooled(32), (w) => w.regions.forEach((r: Doc) => Object.assign(r, { size: "4MiB", pageSize: "2MiB", populate: true })));
    expect(o.kind, o.kind === "rejected" ? o.lines.join("\n") : o.kind === "crashed" ? String(o.error) : "").toBe("ran");
  });

  it("multi-line-key: a YAML collection used as a key is named on one line", () => {
    // Long enough that the YAML library writes the key over several lines.
    const key = "{ latencyCycles: 1, arrays: [ { entries: 128, pageSizes: [ 4096 ], assoc: 2 }, { entries: 128, pageSizes: [ 2MiB ], assoc: 4 } ] }";
    const m = file("collection-key.yaml", `extends: ${machineFile}\n? ${key}\n: 1\n`);
    expect(refused(runFilesGuarded(m, workloadFile, []))).toEqual([`${m}: unknown key "{ latencyCycles: 1, arrays: [ { entries: 128, pageSizes: ..."`]);
  });

  it("memory-node-fallback: a region preferring a full memory-only node falls back and runs", () => {
    const o = run(
      (m) => (m.memoryNodes = [{ attachTo: 0, memory: { kind: "simple", size: "1MiB", latency: "100ns", bandwidth: "10GB/s" } }]),
      (w) => Object.assign(w.regions[0], { size: "2MiB", policy: { kind: "preferred", node: 2 }, populate: true }),
    );
    expect(o.kind, o.kind === "crashed" ? String(o.error) : "").toBe("ran");
  });

  it("huge-page-pool: a pool larger than a node's memory is refused", () => {
    expect(refused(run((m) => (m.os = { hugePages2M: 10_000 })))).toEqual([expect.stringMatching(/^machine\.yaml: os\.hugePages2M: /)]);
  });

  it("union-message: a bad node in a policy list names the list entry", () => {
    const lines = refused(run(() => {}, (w) => (w.regions[0].policy = { kind: "interleave", nodes: ["abc"] })));
    expect(lines).toEqual([expect.stringMatching(/^workload\.yaml: regions\[0\]\.policy\.nodes\[0\]: /)]);
  });

  it("device-file: a device, a directory or an oversized file is refused before it is read", () => {
    // /dev/null reads as empty at once, so this cannot hang should the check go (unlike /dev/zero).
    expect(refused(runFilesGuarded("/dev/null", workloadFile, []))).toEqual(["/dev/null: not a regular file"]);
    expect(refused(runFilesGuarded(dir, workloadFile, []))).toEqual([`${dir}: is a directory, not a file`]);
    const big = file("big.yaml", `name: big\n#${"x".repeat(17 * 2 ** 20)}\n`);
    expect(refused(runFilesGuarded(big, workloadFile, []))).toEqual([expect.stringMatching(new RegExp(`^${big}: file is too large \\(\\d+ bytes; at most 16777216\\)$`))]);
  });

  it("yaml-warning: a collection key prints problem lines only, no Node warning", async () => {
    const m = file("complex-key.yaml", `extends: ${machineFile}\n? [a, b]\n: 1\n`);
    const r = await hopsimAsync(["run", "-m", m, "-w", workloadFile, "--out", join(dir, "out")]);
    expect(r.code).toBe(2);
    expect(looksLikeCrash(r.stderr)).toBe(false);
    expect(badProblemLines(r.stderr, [m])).toEqual([]);
  });
});
