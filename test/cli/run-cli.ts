import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Runs the hopsim CLI in a child process and returns its exit code and output. `killAfterMs`
 * guards against a command that never ends (it is then killed and its code is -1); it is not a
 * measure of speed.
 */
export function hopsim(args: string[], cwd = ROOT, killAfterMs?: number): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", `${ROOT}/src/cli/main.ts`, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    ...(killAfterMs === undefined ? {} : { timeout: killAfterMs }),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
