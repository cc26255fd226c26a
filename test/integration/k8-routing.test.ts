import { describe, expect, it } from "vitest";
import { MachineSpec } from "../../src/config/machine-spec.ts";
import type { WorkloadSpec } from "../../src/config/workload-spec.ts";
import { runSimulation } from "../../src/machine/run-simulation.ts";
import { problemLines } from "../config/problem-lines.ts";
import { loadConfigFile } from "../../src/config/load.ts";
import { idleLatencyNs, machine } from "./numa-helpers.ts";

/** machines/opteron-4p.yaml with shortest-path routing (lowest node id first) and a probe per node. */
function withoutTables(): MachineSpec {
  return machine("machines/opteron-4p.yaml", "topology.routes=null");
}

/** Messages and bytes each link direction carried while core 0 chased 200 lines on `node`. */
function linkTraffic(m: MachineSpec, node: number): Record<string, number> {
  const w: WorkloadSpec = {
    name: "chase",
    description: "",
    regions: [{ name: "r", size: 1 << 20, policy: { kind: "bind", nodes: [node] }, kind: "anon" }],
    threads: [{ core: 0, generator: "pointer-chase", region: "r", stride: 64, accesses: 200, order: "random", gapCycles: 0, startNs: 0 }],
  };
  const stats = runSimulation(m, w, 1).stats;
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(stats)) {
    const hit = /^ht\.node(\d)-node(\d)\.(fwd|rev)\.(messages|bytes)$/.exec(name);
    if (hit === null) continue;
    const [a, b] = hit[3] === "fwd" ? [hit[1], hit[2]] : [hit[2], hit[1]];
    out[`${a}>${b} ${hit[4]}`] = v.value as number;
  }
  return out;
}

describe("K8 routing tables (opteron-4p)", () => {
  it("sends node 0's probes down its tree: one packet per link, node 2 passing them on to node 3", () => {
    const t = linkTraffic(machine("machines/opteron-4p.yaml"), 0);
    // 200 local misses: on each tree link the probes (one each) and nothing else goes that way.
    expect(t["0>1 messages"]).toBe(200);
    expect(t["0>2 messages"]).toBe(200);
    expect(t["2>3 messages"]).toBe(200);
    // Shortest paths send node 3 its own probe, behind node 1's, over the 0-1 link.
    const s = linkTraffic(withoutTables(), 0);
    expect(s["0>1 messages"]).toBe(400);
    expect(s["0>2 messages"]).toBe(200);
    expect(s["1>3 messages"]).toBe(200);
  });

  it("sends a request to the far corner up first and its data back across first", () => {
    const t = linkTraffic(machine("machines/opteron-4p.yaml"), 3);
    // Requests 0 -> 2 -> 3; data 3 -> 2 -> 0 (the response route of node 3 to node 0 is via node 2).
    // 200 data packets of 68 bytes and 200 probe answers of 4 from node 3 come down 3 -> 2.
    expect(t["3>2 bytes"]).toBeGreaterThanOrEqual(200 * 68);
    expect(t["3>1 bytes"]).toBe(200 * 8); // node 3's probes to node 1, which passes them on to node 0
    expect(t["0>2 bytes"]).toBeGreaterThanOrEqual(200 * 8); // the requests
    expect(t["0>1 bytes"] ?? 0).toBeLessThan(200 * 8); // no requests that way (only completions)
  });

  it("makes the 1-hop read to node 2 the slower of the two, as AMD measured; shortest paths make it node 1", () => {
    const k8 = machine("machines/opteron-4p.yaml");
    const lat = (m: MachineSpec, node: number) => idleLatencyNs(m, node, 400);
    expect(lat(k8, 2)).toBeGreaterThan(lat(k8, 1));
    const sp = withoutTables();
    expect(lat(sp, 1)).toBeGreaterThan(lat(sp, 2));
  });

  it("rejects tables that do not fit the machine's links, one line per problem", () => {
    const lines = problemLines(() =>
      loadConfigFile("machines/opteron-4p.yaml", MachineSpec, {
        overrides: ["topology.routes.request[0][3]=3", "topology.routes.broadcast[1][2]=[1, 2]"],
      }),
    );
    expect(lines).toEqual([
      expect.stringMatching(/topology\.routes\.request\[0\]\[3\]: node 0 has no link to node 3$/),
      expect.stringMatching(/topology\.routes\.broadcast\[1\]\[2\]: node 1 has no link to node 2$/),
      expect.stringMatching(/topology\.routes\.broadcast\[1\]: the broadcast never reaches node 2$/),
    ]);
  });

  it("rejects tables on a crossbar, whose switch routes every packet", () => {
    const lines = problemLines(() =>
      loadConfigFile("machines/opteron-4p.yaml", MachineSpec, { overrides: ["topology.kind=crossbar", "topology.nodes=4", "topology.switchLatency=10ns"] }),
    );
    expect(lines).toEqual([expect.stringMatching(/topology\.routes: a crossbar's switch routes every packet/)]);
  });
});
