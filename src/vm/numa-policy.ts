/** Where a region's pages are placed. */
export type NumaPolicy =
  /** First touch: on the node of the thread that first touches the page (Linux's local allocation). */
  | { kind: "local" }
  /** Striped page by page over `nodes` (all nodes when omitted): Linux interleave. */
  | { kind: "interleave"; nodes?: number[] }
  /** Striped line by line over all nodes: the BIOS node-interleave option. */
  | { kind: "interleave-line" }
  /** Only on `nodes`; the nearest of them to the touching thread that has free frames. */
  | { kind: "bind"; nodes: number[] }
  /** On `node` while it has free frames, then the nearest other node. */
  | { kind: "preferred"; node: number };

/** The policy as numa_maps prints it (e.g. `interleave:0-3`, `bind:1`, `prefer:2`, `default`). */
export function policyLabel(p: NumaPolicy, nodes: number): string {
  switch (p.kind) {
    case "local":
      return "default";
    case "interleave":
      return `interleave:${nodeList(p.nodes ?? [...Array(nodes).keys()])}`;
    case "interleave-line":
      return `interleave-line:${nodeList([...Array(nodes).keys()])}`;
    case "bind":
      return `bind:${nodeList(p.nodes)}`;
    case "preferred":
      return `prefer:${p.node}`;
  }
}

/** Compresses a node list to ranges, as Linux prints it: [0,1,2,3,5] -> "0-3,5". */
export function nodeList(nodes: number[]): string {
  const s = [...new Set(nodes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(j > i ? `${s[i]}-${s[j]}` : `${s[i]}`);
    i = j + 1;
  }
  return parts.join(",");
}
