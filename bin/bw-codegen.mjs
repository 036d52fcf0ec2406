#!/usr/bin/env node
// Entry point of the `bw-codegen` command. In an installed package it runs the CLI compiled to JavaScript
// at pack time (generator/**/*.js, no TypeScript needed); in a checkout, where the TypeScript sources are,
// it runs them through tsx (a devDependency), so there is no build step while developing.
import { existsSync } from "node:fs";

const source = new URL("../generator/cli/main.ts", import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import("../generator/cli/main.js"));
}
process.exitCode = await main(process.argv.slice(2));
