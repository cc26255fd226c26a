// Worker-thread entry of the sweep pool. Node does not load .ts files by itself, and a worker
// thread does not inherit the main thread's tsx hooks, so this registers tsx before importing
// the TypeScript task function.
import { register } from "tsx/esm/api";

register();
const mod = await import("./sweep-worker.ts");

export default mod.default;
