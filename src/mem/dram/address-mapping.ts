/**
 * Physical address -> (channel, rank, bank group, bank, row, column) for one DRAM system.
 *
 * A scheme is named by its fields from most to least significant, joined by dashes; below the
 * least significant field sits the byte offset inside a line (`lineBytes`). Field names: `row`,
 * `column` (the line index inside a row), `rank`, `channel`, and either `bankgroup` and `bank`
 * separately or `bank` alone, which then means the whole bank index of a rank with the bank
 * group in its low part. A trailing `-xor` hashes the bank index with the low row bits.
 * The documented schemes (MAPPING_SCHEMES) are:
 *
 * - `row-bank-rank-column-channel` (RoBaRaCoCh): consecutive lines alternate channels, then walk
 *   along one row of one bank; a stream keeps hitting the same bank, so successive column
 *   commands are tCCD_L apart on devices with bank groups.
 * - `row-column-rank-bank-bankgroup-channel` (bank-group interleaved): after the channel, the
 *   bank group is the next field, so consecutive lines of a channel go to different bank groups
 *   and column commands can follow each other at tCCD_S; all banks keep the same row open, and a
 *   stream moves to the next column of every bank before it changes rows.
 * - `row-bank-rank-column-channel-xor` (permutation-based interleaving, Zhang et al., MICRO 2000):
 *   RoBaRaCoCh with the bank index XORed with the low row bits, so rows that would conflict in
 *   one bank (same bank bits, different rows, e.g. arrays at a power-of-two stride) spread over
 *   the banks; needs a power-of-two bank count.
 *
 * Field counts need not be powers of two: each field is `floor(addr / divisor) % count`, done in
 * doubles so addresses above 4 GiB decode exactly (bit operators would truncate to 32 bits).
 * Addresses above the capacity wrap (the row is taken modulo the row count).
 */

/** One field of a mapping scheme name. */
export type MappingField = "row" | "column" | "rank" | "bankgroup" | "bank" | "channel";

/** Where an address lives; `decode` writes into an object of this shape (no allocation). */
export interface DecodedAddress {
  /** Channel index. */
  channel: number;
  /** Rank within the channel. */
  rank: number;
  /** Bank group within the rank. */
  bankGroup: number;
  /** Bank within the bank group. */
  bank: number;
  /** Row within the bank. */
  row: number;
  /** Line index within the row. */
  column: number;
}

/** The sizes a mapping needs: counts of each field and the line size. */
export interface MappingOrganisation {
  /** Channels. */
  channels: number;
  /** Ranks per channel. */
  ranks: number;
  /** Bank groups per rank. */
  bankGroups: number;
  /** Banks per bank group. */
  banksPerGroup: number;
  /** Rows per bank. */
  rows: number;
  /** Bytes per row (so rowBytes / lineBytes columns). */
  rowBytes: number;
  /** Bytes per line (the interleaving unit). */
  lineBytes: number;
}

/** The documented schemes and what each is for. */
export const MAPPING_SCHEMES: Readonly<Record<string, string>> = {
  "row-bank-rank-column-channel": "RoBaRaCoCh: lines alternate channels, then run along one row of one bank",
  "row-column-rank-bank-bankgroup-channel": "bank-group interleaved: consecutive lines of a channel go to different bank groups (tCCD_S apart)",
  "row-bank-rank-column-channel-xor": "RoBaRaCoCh with the bank index XORed with the low row bits (spreads same-bank row conflicts)",
};

/** A parsed scheme name: fields from most to least significant and whether the bank index is hashed. */
export interface MappingScheme {
  /** Fields, most significant first; `bank` without `bankgroup` is the whole bank index. */
  fields: MappingField[];
  /** XOR the bank index with the low row bits. */
  xor: boolean;
}

const ALL_FIELDS: readonly MappingField[] = ["row", "column", "rank", "bankgroup", "bank", "channel"];

/** Parses a scheme name; returns an explanation instead when the name is not a valid scheme. */
export function parseMappingName(name: string): MappingScheme | string {
  const parts = name.split("-");
  let xor = false;
  if (parts[parts.length - 1] === "xor") {
    xor = true;
    parts.pop();
  }
  const seen = new Set<string>();
  for (const f of parts) {
    if (!(ALL_FIELDS as readonly string[]).includes(f)) return `unknown field "${f}" in mapping "${name}" (fields: ${ALL_FIELDS.join(", ")}, optional suffix -xor)`;
    if (seen.has(f)) return `field "${f}" appears twice in mapping "${name}"`;
    seen.add(f);
  }
  const needed = seen.has("bankgroup") ? ALL_FIELDS : ALL_FIELDS.filter((f) => f !== "bankgroup");
  const missing = needed.filter((f) => !seen.has(f));
  if (missing.length > 0) return `mapping "${name}" lacks ${missing.join(", ")} (known schemes: ${Object.keys(MAPPING_SCHEMES).join(", ")})`;
  return { fields: parts as MappingField[], xor };
}

// Field slots in the divisor/count tables.
const ROW = 0;
const COL = 1;
const RANK = 2;
const BG = 3;
const BANK = 4;
const CH = 5;

/** Decodes physical addresses for one organisation and one scheme; built once, used per request. */
export class AddressMapping {
  /** Scheme name as given. */
  readonly name: string;
  /** Whether the bank index is XOR-hashed with the low row bits. */
  readonly xor: boolean;
  /** True when `bank` stands for the whole bank index (bank group in its low part). */
  readonly combinedBank: boolean;
  private readonly divisors: Float64Array;
  private readonly counts: Float64Array;
  private readonly bankGroups: number;
  private readonly banksPerRank: number;

  constructor(name: string, org: MappingOrganisation) {
    const scheme = parseMappingName(name);
    if (typeof scheme === "string") throw new Error(scheme);
    this.name = name;
    this.xor = scheme.xor;
    this.combinedBank = !scheme.fields.includes("bankgroup");
    this.bankGroups = org.bankGroups;
    this.banksPerRank = org.bankGroups * org.banksPerGroup;
    if (this.xor && (this.banksPerRank & (this.banksPerRank - 1)) !== 0) {
      throw new Error(`mapping "${name}" XORs the bank index, which needs a power-of-two bank count (got ${this.banksPerRank})`);
    }
    this.divisors = new Float64Array(6);
    this.counts = new Float64Array(6);
    const count: Record<MappingField, number> = {
      row: org.rows,
      column: org.rowBytes / org.lineBytes,
      rank: org.ranks,
      bankgroup: org.bankGroups,
      bank: this.combinedBank ? this.banksPerRank : org.banksPerGroup,
      channel: org.channels,
    };
    const slot: Record<MappingField, number> = { row: ROW, column: COL, rank: RANK, bankgroup: BG, bank: BANK, channel: CH };
    let div = org.lineBytes;
    for (let i = scheme.fields.length - 1; i >= 0; i--) {
      const f = scheme.fields[i];
      this.divisors[slot[f]] = div;
      this.counts[slot[f]] = count[f];
      div *= count[f];
    }
    if (this.combinedBank) {
      this.divisors[BG] = 1;
      this.counts[BG] = 1;
    }
  }

  /** Channel of an address (what a DramSystem needs to route a request). */
  channelOf(addr: number): number {
    return Math.floor(addr / this.divisors[CH]) % this.counts[CH];
  }

  /** Writes the location of `addr` into `out`. */
  decode(addr: number, out: DecodedAddress): void {
    const d = this.divisors;
    const c = this.counts;
    const row = Math.floor(addr / d[ROW]) % c[ROW];
    out.channel = Math.floor(addr / d[CH]) % c[CH];
    out.rank = Math.floor(addr / d[RANK]) % c[RANK];
    out.row = row;
    out.column = Math.floor(addr / d[COL]) % c[COL];
    // Whole bank index with the bank group in its low part; the hash permutes it per row.
    let idx = this.combinedBank
      ? Math.floor(addr / d[BANK]) % c[BANK]
      : (Math.floor(addr / d[BANK]) % c[BANK]) * this.bankGroups + (Math.floor(addr / d[BG]) % c[BG]);
    if (this.xor) idx ^= row % this.banksPerRank;
    out.bankGroup = idx % this.bankGroups;
    out.bank = Math.floor(idx / this.bankGroups);
  }

  /** The lowest address of a line at the given location (the inverse of decode, for tests and traffic generators). */
  encode(channel: number, rank: number, bankGroup: number, bank: number, row: number, column: number): number {
    const d = this.divisors;
    let idx = bank * this.bankGroups + bankGroup;
    if (this.xor) idx ^= row % this.banksPerRank;
    let addr = row * d[ROW] + column * d[COL] + rank * d[RANK] + channel * d[CH];
    if (this.combinedBank) addr += idx * d[BANK];
    else addr += Math.floor(idx / this.bankGroups) * d[BANK] + (idx % this.bankGroups) * d[BG];
    return addr;
  }
}
