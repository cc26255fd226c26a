/**
 * Column expressions of a sweep file: arithmetic over statistics of a point, such as
 * `threads[1].nsPerAccess / threads[0].nsPerAccess` or `sum(node*.mc.bytes) / simulatedNs`.
 *
 * A name is a statistic path, a thread field (`threads[0].nsPerAccess`) or a result field
 * (`simulatedNs`, `events`). Paths may contain `-` (`ht.node0-node1.fwd.bytes`), so subtraction
 * needs spaces around the minus sign. `sum`, `mean`, `min`, `max` and `count` take one path with
 * `*` wildcards (`node*.mc.bytes`, `threads[*].timeNs`).
 */

/** A parsed column expression. */
export type ColumnExpr =
  | { kind: "num"; value: number }
  | { kind: "ref"; path: string }
  | { kind: "fn"; name: AggregateName; pattern: string }
  | { kind: "neg"; arg: ColumnExpr }
  | { kind: "bin"; op: "+" | "-" | "*" | "/"; left: ColumnExpr; right: ColumnExpr };

/** Functions over every value a wildcard path matches. */
export const AGGREGATES = ["sum", "mean", "min", "max", "count"] as const;
/** The name of an aggregate function. */
export type AggregateName = (typeof AGGREGATES)[number];

type Token = { kind: "num"; value: number; at: number } | { kind: "name"; text: string; at: number } | { kind: "op"; text: string; at: number };

const NAME_RE = /[A-Za-z_][A-Za-z0-9_.[\]*-]*/y;
const NUM_RE = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if ("+-*/()".includes(c)) {
      tokens.push({ kind: "op", text: c, at: i });
      i++;
      continue;
    }
    NUM_RE.lastIndex = i;
    const num = NUM_RE.exec(text);
    if (num) {
      tokens.push({ kind: "num", value: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    NAME_RE.lastIndex = i;
    const name = NAME_RE.exec(text);
    if (name) {
      tokens.push({ kind: "name", text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    throw new Error(`unexpected "${c}" at column ${i + 1}`);
  }
  return tokens;
}

/** Parses a column expression; throws an Error with a one-line message when it is malformed. */
export function parseColumnExpr(text: string): ColumnExpr {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const where = (): string => {
    const t = peek();
    return t ? `at column ${t.at + 1}` : "at the end";
  };
  const isOp = (t: Token | undefined, ops: string): boolean => t?.kind === "op" && ops.includes(t.text);

  function expr(): ColumnExpr {
    let left = term();
    while (isOp(peek(), "+-")) {
      const op = (tokens[pos++] as { text: "+" | "-" }).text;
      left = { kind: "bin", op, left, right: term() };
    }
    return left;
  }
  function term(): ColumnExpr {
    let left = factor();
    while (isOp(peek(), "*/")) {
      const op = (tokens[pos++] as { text: "*" | "/" }).text;
      left = { kind: "bin", op, left, right: factor() };
    }
    return left;
  }
  function factor(): ColumnExpr {
    const t = peek();
    if (t === undefined) throw new Error("expression ends too early");
    if (isOp(t, "-")) {
      pos++;
      return { kind: "neg", arg: factor() };
    }
    if (isOp(t, "(")) {
      pos++;
      const inner = expr();
      if (!isOp(peek(), ")")) throw new Error(`expected ")" ${where()}`);
      pos++;
      return inner;
    }
    if (t.kind === "num") {
      pos++;
      return { kind: "num", value: t.value };
    }
    if (t.kind === "name") {
      pos++;
      if (isOp(peek(), "(")) {
        if (!(AGGREGATES as readonly string[]).includes(t.text)) throw new Error(`unknown function "${t.text}" (functions: ${AGGREGATES.join(", ")})`);
        pos++;
        const arg = peek();
        if (arg?.kind !== "name") throw new Error(`${t.text}() takes a statistic path ${where()}`);
        pos++;
        if (!isOp(peek(), ")")) throw new Error(`expected ")" ${where()}`);
        pos++;
        return { kind: "fn", name: t.text as AggregateName, pattern: arg.text };
      }
      if (t.text.includes("*")) throw new Error(`a wildcard path (${t.text}) needs a function such as sum(...)`);
      return { kind: "ref", path: t.text };
    }
    throw new Error(`unexpected "${t.kind === "op" ? t.text : ""}" ${where()}`);
  }

  const out = expr();
  const rest = tokens[pos];
  if (rest !== undefined) throw new Error(`unexpected "${rest.kind === "num" ? rest.value : rest.text}" ${where()}`);
  return out;
}

/** How an expression finds its inputs. */
export interface ExprScope {
  /** The number at a path, or undefined when there is none. */
  value(path: string): number | undefined;
  /** Every number whose path matches a wildcard pattern, in path order. */
  matches(pattern: string): number[];
}

/** Evaluates an expression; undefined when a path it needs is missing or no value matches a wildcard. */
export function evaluateColumnExpr(e: ColumnExpr, scope: ExprScope): number | undefined {
  switch (e.kind) {
    case "num":
      return e.value;
    case "ref":
      return scope.value(e.path);
    case "neg": {
      const v = evaluateColumnExpr(e.arg, scope);
      return v === undefined ? undefined : -v;
    }
    case "fn": {
      const values = scope.matches(e.pattern);
      if (e.name === "count") return values.length;
      if (values.length === 0) return undefined;
      if (e.name === "min") return Math.min(...values);
      if (e.name === "max") return Math.max(...values);
      const sum = values.reduce((a, b) => a + b, 0);
      return e.name === "sum" ? sum : sum / values.length;
    }
    case "bin": {
      const a = evaluateColumnExpr(e.left, scope);
      const b = evaluateColumnExpr(e.right, scope);
      if (a === undefined || b === undefined) return undefined;
      if (e.op === "+") return a + b;
      if (e.op === "-") return a - b;
      if (e.op === "*") return a * b;
      return a / b;
    }
  }
}

/** Every path (and wildcard pattern) an expression reads. */
export function exprPaths(e: ColumnExpr): string[] {
  switch (e.kind) {
    case "num":
      return [];
    case "ref":
      return [e.path];
    case "fn":
      return [e.pattern];
    case "neg":
      return exprPaths(e.arg);
    case "bin":
      return [...exprPaths(e.left), ...exprPaths(e.right)];
  }
}
