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

- **Import time** (\`bench/import-time.ts\`): \`node --input-type=module -e "await import(…)"\` is spawned 21 times
  per variant, variants interleaved, and the median wall-clock time is compared with a bare \`node\` start.
  The child also reports the in-process import time (\`performance.now()\` around the import), which is
  less noisy. Baseline: what a user does without precompiled validators — read the voice schemas and
  compile them with ajv at start-up (\`bench/fixtures/ajv-startup.mjs\`).
- **Validators** (\`bench/validators.ts\`, \`bench/messaging.ts\`): tinybench, 200 calls per timed sample, median
  sample; the validator and \`JSON.parse\` of the same compact bytes run in the same bench. The naive
  alternative is ajv + ajv-formats enforcing \`date-time\`/\`uri\`/\`uuid\` (our schemas keep formats as
  annotations and check timestamps with a tolerant pattern instead).
- **Numbers** (\`bench/numbers.ts\`): \`validateNumbersXml\` (our DTD-free parser → JSON form → precompiled
  validator) on a 2-number order notification, against fast-xml-parser (strings kept, the number list forced
  to an array) + ajv compiled at start-up.
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
  \`express.json()\` and a constant reply; (c) Fastify with its built-in JSON parser and a constant reply;
  plus node:http + ajv + bandwidth-sdk, "what users write today".

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

- **Validating an answer callback**: about two thirds of the time goes to the four timestamp patterns
  (\`eventTime\`, \`enqueuedTime\`, \`startTime\`, \`answerTime\`): each \`RegExp.test\` costs ~30 ns. Rewriting the
  pattern's capturing groups \`( … )\` as non-capturing \`(?: … )\` (same language, no back-references used)
  brings one test to ~20 ns. Dropping the patterns altogether (type checks only) takes the validator from
  ~200 ns to ~30 ns, so the patterns are the price of rejecting garbage timestamps and ids.
- **ajv-formats "full"** enforcing \`date-time\`, \`uri\` and \`uuid\` makes the same validation several times
  slower than \`JSON.parse\` of the whole callback — the reason formats stay annotations.
- **Handler core**: in production mode one answer callback costs about three times a \`JSON.parse\` of it, all
  told (auth, parse, validation, dispatch, rendering the typed BXML document). In development mode (the
  default unless \`NODE_ENV=production\`) the returned BXML is re-parsed with the XML parser and checked
  against the BXML rules, which more than doubles that; a document built with the typed builder was
  already checked when it was rendered.
- **HTTP**: per request, a bare node:http server spends ~15–20 µs of CPU, most of it in the kernel
  (\`writev\` on the loopback socket) and node's HTTP machinery; the webhook runtime adds its few
  microseconds of JavaScript on top.
- **Express**: \`express.json()\` (body-parser, raw-body, type-is) is a large part of Express's per-request
  cost; the bw-codegen middleware reads the body itself and answers without \`res.send\`, so it can be
  cheaper than the "constant reply" baseline.
`;
}
