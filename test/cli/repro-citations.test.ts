// The reproductions' headings cite the published sources themselves, not documents that are not
// part of hopsim. The formatters are called directly: running the reproductions takes minutes.
import { describe, expect, it } from "vitest";
import { formatHeteroRepro, formatNumaRepro, formatVmRepro } from "../../src/cli/commands/repro.ts";
import type { HeteroRepro } from "../../src/repro/hetero-repro.ts";
import type { NumaRepro } from "../../src/repro/numa-repro.ts";

const numa = formatNumaRepro({ machine: "opteron-4p", rows: [], testLoad: [], placement: [] } as unknown as NumaRepro);
const vm = formatVmRepro("xeon-2s", []);
const hetero = formatHeteroRepro({ machine: "gpu-node", apu: "apu", linkTheoreticalGBs: 31.5, copies: [], rows: [] } as unknown as HeteroRepro);

describe("repro headings", () => {
  it("cite no document outside the published sources", () => {
    for (const text of [numa, vm, hetero]) expect(text).not.toMatch(/SEED-FACTS|CALIBRATION/);
  });

  it("numa cites AMD's measurements and Drepper's section and figures", () => {
    expect(numa.split("\n")[0]).toBe('Remote-access costs on opteron-4p (AMD pub. 40555 figs. 4-5; Drepper, "What Every Programmer Should Know About Memory" §5.4, figs. 5.2-5.4)');
  });

  it("vm cites Drepper on translation and Bhattacharjee & Lustig on virtualization", () => {
    const head = vm.split("\n")[0]!;
    expect(head).toContain('Drepper, "What Every Programmer Should Know About Memory" §4');
    expect(head).toContain('Bhattacharjee & Lustig, "Architectural and Operating System Support for Virtual Memory"');
  });

  it("hetero cites Bhattacharjee & Lustig on heterogeneous systems", () => {
    expect(hetero.split("\n")[0]).toContain('Bhattacharjee & Lustig, "Architectural and Operating System Support for Virtual Memory" (2017), chapter on heterogeneity and virtualization');
  });
});
