import { describe, expect, it } from "vitest";
import { reproduceHetero } from "../../../src/repro/hetero-repro.ts";
import { KiB, MiB, machine } from "./helpers.ts";

describe("hopsim repro hetero (small sizes)", () => {
  const r = reproduceHetero(machine("machines/gpu-node.yaml"), machine("machines/apu.yaml"), {
    copySizes: [16 * KiB, 2 * MiB],
    streamBytes: 4 * MiB,
    deviceMemBytes: 4 * MiB,
    belowBytes: 1 * MiB,
    aboveBytes: 6 * MiB,
    dmaDriverBytes: 128 * KiB,
  });
  const row = (id: string) => {
    const x = r.rows.find((y) => y.id === id);
    if (x === undefined) throw new Error(`no row ${id}`);
    return x;
  };

  it("has every row the issue names, with the copy bandwidths as fractions of the link's rate", () => {
    for (const id of ["DMA_H2D_GBS", "DMA_D2H_GBS", "GPU_STREAM_GBS", "MMIO_READ_NS", "DRAM_READ_NS", "IOTLB_MISS_NS", "IOMMU_STRICT_GBS", "IOMMU_BATCHED_GBS"]) expect(Number.isFinite(row(id).simulated)).toBe(true);
    expect(r.linkTheoreticalGBs).toBeCloseTo(31.5, 1);
    expect(row("DMA_H2D_GBS").fraction).toBeCloseTo(row("DMA_H2D_GBS").simulated / 31.5, 2);
    expect(r.copies[0].h2dGBs).toBeLessThan(r.copies[1].h2dGBs);
  });

  it("orders the costs as the mechanisms say", () => {
    expect(row("MMIO_READ_NS").simulated).toBeGreaterThan(5 * row("DRAM_READ_NS").simulated);
    expect(row("IOMMU_BATCHED_GBS").simulated).toBeGreaterThan(2 * row("IOMMU_STRICT_GBS").simulated);
    // Unified memory pays far faults; zero-copy pays the link on every access; the copy pays once.
    expect(row("MEM_ONDEMAND_BELOW").simulated).toBeGreaterThan(row("MEM_COPY_BELOW").simulated);
    expect(Number.isNaN(row("MEM_COPY_ABOVE").simulated)).toBe(true);
    expect(row("MEM_ONDEMAND_ABOVE").detail?.evictions ?? 0).toBeGreaterThan(0);
    expect(row("DMA_NONCOHERENT_H2D_US").simulated).toBeGreaterThan(row("DMA_COHERENT_H2D_US").simulated);
  });
});
