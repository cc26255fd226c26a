// The DRAM model's public surface: build a memory from a spec, or drive the pieces directly.
export { AddressMapping, MAPPING_SCHEMES, parseMappingName, type DecodedAddress, type MappingScheme } from "./address-mapping.ts";
export { DRAM_CMD_NAMES, DramCmd, type CommandObserver } from "./dram-command.ts";
export { DramController, type DramControllerOptions } from "./dram-controller.ts";
export { burstBytes, burstCycles, channelPeakBytesPerNs, checkDramParams, type DramParams, type PagePolicy, type RefreshMode } from "./dram-params.ts";
export { buildDram, DRAM_SPEC_FIELDS, DramSpec, resolveDramParams, type BuildDramOptions, type DramSpecInput } from "./dram-spec.ts";
export { DramSystem, type DramSystemOptions } from "./dram-system.ts";
export { DirectConnection } from "./direct-connection.ts";
export { measureIdleLatencies, type IdleLatencies } from "./idle-latency.ts";
export { formatViolation, ProtocolChecker, type DramViolation } from "./protocol-checker.ts";
export { RequestPlayer } from "./request-player.ts";
export { randomTrace, sequentialTrace, type RequestTrace } from "./request-trace.ts";
export { runSystemTrace, type SystemRun } from "./system-bandwidth.ts";
export { parseTrace, runTrace, TraceFormatError, type TraceResult } from "./trace-frontend.ts";
export { DRAM_PRESETS, type DramPreset } from "../presets/dram-presets.ts";
