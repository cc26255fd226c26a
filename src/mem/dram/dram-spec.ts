import { z } from "zod";
import { issueMessage } from "../../config/errors.ts";
import { Duration, Size } from "../../config/units.ts";
import type { Simulator } from "../../kernel/simulator.ts";
import type { StatsRegistry } from "../../stats/registry.ts";
import { DRAM_PRESETS } from "../presets/dram-presets.ts";
import { AddressMapping, parseMappingName } from "./address-mapping.ts";
import { checkDramParams } from "./dram-params.ts";
import type { DramSystem } from "./dram-system.ts";
import { buildValidatedDram, resolveDramParams, type BuildDramOptions } from "./build-dram.ts";

// `hopsim dram` prints these issues' messages as zod gives them, so they are worded here.
const worded = { error: issueMessage };
const Count = z.number(worded).int(worded).positive(worded);
const Cycles = z.number(worded).int(worded).nonnegative(worded);

/**
 * A memory as a machine file (or `hopsim dram --set`) describes it: a preset name and any fields
 * to override. Timing fields are in memory-clock cycles (tCK), as JEDEC tables give them; `tCK`
 * itself is a duration ("0.833ns", or a number of ps); byte sizes accept "1KiB"-style strings.
 * An unknown preset is an issue on `preset` listing the known ones; the resolved parameter set is
 * checked as a whole (cross-field rules) and each problem reported on its field.
 */
export const DramSpec = z
  .strictObject({
    /** Preset name (a key of DRAM_PRESETS). */
    preset: z.string(),
    /** Memory clock period, a duration (plain numbers are ps). */
    tCK: Duration.optional(),
    channels: Count.max(64, worded).optional(),
    ranks: Count.max(16, worded).optional(),
    bankGroups: Count.max(16, worded).optional(),
    banksPerGroup: Count.max(64, worded).optional(),
    rows: Count.max(2 ** 24, worded).optional(),
    rowBytes: Size.optional(),
    lineBytes: Size.optional(),
    busBytes: Size.optional(),
    burstLength: Count.optional(),
    beatsPerClock: Count.optional(),
    tCL: Count.optional(),
    tCWL: Cycles.optional(),
    tRCD: Count.optional(),
    tRP: Count.optional(),
    tRAS: Cycles.optional(),
    tRC: Cycles.optional(),
    tCCD_S: Count.optional(),
    tCCD_L: Count.optional(),
    tRRD_S: Cycles.optional(),
    tRRD_L: Cycles.optional(),
    tFAW: Cycles.optional(),
    tWTR_S: Cycles.optional(),
    tWTR_L: Cycles.optional(),
    tWR: Cycles.optional(),
    tRTP: Cycles.optional(),
    tRTRS: Cycles.optional(),
    tRFC: Cycles.optional(),
    tREFI: Cycles.optional(),
    tRFCpb: Cycles.optional(),
    tREFIpb: Cycles.optional(),
    refresh: z.enum(["all-bank", "per-bank", "none"], worded).optional(),
    mapping: z.string().optional(),
    pagePolicy: z.enum(["open", "closed", "adaptive"], worded).optional(),
    idleCloseCycles: Cycles.optional(),
    readQueue: Count.max(4096, worded).optional(),
    writeQueue: Count.max(4096, worded).optional(),
    writeHighWatermark: Count.optional(),
    writeLowWatermark: Cycles.optional(),
    rowHitCap: Count.optional(),
    minWritesPerSwitch: Cycles.optional(),
  })
  .superRefine((spec, ctx) => {
    if (!Object.hasOwn(DRAM_PRESETS, spec.preset)) {
      ctx.addIssue({
        code: "custom",
        path: ["preset"],
        message: `unknown DRAM preset "${spec.preset}"; known presets: ${Object.keys(DRAM_PRESETS).join(", ")}`,
      });
      return;
    }
    const p = resolveDramParams(spec);
    // A field its own schema refused already has its problem: the whole-set check would repeat it.
    const refused = new Set(ctx.issues.map((i) => i.path?.[0]));
    for (const problem of checkDramParams(p)) {
      const field = problem.field === "tCKps" ? "tCK" : problem.field;
      if (!refused.has(field)) ctx.addIssue({ code: "custom", path: [field], message: problem.message });
    }
    const scheme = parseMappingName(p.mapping);
    if (typeof scheme === "string") ctx.addIssue({ code: "custom", path: ["mapping"], message: scheme });
    else {
      try {
        new AddressMapping(p.mapping, p);
      } catch (e) {
        ctx.addIssue({ code: "custom", path: ["mapping"], message: (e as Error).message });
      }
    }
  });

/** A validated memory description (units converted). */
export type DramSpec = z.infer<typeof DramSpec>;

/** A memory description as written, before validation (unit strings allowed). */
export type DramSpecInput = z.input<typeof DramSpec>;

/** Names of the fields a DramSpec accepts (for `--set` suggestions). */
export const DRAM_SPEC_FIELDS: readonly string[] = Object.keys(DramSpec.shape);

/** Builds the memory a spec describes (validating it first; throws a ZodError if it is invalid). */
export function buildDram(sim: Simulator, stats: StatsRegistry, name: string, spec: DramSpecInput, options: BuildDramOptions = {}): DramSystem {
  return buildValidatedDram(sim, stats, name, DramSpec.parse(spec), options);
}

export { buildValidatedDram, resolveDramParams, type BuildDramOptions } from "./build-dram.ts";
