import type { Simulator } from "../../kernel/simulator.ts";
import type { StatsRegistry } from "../../stats/registry.ts";
import { DRAM_PRESETS } from "../presets/dram-presets.ts";
import { banksPerRank, type DramParams } from "./dram-params.ts";
import type { DramSpec } from "./dram-spec.ts";
import { DramSystem, type DramSystemOptions } from "./dram-system.ts";
import { ProtocolChecker } from "./protocol-checker.ts";

// Kept free of zod so that simulations (and sweep workers) need not load the schema library.

/**
 * The full parameter set of a validated spec: the preset's values with the given fields replaced.
 * Dependent defaults follow their inputs: tRC becomes tRAS + tRP when either is overridden, tREFIpb
 * becomes tREFI / banks when tREFI or the bank count changes, and the write watermarks scale with
 * an overridden write-queue size (3/4 and 1/4) unless given.
 */
export function resolveDramParams(spec: DramSpec): DramParams {
  const preset = DRAM_PRESETS[spec.preset];
  if (preset === undefined) throw new Error(`unknown DRAM preset "${spec.preset}"; known presets: ${Object.keys(DRAM_PRESETS).join(", ")}`);
  const { description: _description, ...base } = preset;
  const { preset: _name, tCK, ...overrides } = spec;
  const p: DramParams = { ...base };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (p as unknown as Record<string, unknown>)[k] = v;
  if (tCK !== undefined) p.tCKps = tCK;
  if (spec.tRC === undefined && (spec.tRAS !== undefined || spec.tRP !== undefined)) p.tRC = p.tRAS + p.tRP;
  if (spec.tREFIpb === undefined && (spec.tREFI !== undefined || spec.bankGroups !== undefined || spec.banksPerGroup !== undefined)) {
    p.tREFIpb = Math.floor(p.tREFI / banksPerRank(p));
  }
  if (spec.writeQueue !== undefined) {
    if (spec.writeHighWatermark === undefined) p.writeHighWatermark = Math.max(1, Math.ceil((spec.writeQueue * 3) / 4));
    if (spec.writeLowWatermark === undefined) p.writeLowWatermark = Math.min(p.writeHighWatermark - 1, Math.floor(spec.writeQueue / 4));
  }
  return p;
}

/** Options of buildDram. */
export interface BuildDramOptions extends DramSystemOptions {
  /** Attach a ProtocolChecker to every channel (available as `system.checker`). */
  check?: boolean;
}

/** Builds the memory an already validated spec describes. */
export function buildValidatedDram(sim: Simulator, stats: StatsRegistry, name: string, spec: DramSpec, options: BuildDramOptions = {}): DramSystem {
  const params = resolveDramParams(spec);
  const checker = options.checker ?? (options.check === true ? new ProtocolChecker(params) : null);
  return new DramSystem(sim, stats, name, params, { checker, observers: options.observers ?? [], channelBacklog: options.channelBacklog ?? 0 });
}
