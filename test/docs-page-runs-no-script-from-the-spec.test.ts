// The docs page runs only its own two scripts: its Content-Security-Policy allows them by SHA-256 hash
// (no 'unsafe-inline'), and Redoc renders with `untrustedSpec` (HTML in Markdown descriptions is
// sanitised). A spec whose descriptions carry <script>, inline event handlers and javascript: links is
// rendered in a real headless Chromium from file://: the page works, and none of that HTML runs.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_ARGS, chromiumPath, chromiumSkip } from "./support/chromium.js";
import { runCli } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "bw-docs-untrusted-"));
after(() => rmSync(work, { recursive: true, force: true }));

const HOSTILE = [
  `<img src="x" onerror="window.__ran = (window.__ran || []).concat('img onerror')">`,
  `<script>window.__ran = (window.__ran || []).concat('script')</script>`,
  `<svg onload="window.__ran = (window.__ran || []).concat('svg onload')"></svg>`,
  `<a id="bad-link" href="javascript:window.__ran = (window.__ran || []).concat('javascript link')">bad link</a>`,
  `<iframe srcdoc="<script>parent.__ran = (parent.__ran || []).concat('iframe')</script>"></iframe>`,
].join("\n\n");

const SPEC = {
  openapi: "3.1.0",
  info: { title: "Hostile descriptions", version: "1.0.0", description: `Intro text.\n\n${HOSTILE}` },
  paths: {},
  webhooks: {
    "voice.answer": {
      post: {
        summary: "Answer",
        description: `Webhook description.\n\n${HOSTILE}`,
        requestBody: { content: { "application/json": { schema: { type: "object", properties: { callId: { type: "string", description: HOSTILE } } } } } },
        responses: { "200": { description: "ok" } },
      },
    },
  },
};

// Chromium is never installed by a test: missing, this fails in CI and is skipped loudly elsewhere.
describe("the docs page does not run HTML from the spec", { timeout: 900_000, skip: chromiumSkip() }, () => {
  let browser: Browser;
  let html: string;
  const page = join(work, "site", "index.html");
  before(async () => {
    const executablePath = chromiumPath();
    writeFileSync(join(work, "spec.json"), JSON.stringify(SPEC));
    const run = runCli(["docs", "--spec", join(work, "spec.json"), "--out", join(work, "site")]);
    assert.equal(run.status, 0, run.stderr);
    html = readFileSync(page, "utf8");
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  after(async () => browser?.close());

  it("its CSP allows scripts only by the hashes of the page's own two scripts", () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? "";
    const scriptSrc = csp.split("; ").find((d) => d.startsWith("script-src ")) ?? "";
    assert.doesNotMatch(scriptSrc, /'unsafe-inline'/);
    const scripts = [...html.matchAll(/<script>([^]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 2);
    const hashes = scripts.map((s) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`);
    assert.equal(scriptSrc, `script-src ${hashes.join(" ")} 'unsafe-eval'`);
    assert.match(scripts[1], /"untrustedSpec":true/);
  });

  it("renders in Chromium, and no script, handler or javascript: link from a description runs", async () => {
    const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    tab.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    tab.on("console", (message) => void (/Refused to execute/.test(message.text()) ? problems.push(message.text()) : undefined));
    await tab.goto(pathToFileURL(page).href, { waitUntil: "load" });
    await tab.waitForSelector("[data-section-id]", { timeout: 60_000 });
    await tab.waitForLoadState("networkidle");
    assert.match((await tab.locator("body").textContent()) ?? "", /Webhook description\./);
    const links = tab.locator("#bad-link, a[href^='javascript:']");
    if ((await links.count()) > 0) await links.first().click({ force: true }).catch(() => undefined);
    await tab.waitForTimeout(200);
    assert.equal(await tab.evaluate(() => (window as unknown as { __ran?: string[] }).__ran), undefined);
    assert.equal(await tab.locator("#redoc-container script, #redoc-container iframe, #redoc-container [onerror], #redoc-container [onload]").count(), 0);
    assert.deepEqual(problems, [], "the page's own scripts ran (no CSP refusal, no error)");
    await tab.close();
  });
});
