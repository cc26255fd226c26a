import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

let counter = 0;

/** Writes a file atomically: the text goes to a temporary name beside it, which is then renamed. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${counter++}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
