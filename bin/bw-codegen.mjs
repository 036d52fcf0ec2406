#!/usr/bin/env node
// Entry point of the `bw-codegen` command: loads the TypeScript CLI through tsx (no build step).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../generator/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
