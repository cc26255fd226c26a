#!/usr/bin/env node
// Entry point for an installed hopsim: registers tsx, then runs the TypeScript CLI.
import { register } from "tsx/esm/api";
register();
await import("../src/cli/main.ts");
