import { DDR3_1600, DDR4_2400, DDR4_2666, DDR4_3200, DDR5_4800, DDR_400 } from "./ddr.ts";
import type { DramPreset } from "./dram-preset.ts";
import { GDDR6 } from "./gddr6.ts";
import { HBM2, HBM3 } from "./hbm.ts";
import { NVM_OPTANE } from "./nvm-optane.ts";

export type { DramPreset } from "./dram-preset.ts";

/** Every memory part a machine file or `hopsim dram --preset` can name, by name (see each preset for its source). */
export const DRAM_PRESETS: Readonly<Record<string, DramPreset>> = Object.freeze({
  "ddr-400": DDR_400,
  "ddr3-1600": DDR3_1600,
  "ddr4-2400": DDR4_2400,
  "ddr4-2666": DDR4_2666,
  "ddr4-3200": DDR4_3200,
  "ddr5-4800": DDR5_4800,
  hbm2: HBM2,
  hbm3: HBM3,
  gddr6: GDDR6,
  "nvm-optane": NVM_OPTANE,
});
