// The GPU agent's public surface: the agent, its parameters, its kernels and its tag arrays.
export { GpuAgent, type GpuKernelResult } from "./gpu-agent.ts";
export { GpuCache } from "./gpu-cache.ts";
export { decodeKernel, GpuOp, KERNEL_ARRAYS, type DecodedKernel, type GpuKernel, type GpuKernelKind } from "./gpu-kernel.ts";
export {
  checkGpuParams,
  GPU_DEFAULTS,
  resolveGpuParams,
  type GpuL1Params,
  type GpuL1TlbParams,
  type GpuL2Params,
  type GpuL2TlbParams,
  type GpuParams,
  type GpuParamsInput,
} from "./gpu-params.ts";
export { GpuTlb } from "./gpu-tlb.ts";
