import type { MachineSpec } from "../../src/config/machine-spec.ts";
import { machine } from "../integration/numa-helpers.ts";
import { cachesOff, withTlb } from "../../src/repro/vm-repro.ts";

export { refsPerWalk, stat, vmRun } from "../../src/repro/vm-repro.ts";

/** The 2-socket K8 with translation timed and every walk-shortening cache off, plus overrides. */
export function k8(...sets: string[]): MachineSpec {
  return cachesOff(machine("machines/opteron-2p.yaml", ...sets));
}

/** The 2-socket Skylake-SP with translation timed (its TLB presets), plus overrides. */
export function skylake(...sets: string[]): MachineSpec {
  return withTlb(machine("machines/xeon-2s.yaml", ...sets));
}

/** The 2-socket K8 with translation timed, its own TLB values and the overrides (caches as set). */
export function k8With(...sets: string[]): MachineSpec {
  return withTlb(machine("machines/opteron-2p.yaml", ...sets));
}
