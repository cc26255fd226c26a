import { describe, expect, it } from "vitest";
import { StatsRegistry } from "../../../src/stats/registry.ts";
import { MessagePool } from "../../../src/kernel/message.ts";
import {
  coherentLinkConfig,
  completionTlpBytes,
  DllpCounter,
  onDieLinkConfig,
  payloadEfficiency,
  pcieLinkConfig,
  pcieSkpFraction,
  pcieTheoreticalBytesPerNs,
  pcieTlpFramingBytes,
  readRequestTlpBytes,
  writeTlpBytes,
} from "../../../src/accel/pcie.ts";

describe("PCIe link arithmetic", () => {
  it("gives the theoretical rate per generation (x16, one direction)", () => {
    const rates = ([1, 2, 3, 4, 5] as const).map((g) => pcieTheoreticalBytesPerNs(g, 16));
    console.log("x16 GB/s per direction, gen1..gen5:", rates.map((r) => r.toFixed(3)).join(" "));
    expect(rates[0]).toBeCloseTo(4.0, 6);
    expect(rates[1]).toBeCloseTo(8.0, 6);
    expect(rates[2]).toBeCloseTo(15.75, 1);
    expect(rates[3]).toBeCloseTo(31.5, 1);
    expect(rates[4]).toBeCloseTo(63.0, 1);
    // Lanes scale linearly.
    expect(pcieTheoreticalBytesPerNs(4, 8)).toBeCloseTo(rates[3] / 2, 9);
  });

  it("sizes TLPs from framing and header fields", () => {
    const c = pcieLinkConfig({ gen: 4 });
    expect(pcieTlpFramingBytes(2)).toBe(1 + 2 + 4 + 1);
    expect(pcieTlpFramingBytes(4)).toBe(4 + 4);
    // 32-bit request header below 4 GiB, 64-bit above; completions carry a 12-byte header.
    expect(readRequestTlpBytes(c, 0x1000)).toBe(8 + 12);
    expect(readRequestTlpBytes(c, 2 ** 33)).toBe(8 + 16);
    expect(writeTlpBytes(c, 2 ** 33, 256)).toBe(8 + 16 + 256);
    expect(completionTlpBytes(c, 64)).toBe(8 + 12 + 64);
    // Defaults.
    expect([c.maxPayloadBytes, c.maxReadRequestBytes, c.completionBytes, c.tags]).toEqual([256, 512, 64, 256]);
    // SKP ordered sets take a small slice of the line: one block in 371 on gen3+.
    expect(c.bytesPerNs).toBeCloseTo(c.theoreticalBytesPerNs * (1 - pcieSkpFraction(4)), 9);
    expect(pcieSkpFraction(4)).toBeCloseTo(1 / 371, 9);
    // A 64-byte completion stream delivers 64/84 of the (SKP-reduced) line.
    expect(payloadEfficiency(c, 64, 12)).toBeCloseTo((64 / 84) * (1 - 1 / 371), 9);
  });

  it("rejects impossible parameters", () => {
    expect(() => pcieLinkConfig({ gen: 4, lanes: 3 })).toThrow(/lanes/);
    expect(() => pcieLinkConfig({ gen: 4, maxPayloadBytes: 300 })).toThrow(/payload/);
    expect(() => pcieLinkConfig({ gen: 4, completionBytes: 32 })).toThrow(/completion/);
  });

  it("builds coherent and on-die flavours from their own parameters", () => {
    // HyperTransport 3: 32 bits wide at 3.2 GHz, double data rate.
    const ht = coherentLinkConfig({ widthBits: 32, clockGHz: 3.2 });
    expect(ht.theoreticalBytesPerNs).toBeCloseTo(25.6, 9);
    expect(ht.framingBytes).toBe(0);
    expect(ht.dllpBytes).toBe(0);
    expect(completionTlpBytes(ht, 64)).toBe(4 + 64);
    const die = onDieLinkConfig({ bytesPerNs: 128, latencyPs: 3000 });
    expect(die.bytesPerNs).toBe(128);
    expect(die.latencyPs).toBe(3000);
  });

  it("sends an ACK and an UpdateFC DLLP per N TLPs received", () => {
    const stats = new StatsRegistry();
    const pool = new MessagePool();
    const d = new DllpCounter(stats, "x", pcieLinkConfig({ gen: 3, ackEveryTlps: 4, updateFcEveryTlps: 8 }));
    let bytes = 0;
    for (let i = 0; i < 64; i++) bytes += d.tlpReceived();
    // 16 ACKs and 8 UpdateFCs of 8 bytes.
    expect(bytes).toBe((16 + 8) * 8);
    expect(stats.value("x.dllpsSent")).toBe(24);
    expect(d.dllp(pool, 16).sizeBytes).toBe(16);
  });
});
