import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The folder hopsim is installed in (the checkout, or the package an installed hopsim runs from). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The path of a machine file that comes with hopsim, by file name: found beside the code, so a
 * default works from any current directory (a path the user gives stays relative to theirs).
 */
export function bundledMachine(file: string): string {
  return join(PACKAGE_ROOT, "machines", file);
}
