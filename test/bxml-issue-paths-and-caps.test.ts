// BXML issues are capped while they are collected (at most 100 errors and 100 warnings per document), and
// element paths keep their exact sibling ordinals (`/Response/Pause[3]`) now that they are computed from a
// per-check cache instead of counting preceding siblings for every issue. The cost per KB of these
// documents is measured in bench/xml-scaling.ts, not here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseBxml, validateBxml } from "../generated/bxml/index.js";

test("errors and warnings are each capped at 100, with the first ones kept in document order", () => {
  const unknown = parseBxml(`<Response>${"<Foo/>".repeat(5000)}</Response>`, { maxBytes: 1 << 20 });
  assert.equal(unknown.ok, false);
  if (unknown.ok) return;
  assert.equal(unknown.errors.length, 100);
  assert.equal(unknown.errors[0].path, "/Response/Foo[1]");
  assert.equal(unknown.errors[99].path, "/Response/Foo[100]");

  const warned = parseBxml(`<Response>${'<Pause duration="1" x="1"/>'.repeat(500)}</Response>`, { maxBytes: 1 << 20 });
  assert.equal(warned.ok, true);
  assert.equal(warned.warnings.length, 100);
  assert.equal(warned.warnings[99].path, "/Response/Pause[100]/@x");
});

test("paths count only the siblings of the same name, in mixed lists", () => {
  const result = parseBxml('<Response><Pause duration="1"/><Hangup/><Pause duration="0"/><Foo/><Pause duration="x"/><Foo/></Response>');
  assert.equal(result.ok, false);
  if (result.ok) return;
  const paths = result.errors.map((error) => error.path).sort();
  assert.deepEqual(paths, ["/Response/Foo[1]", "/Response/Foo[2]", "/Response/Pause[2]/@duration", "/Response/Pause[3]/@duration"].sort());
});

test("a tree changed between two checks is described with fresh ordinals", () => {
  const tree = { name: "Response", attributes: {}, children: [{ name: "Pause", attributes: { duration: 0 }, children: [] }] as object[] };
  const first = validateBxml(tree as never);
  assert.deepEqual(first.ok ? [] : first.errors.map((e) => e.path), ["/Response/Pause[1]/@duration"]);
  tree.children.unshift({ name: "Pause", attributes: { duration: 1 }, children: [] });
  const second = validateBxml(tree as never);
  assert.deepEqual(second.ok ? [] : second.errors.map((e) => e.path), ["/Response/Pause[2]/@duration"]);
});
