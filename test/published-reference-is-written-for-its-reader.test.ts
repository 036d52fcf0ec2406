// The published reference (generated/openapi.json, which `bw-codegen docs` renders) is written for the
// person reading it (issue 26): no description or summary names CONTRIBUTING.md, an x-bw keyword, a
// *.schema.json file or an issue, or says "Source:" (provenance lives in each schema's `$comment`, which the
// emitter drops); `info.version` is the package's version; messaging `time` is a `Timestamp`, not a
// `VoiceTimestamp`; a discriminant (eventType, OrderType) has a type, so the page does not say "any".
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "./support/cli.js";

const doc = JSON.parse(readFileSync(join(REPO_ROOT, "generated", "openapi.json"), "utf8"));
const INTERNAL = /CONTRIBUTING|x-bw|\.schema\.json|\bissue \d+|Source:/i;

/** Every string under a `description` / `summary` key, with its path. */
function prose(node: unknown, path = "", out: [string, string][] = []): [string, string][] {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) prose(v, `${path}[${i}]`, out);
  } else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if ((key === "description" || key === "summary") && typeof value === "string") out.push([`${path}/${key}`, value]);
      else if (key !== "examples" && key !== "example") prose(value, `${path}/${key}`, out);
    }
  }
  return out;
}

test("no description or summary carries internal notes (CONTRIBUTING.md, x-bw, schema files, issues, sources)", () => {
  const leaks = prose(doc).filter(([, text]) => INTERNAL.test(text)).map(([path, text]) => `${path}: …${text.match(INTERNAL)![0]}…`);
  assert.deepEqual(leaks, []);
  assert.ok(!JSON.stringify(doc).includes('"$comment"'), "$comment is dropped from the published document");
});

test("info.version is the package's version", () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
  assert.equal(doc.info.version, pkg.version);
});

test("messaging time is a Timestamp, not a VoiceTimestamp", () => {
  const schemas = doc.components.schemas;
  assert.equal(schemas.VoiceTimestamp, undefined);
  assert.equal(schemas.MessageReceivedCallback.properties.time.$ref, "#/components/schemas/Timestamp");
});

test("every const or string enum in a schema has a type (no 'any' on the page)", () => {
  const untyped: string[] = [];
  const walk = (node: unknown, path: string, inProperties: boolean): void => {
    if (Array.isArray(node)) {
      for (const [i, v] of node.entries()) walk(v, `${path}[${i}]`, false);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    if (!inProperties && ("const" in n || "enum" in n) && n.type === undefined && n.$ref === undefined) untyped.push(path);
    for (const [key, value] of Object.entries(n)) if (key !== "examples") walk(value, `${path}/${key}`, !inProperties && (key === "properties" || key === "patternProperties"));
  };
  walk(doc.components.schemas, "", false);
  assert.deepEqual(untyped, []);
  assert.equal(doc.components.schemas.AnswerCallback.properties.eventType.type, "string");
});
