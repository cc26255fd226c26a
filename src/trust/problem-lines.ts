/**
 * What a configuration error looks like on stderr: one line per problem, `<file>: <path>: <message>`
 * or `<file>: <message>`, and nothing else (no stack trace, no "Error:" banner).
 */

/** Lines of `stderr` that are not problem lines naming one of `sources` (files, or `--set`). */
export function badProblemLines(stderr: string, sources: readonly string[]): string[] {
  const lines = stderr.split("\n").filter((l) => l.trim() !== "");
  return lines.filter((line) => !isProblemLine(line, sources));
}

/** True when `line` reads `<source>: <message>` for one of `sources`, with a non-empty message and no stack frame. */
export function isProblemLine(line: string, sources: readonly string[]): boolean {
  if (/^\s+at /.test(line) || /^\w*Error\b/.test(line)) return false;
  for (const s of sources) {
    if (!line.startsWith(`${s}: `)) continue;
    const rest = line.slice(s.length + 2);
    if (rest.trim() === "") continue;
    // `--set "<override>": message` names the override itself.
    return true;
  }
  // An override names itself: --set "a.b=c": message
  const m = /^--set "(?:[^"\\]|\\.)*": \S/.exec(line);
  return m !== null && sources.includes("--set");
}

/** True when `text` shows signs of an uncaught exception (a stack frame or a Node error banner). */
export function looksLikeCrash(text: string): boolean {
  return /^\s+at .+(:\d+:\d+\)?|\(native\))$/m.test(text) || /^Node\.js v\d+/m.test(text) || /^\w*Error: /m.test(text);
}
