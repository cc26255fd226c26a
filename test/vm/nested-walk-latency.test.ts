import { describe, expect, it } from "vitest";
import { k8, stat, vmRun } from "./helpers.ts";

const MiB = 2 ** 20;
const latency = (guest?: "nested" | "shadow") =>
  stat(vmRun(k8(), { sizeBytes: 256 * MiB, accesses: 2000, populate: true, guest: guest ? { paging: guest, hostPageSize: 4096, vpid: true } : undefined }), "node0.core0.tlb.walker.walk.latencyPs");

describe("walk latency in a guest", () => {
  it("is longer for a nested 2D walk than for a native walk", () => {
    expect(latency("nested")).toBeGreaterThan(2 * latency());
  });

  it("is about native for a shadow-table walk", () => {
    const ratio = latency("shadow") / latency();
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
  });
});
