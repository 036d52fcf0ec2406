// `bw-codegen docs` writes one self-contained HTML page that a real headless Chromium renders with no
// console error and no network request beyond the page itself, showing every webhook of the catalog;
// screenshots are kept in .tmp/artifacts/docs.png and docs-webhook.png. Also: the command's usage errors and failures.
// The Voice AI sockets (generated/asyncapi.json) are on the same page, in a group of their own: every
// socket message visible by name, with its direction; docs-sockets.png.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { loadCatalog } from "../generator/catalog.js";
import { buildModel } from "../generator/model/build-model.js";
import { familyByName } from "../generator/model/families.js";
import { handlerName } from "../generator/model/handler-names.js";
import { runDocs } from "../generator/cli/docs.js";
import { buildDocsPage, scriptSafe } from "../generator/docs-page.js";
import { CHROMIUM_ARGS, chromiumPath, chromiumSkip } from "./support/chromium.js";
import { TEST_LIMIT_MS } from "./support/children.js";
import { REPO_ROOT, runCli } from "./support/cli.js";

const ARTIFACTS = join(REPO_ROOT, ".tmp", "artifacts");
const work = mkdtempSync(join(tmpdir(), "bw-docs-"));
after(() => rmSync(work, { recursive: true, force: true }));

const model = buildModel(loadCatalog(join(REPO_ROOT, "schemas")));
const webhookKeys = model.families.filter((f) => f.transport === "http").flatMap((f) => f.events.map((e) => `${e.family}.${handlerName(familyByName(e.family), e.event)}`));
const socketMessages = model.families.filter((f) => f.transport === "websocket").flatMap((f) => f.events);

describe("bw-codegen docs (command)", () => {
  it("writes index.html with the OpenAPI document and Redoc inlined, and says what it wrote", () => {
    const run = runCli(["docs", "--out", join(work, "site")]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`wrote .*index\\.html \\(${webhookKeys.length} webhooks, ${socketMessages.length} socket messages, [\\d.]+ MB, Redoc 2\\.`));
    const html = readFileSync(join(work, "site", "index.html"), "utf8");
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|cdn\.redoc\.ly\/redoc\/logo/);
  });

  it("answers --help, and exit 2 with the help for unknown options and arguments", () => {
    const help = runCli(["docs", "--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: bw-codegen docs \[--out DIR\]/);
    assert.match(help.stdout, /npm install --save-dev redoc@2/);
    for (const args of [["--outdir", "x"], ["somewhere"], ["--out"]]) {
      const run = runCli(["docs", ...args]);
      assert.equal(run.status, 2, args.join(" "));
      assert.match(run.stderr, /^bw-codegen docs: (unknown option|unexpected argument|--out needs a value)/);
    }
  });

  it("exits 1 naming the file when --spec is unreadable, not JSON or not OpenAPI", () => {
    const notJson = join(work, "not.json");
    const notOpenApi = join(work, "plain.json");
    writeFileSync(notJson, "{ nope");
    writeFileSync(notOpenApi, '{"webhooks":{}}');
    for (const [file, message] of [[join(work, "missing.json"), /cannot read the OpenAPI document .*missing\.json: ENOENT/], [notJson, /cannot read the OpenAPI document .*not\.json/], [notOpenApi, /plain\.json is not an OpenAPI document/]] as const) {
      const run = runCli(["docs", "--spec", file, "--out", join(work, "never")]);
      assert.equal(run.status, 1);
      assert.match(run.stderr, message);
    }
    assert.equal(existsSync(join(work, "never")), false);
  });

  it("exits 1 naming the file when --asyncapi is unreadable or not AsyncAPI", () => {
    const notAsyncApi = join(work, "openapi-not-asyncapi.json");
    writeFileSync(notAsyncApi, '{"openapi":"3.1.0"}');
    for (const [file, message] of [[join(work, "missing-asyncapi.json"), /cannot read the AsyncAPI document .*missing-asyncapi\.json: ENOENT/], [notAsyncApi, /openapi-not-asyncapi\.json is not an AsyncAPI document/]] as const) {
      const run = runCli(["docs", "--asyncapi", file, "--out", join(work, "never")]);
      assert.equal(run.status, 1);
      assert.match(run.stderr, message);
    }
    assert.equal(existsSync(join(work, "never")), false);
  });

  it("without redoc installed, exits 1 with the npm install command and writes nothing", async () => {
    const empty = mkdtempSync(join(work, "no-redoc-"));
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      assert.equal(await runDocs(["--out", join(empty, "site")], [empty]), 1);
    } finally {
      process.stderr.write = original;
    }
    assert.match(written.join(""), /redoc package is not installed.*\n {2}npm install --save-dev redoc@2\n/);
    assert.equal(existsSync(join(empty, "site")), false);
  });

  it("inlines text that cannot close its <script> element", () => {
    assert.equal(scriptSafe('a = "</script><script>alert(1)</script>"'), 'a = "<\\/script><script>alert(1)<\\/script>"');
    const html = buildDocsPage({ spec: { openapi: "3.1.0", info: { title: "</title><script>x()</script>" }, webhooks: { x: { post: { description: "</script><img src=x>" } } } }, redocBundle: "var Redoc = {};", redocVersion: "2" });
    assert.equal(html.match(/<\/script>/g)?.length, 2);
    assert.match(html, /<title>&lt;\/title&gt;&lt;script&gt;/);
  });
});

// Chromium is never installed by a test: where it is missing, these fail in CI and are skipped loudly
// elsewhere (test/support/chromium.ts). The timeout only stops a hang.
describe("the docs page in headless Chromium", { timeout: TEST_LIMIT_MS, skip: chromiumSkip() }, () => {
  let browser: Browser;
  const page = join(work, "browser", "index.html");
  before(async () => {
    const executablePath = chromiumPath();
    const run = runCli(["docs", "--out", join(work, "browser")]);
    assert.equal(run.status, 0, run.stderr);
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: TEST_LIMIT_MS });
  });
  after(async () => browser?.close());

  it("loads from file:// with no console error, no request but the page, and every webhook visible", async () => {
    const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    tab.setDefaultTimeout(TEST_LIMIT_MS); // playwright's 30 s defaults are timings a loaded machine can miss
    const problems: string[] = [];
    const requests: string[] = [];
    tab.on("console", (message) => void (message.type() === "error" || message.type() === "warning" ? problems.push(`${message.type()}: ${message.text()}`) : undefined));
    tab.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    tab.on("request", (request) => requests.push(request.url()));
    const url = pathToFileURL(page).href;
    await tab.goto(url, { waitUntil: "load" });
    await tab.waitForSelector("[data-section-id]", { timeout: TEST_LIMIT_MS });
    await tab.waitForLoadState("networkidle");
    mkdirSync(ARTIFACTS, { recursive: true });
    await tab.screenshot({ path: join(ARTIFACTS, "docs.png") });

    const missing: string[] = [];
    for (const key of webhookKeys) {
      const name = tab.locator("code", { hasText: new RegExp(`^${key.replace(/\./g, "\\.")}$`) }).first();
      if (!(await name.isVisible())) missing.push(key);
    }
    assert.deepEqual(missing, [], "every webhook is shown by its name");
    // Grouped by product: the sidebar shows the tag groups and the auth section of the introduction.
    const sidebar = await tab.locator(".menu-content").textContent() ?? "";
    for (const group of ["VOICE", "MESSAGING", "NUMBERS"]) assert.match(sidebar.toUpperCase(), new RegExp(group));
    assert.match((await tab.locator("body").textContent()) ?? "", /WWW-Authenticate: Basic realm=/);

    // A second artifact: one webhook (its header line, description and fields).
    await tab.locator("code", { hasText: /^voice\.gather$/ }).first().evaluate((el) => el.closest("[data-section-id]")?.scrollIntoView());
    await tab.screenshot({ path: join(ARTIFACTS, "docs-webhook.png") });

    // The sockets: their own group in the sidebar, a section per socket, every message by name and direction.
    assert.match(sidebar, /Voice AI sockets/i);
    assert.match(sidebar, /Media stream socket/);
    assert.match(sidebar, /Real-time transcription socket/);
    const absent: string[] = [];
    for (const e of socketMessages) {
      const heading = tab.locator(`[data-section-id="tag/socket-${e.family}"] h3`, { hasText: `${e.event}: ${e.title}` }).first();
      if (!(await heading.isVisible())) absent.push(`${e.family}.${e.event}`);
    }
    assert.deepEqual(absent, [], "every socket message is shown by its name");
    const stream = (await tab.locator('[data-section-id="tag/socket-stream"]').first().textContent()) ?? "";
    assert.match(stream, /Authorization/);
    assert.match(stream, /Your server → Bandwidth\. Play audio into the call/);
    assert.match((await tab.locator('[data-section-id="tag/socket-transcription"]').first().textContent()) ?? "", /token/);
    await tab.locator("h3", { hasText: "media: StreamMediaMessage" }).first().evaluate((el) => el.scrollIntoView());
    await tab.screenshot({ path: join(ARTIFACTS, "docs-sockets.png") });

    // Redoc's search index runs in a blob: worker, which is not a network request.
    assert.deepEqual(requests.filter((r) => r !== url && !r.startsWith("blob:")), [], "no network request");
    assert.deepEqual(problems, [], "no console error or warning");
    await tab.close();
  });
});
