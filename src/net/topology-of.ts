import type { TopologySpec } from "../config/machine-spec.ts";
import type { Topology } from "./topology.ts";
import { crossbar, edgeList, hypercube, ladder, mesh2d, ring, square4, twistedLadder, withIoHub } from "./topology-builders.ts";

/** The topology graph a spec describes (sockets first, then switches and I/O hubs). */
export function topologyOf(t: TopologySpec): Topology {
  let topo: Topology;
  switch (t.kind) {
    case "square4":
      topo = square4();
      break;
    case "hypercube":
      topo = hypercube(t.dim);
      break;
    case "ring":
      topo = ring(t.nodes);
      break;
    case "ladder":
      topo = ladder(t.nodes);
      break;
    case "twisted-ladder":
      topo = twistedLadder(t.nodes);
      break;
    case "mesh":
      topo = mesh2d(t.rows, t.cols);
      break;
    case "crossbar":
      topo = crossbar(t.nodes);
      break;
    case "edges":
      topo = edgeList(t.nodes, t.edges);
      break;
  }
  for (const h of t.ioHubs) topo = withIoHub(topo, h);
  return topo;
}
