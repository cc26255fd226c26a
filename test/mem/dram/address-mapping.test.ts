import { describe, expect, it } from "vitest";
import { AddressMapping, parseMappingName, type DecodedAddress } from "../../../src/mem/dram/address-mapping.ts";

const org = { channels: 2, ranks: 2, bankGroups: 4, banksPerGroup: 4, rows: 65536, rowBytes: 8192, lineBytes: 64 };

function at(m: AddressMapping, addr: number): DecodedAddress {
  const d: DecodedAddress = { channel: 0, rank: 0, bankGroup: 0, bank: 0, row: 0, column: 0 };
  m.decode(addr, d);
  return d;
}

describe("address mapping", () => {
  it("RoBaRaCoCh alternates channels, then walks one row of one bank", () => {
    const m = new AddressMapping("row-bank-rank-column-channel", org);
    const seq = [0, 1, 2, 3].map((i) => at(m, i * 64));
    expect(seq.map((d) => d.channel)).toEqual([0, 1, 0, 1]);
    expect(seq.map((d) => d.column)).toEqual([0, 0, 1, 1]);
    expect(new Set(seq.map((d) => `${d.rank}.${d.bankGroup}.${d.bank}.${d.row}`)).size).toBe(1);
  });

  it("the bank-group-interleaved scheme sends consecutive lines of a channel to different bank groups", () => {
    const m = new AddressMapping("row-column-rank-bank-bankgroup-channel", org);
    const ch0 = [0, 2, 4, 6].map((i) => at(m, i * 64));
    expect(ch0.map((d) => d.channel)).toEqual([0, 0, 0, 0]);
    expect(ch0.map((d) => d.bankGroup)).toEqual([0, 1, 2, 3]);
    expect(at(m, 8 * 64)).toMatchObject({ bankGroup: 0, bank: 1, column: 0 });
  });

  it("the XOR scheme spreads same-bank, different-row addresses over banks", () => {
    const plain = new AddressMapping("row-bank-rank-column-channel", org);
    const xor = new AddressMapping("row-bank-rank-column-channel-xor", org);
    const rowStride = org.channels * org.ranks * 16 * org.rowBytes; // next row, same bank bits
    const addrs = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => r * rowStride);
    const bank = (m: AddressMapping, a: number) => {
      const d = at(m, a);
      return d.bank * org.bankGroups + d.bankGroup;
    };
    expect(new Set(addrs.map((a) => bank(plain, a))).size).toBe(1);
    expect(new Set(addrs.map((a) => bank(xor, a))).size).toBe(8);
  });

  it.each(["row-bank-rank-column-channel", "row-column-rank-bank-bankgroup-channel", "row-bank-rank-column-channel-xor", "channel-rank-bankgroup-bank-row-column"])(
    "%s: encode inverts decode",
    (name) => {
      const m = new AddressMapping(name, org);
      for (let i = 0; i < 200; i++) {
        const addr = ((i * 2654435761) % 2 ** 29) * 64; // below the 32 GiB capacity
        const d = at(m, addr);
        expect(m.encode(d.channel, d.rank, d.bankGroup, d.bank, d.row, d.column)).toBe(addr);
      }
    },
  );

  it("decodes addresses above 4 GiB without 32-bit truncation", () => {
    const m = new AddressMapping("row-bank-rank-column-channel", org);
    const hi = m.encode(1, 1, 3, 2, 40000, 100);
    expect(hi).toBeGreaterThan(2 ** 32);
    expect(at(m, hi)).toEqual({ channel: 1, rank: 1, bankGroup: 3, bank: 2, row: 40000, column: 100 });
  });

  it("wraps addresses beyond the capacity onto the row range", () => {
    const m = new AddressMapping("row-bank-rank-column-channel", org);
    const capacity = 2 * 2 * 16 * 65536 * 8192;
    expect(at(m, capacity + 4096)).toEqual(at(m, 4096));
  });

  it("rejects unknown fields, repeated fields and missing fields", () => {
    expect(parseMappingName("row-bank-rank-column-chanel")).toMatch(/unknown field "chanel"/);
    expect(parseMappingName("row-row-bank-rank-column-channel")).toMatch(/appears twice/);
    expect(parseMappingName("row-bank-column-channel")).toMatch(/lacks rank/);
  });

  it("the XOR scheme needs a power-of-two bank count", () => {
    expect(() => new AddressMapping("row-bank-rank-column-channel-xor", { ...org, banksPerGroup: 3 })).toThrow(/power-of-two/);
  });
});
