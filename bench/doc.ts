/**
 * The text of docs/benchmarks.md around the results table that `npm run bench` measures: how each number
 * is taken, what the baselines are, and what we learned from profiles. bench/run.ts fills in the table.
 */

export function renderBenchmarksDoc(table: string, machine: string, notes: readonly string[]): string {
  return `# Benchmarks

<!-- Written by \`npm run bench\` (bench/run.ts, text in bench/doc.ts). Re-run it rather than editing the table. -->

Performance is measured here, never in timed tests. Every number is compared with the alternative a user
would otherwise pick, **in the same run**, and reported as a ratio. Run \`npm run bench\` (about 3 minutes;
\`npm run bench -- --only validators,http --groups node\` for a subset; \`--quick\` for a short smoke run).

## Results

${table}

Measured ${machine}.

${notes.length ? `${notes.join("\n\n")}\n\n` : ""}## How each number is taken

- **Import time** (\`bench/import-time.ts\`): \`node --input-type=module -e "await import(…)"\` is spawned 15 times
  per variant, variants interleaved. The headline is the child's extra **CPU time** (\`process.cpuUsage()\`
  after the import) over a bare start that imports an empty ES module, so the ESM loader set-up is in the
  baseline; CPU time is far less inflated by other load on the machine than wall-clock time, which is
  shown alongside (median wall-clock difference, and \`performance.now()\` around the import in the
  child). Baseline: what a user does without precompiled validators — read the voice schemas and compile
  them with ajv at start-up (\`bench/fixtures/ajv-startup.mjs\`).
- **Validators** (\`bench/validators.ts\`, \`bench/messaging.ts\`): tinybench, 200 calls per timed sample, median
  sample; the validator and \`JSON.parse\` of the same compact bytes run in the same bench. The naive
  alternative is ajv + ajv-formats enforcing \`date-time\`/\`uri\`/\`uuid\` (our schemas keep formats as
  annotations and check timestamps with a tolerant pattern instead).
- **Numbers** (\`bench/numbers.ts\`): \`validateNumbersXml\` (our DTD-free parser → JSON form → precompiled
  validator) on a 2-number order notification, against fast-xml-parser (strings kept, the number list forced
  to an array) + ajv compiled at start-up.
- **XML scaling** (\`bench/xml-scaling.ts\`, run with \`--expose-gc\`): the worst-case document shapes for the
  parsers (sibling text elements without \`&\`, attribute values on the slow path, \`parseBxml\` over unknown
  sibling elements and over unknown attributes, a numbers notification with repeated elements) at 8, 32,
  128 and 256 KiB. CPU time per call (\`process.cpuUsage()\`), minimum of 15 rounds that time every size in
  turn after a clean heap, divided by the size: the ratio is the cost per KB at 256 KiB over that at 8 KiB,
  ≤ 1.5× counts as flat (linear). Before the fix the same shapes grew 4.7–33× (each text segment searched
  to the end of the document for \`&\`; each BXML issue's path counted the preceding siblings; issues were
  capped only after all were collected). On a loaded machine single sizes jump by 2–3× between runs; the
  growth of a quadratic parse is far larger and steady. On the shared 2-core machine (load ≈ 15) the sibling-text \`parseXml\` case measured 1.0×–3.0× from
  run to run: the largest documents build a 23 000-element tree that outlives the young generation, so
  collection costs more per KB; it is not the algorithm (1 MiB → 4 MiB stays flat), and the same case grew
  10.7× before the fix (attribute case 15×, \`parseBxml\` unknown siblings 12–33×).
- **Socket frames** (\`bench/socket-messages.ts\`): tinybench as above. The runtime's row hands one 289-byte
  \`media\` text frame to a started stream's connection (\`createStreamServer\` → \`accept\` →
  \`connection.message\`, a socket that discards what is sent; \`onMedia\` keeps the bytes), against
  \`JSON.parse\` + ajv's compiled check + \`Buffer.from(payload, "base64")\`.
- **Concurrent streams** (\`bench/socket-load.ts\`): the server (an echo bot: every \`media\` frame answered by
  a \`playAudio\` of its bytes) and the load generator are separate processes pinned with \`taskset\` to core 0
  and core 1; the load opens N streams with Basic credentials and \`start\`, sends one 20 ms frame per
  stream every 20 ms (phases spread over the 20 ms) and times each frame to its echo; 1 s warm-up, 3 s
  measured per level, levels rising while every frame is echoed. Server CPU from \`/proc\`, RSS after a
  full GC minus the idle RSS. The load's own lateness is reported, so a starved load shows as such. Same
  run, same bot hand-written on \`ws\` + \`JSON.parse\` + ajv + \`Buffer\`.
- **Handler core, no network** (\`bench/handler.ts\`): the runtime's pre-body checks and \`handle\` for one
  answer callback (Basic auth, JSON.parse, validation, dispatch, BXML render with the typed builder),
  against the same steps written the usual way (header compare, JSON.parse, ajv, bandwidth-sdk's BXML
  classes — same BXML bytes out). Production settings; development mode, which re-parses the BXML a
  handler returns to validate it, is a separate row.
- **HTTP** (\`bench/http.ts\`, servers in \`bench/http-server.ts\`): autocannon, 50 connections, pipelining 1,
  a valid \`Authorization: Basic\` header and a realistic answer-callback body on every request. Every
  server runs in its own child process with \`NODE_ENV=production\`; all servers of a comparison answer the
  same BXML bytes (checked before measuring), and any non-2xx answer aborts the run. Per server: warm-up,
  then throughput in alternating rounds, then **server CPU time per request** read from \`/proc\` while
  autocannon offers every server of the group the same fixed rate (60% of the slowest one's throughput).
  Baselines: (a) bare node:http that reads the body and replies with a constant; (b) Express with
  \`express.json()\` and a constant reply; (c) Fastify with its built-in JSON parser and a constant reply,
  both as a route in a plugin (how Fastify apps are built, and how the bw-codegen plugin is mounted) and
  as a route of an app with no plugin at all; plus node:http + ajv + bandwidth-sdk, "what users write today".
- **The server a scaffold produces** (\`bench/http.ts\`, group \`scaffold\`): the node:http server that
  \`bw-codegen scaffold --framework node\` writes (\`createBandwidthWebhooks\` with its default options, the
  scaffold's server time limits), its answer handler rendering a typical document (SpeakSentence, Gather
  with a prompt, Hangup) with the builder. Measured twice in the same run: with no \`NODE_ENV\` (development
  mode, what \`npm run dev\` and a forgotten NODE_ENV give: every BXML reply is checked before it is
  sent) and with \`NODE_ENV=production\` (what the scaffold's \`npm start\` sets), next to the bare node:http
  server and a careful hand-written one: node:http, the same header compare, \`JSON.parse\`, ajv compiled
  at start-up with ajv-formats in "fast" mode, and the same BXML bytes from an escaping template literal.
- **Package** (\`bench/package-size.ts\`): \`npm pack\` of a copy of the checkout, then \`npm install --omit=dev
  <tarball>\` into an empty project (from the npm cache): tarball size, unpacked package, the project's
  whole node_modules, and the cold start of the installed package (\`import("bw-codegen")\` and
  \`bw-codegen --help\`, medians of 11 spawns, wall clock, against a bare \`node\` start).

## Reading the HTTP numbers on a 2-core machine

The load generator is itself a node process. With two cores it takes one, so a fast server is not
saturated: throughput then measures autocannon as much as the server, and the throughput ratio of two
fast servers drifts towards 100% (or swings with whatever else runs on the machine). The **CPU time per
request at a common rate** does not depend on the load generator keeping up, and is the number to read
when the throughput row looks client-bound. Its system part is mostly the loopback TCP send, the same
bytes for every server; the \`user\` figure is the JavaScript side. Other work on the machine (the load
average is printed with the results) adds noise to every HTTP figure; ratios within a group are taken
minutes apart at most, with the servers measured in alternating rounds.

## What the profiles say

- **Import time** is V8 compiling the source: the profile of \`import("generated/validators/voice.js")\` is
  dominated by \`compileSourceTextModule\` on \`voice.ajv.js\` (1.26 MB); running its top level (schema
  constants, regular expressions) is a small part. The size has two causes: every event is emitted twice
  (lenient and strict: a lenient-only module is 0.63 MB), and about two thirds of ajv's standalone code
  builds error objects (\`allErrors\`, with the long timestamp pattern repeated in each message).
  \`generated/index.js\` and \`generated/webhooks.js\` (\`createBandwidthWebhooks\`, what a server imports)
  load every family's validators (2.2 MB of validator code in all), whichever families the app serves.
  Measured separately (extra CPU ms over an empty module, medians of 9, 2026-11-26): voice validators
  +13, numbers +6, messaging +3, the BXML builder and rules +4, the handler runtime +3, the whole
  \`webhooks.js\` +35. A voice module without the strict validators costs +4.5 instead of +9.6 (same
  schemas, generated for the measurement); ajv's \`messages: false\` saves nothing measurable. So the two
  levers are keeping the strict validators out of the module production code loads, and loading a
  family's validators only when it is configured. Compiling the same schemas with ajv at start-up costs
  far more either way.
- **Validating an answer callback**: most of the time is the four timestamp patterns (\`eventTime\`,
  \`enqueuedTime\`, \`startTime\`, \`answerTime\`, ~20 ns each since the pattern uses non-capturing groups,
  ~30 ns before) and the id patterns (\`callId\`, \`accountId\`). A hand-written timestamp checker was *slower*
  than V8's compiled regular expression (104 ns vs 78 ns for four), and dropping the patterns (type
  checks only) takes the validator to ~30 ns: what is left is the price of rejecting garbage
  timestamps and ids, not overhead. The discriminant dispatch adds ~5%.
- **ajv-formats "full"** enforcing \`date-time\`, \`uri\` and \`uuid\` makes the same validation several times
  slower than \`JSON.parse\` of the whole callback — the reason formats stay annotations.
- **Handler core**: in production mode one answer callback costs about three \`JSON.parse\`s of it, all told
  (auth ~0.13 µs, parse ~0.7 µs, validation ~0.2 µs, rendering the typed BXML document ~0.4–0.5 µs,
  dispatch and context). In development mode (the default unless \`NODE_ENV=production\`) the returned
  BXML is re-parsed with the XML parser and checked against the BXML rules, which more than doubles that
  (44% of \`handle\` in a profile); a document built with the typed builder was already checked when it
  was rendered, so that second check could be skipped for builder documents.
- **HTTP**: per request, a bare node:http server spends ~15–20 µs of CPU, most of it in the kernel
  (\`writev\` on the loopback socket) and node's HTTP machinery; the webhook runtime adds its ~2 µs of
  JavaScript on top. Fastify's own per-request cost is lower than Express's by a wide margin, so the same
  ~2 µs is a larger share of it: a profile at a fixed 10 000 req/s shows the plugin path ~2.5 µs/request
  busier than the constant-reply route (JSON.parse is in both). Per request, \`core.handle\` takes ~3.2 µs
  inclusive (JSON.parse, validation ~0.4, BXML render ~1.0 at the time), the \`onRequest\` hook with
  Fastify's content-type parser lookup ~1.5 µs, and sending the reply costs the same as the constant
  route's (~20 µs, nearly all of it the socket write). The raw-buffer body parser costs ~0.6 µs more than
  Fastify's JSON parser, but it keeps the exact bytes (signature checks need them). No single hot spot to
  fix in the adapter: the gap is the work itself. A/B variants of the plugin (string instead of buffer
  body, checks in the handler instead of an \`onRequest\` hook) all land within the run-to-run noise.
- **Fastify and plugins**: registering any plugin, even an empty \`async () => {}\`, makes every route of
  a Fastify 5 app slower (the same constant route: 5–12% by CPU on this machine, whether the route is
  inside the plugin or at the root, before or after it). The bw-codegen adapter is a plugin, so the
  like-for-like ceiling is the constant route in a plugin; the plugin-free app is shown as well. Real
  apps register plugins (cors, helmet, their own route files), so they already pay this.
- **Express**: \`express.json()\` (body-parser, raw-body, type-is) is a large part of Express's per-request
  cost; the bw-codegen middleware reads the body itself and answers without \`res.send\`, so it can be
  cheaper than the "constant reply" baseline.
`;
}
