import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { E2E_MACHINE } from "../../src/bench/end-to-end.ts";
import { GPU_BENCH_MACHINE } from "../../src/bench/gpu-bench.ts";
import { loadConfigFile } from "../../src/config/load.ts";
import { MachineSpec } from "../../src/config/machine-spec.ts";

const home = process.cwd();
afterEach(() => process.chdir(home));

describe("hopsim bench's machines", () => {
  it("load from a folder other than the checkout", () => {
    process.chdir(mkdtempSync(join(tmpdir(), "hopsim-bench-")));
    expect(loadConfigFile(E2E_MACHINE, MachineSpec).name).toBe("opteron-4p");
    expect(loadConfigFile(GPU_BENCH_MACHINE, MachineSpec).name).toBe("gpu-node");
  });
});
