import { readFileSync } from "node:fs";

/** hopsim's version, from package.json. */
export const HOPSIM_VERSION: string = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
