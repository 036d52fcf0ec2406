// Builds the static webhook reference page that `bw-codegen docs` writes: one HTML file with the
// OpenAPI document and Redoc's standalone bundle inlined, and a Content-Security-Policy that forbids
// every network fetch, so the page works offline, from file://, and cannot leak anything it shows.
// Its two scripts are allowed by their SHA-256 hashes (no 'unsafe-inline': HTML in a spec description
// cannot run an inline handler or script), and Redoc runs with `untrustedSpec` (it sanitises the HTML
// that Markdown descriptions may carry).
import { createHash } from "node:crypto";

export interface DocsPageInput {
  /** The OpenAPI document (generated/openapi.json, parsed). */
  spec: { info?: { title?: string } } & Record<string, unknown>;
  /** Source of Redoc's `bundles/redoc.standalone.js`. */
  redocBundle: string;
  /** Redoc's version, written into the page's generator meta tag. */
  redocVersion: string;
}

/** Redoc options: everything expanded that a reader of a webhook reference wants to see at once. */
const REDOC_OPTIONS = {
  expandResponses: "200,204",
  jsonSampleExpandLevel: 3,
  hideDownloadButton: false,
  requiredPropsFirst: true,
  pathInMiddlePanel: true,
  showWebhookVerb: true,
  expandSingleSchemaField: true,
  // descriptions are Markdown, which allows raw HTML: Redoc sanitises it (DOMPurify) before rendering
  untrustedSpec: true,
  theme: { typography: { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", headings: { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" }, code: { fontFamily: "ui-monospace, Menlo, Consolas, monospace" } } },
};

/**
 * No network at view time, enforced by the browser: only the page's own two scripts (by hash), styles
 * only inline, images and fonts only data: URIs, Redoc's search worker only from a blob:. `unsafe-eval`
 * is needed by the bundle (two `new Function` calls in its dependencies).
 */
function contentSecurityPolicy(scripts: readonly string[]): string {
  const hashes = scripts.map((source) => `'sha256-${createHash("sha256").update(source, "utf8").digest("base64")}'`);
  return [
    "default-src 'none'",
    `script-src ${hashes.join(" ")} 'unsafe-eval'`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "font-src data:",
    "worker-src blob:",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/**
 * Redoc's sidebar footer loads its logo from cdn.redoc.ly, the one network fetch the bundle makes;
 * the logo is replaced by an inline (empty) SVG, the "API docs by Redocly" attribution stays.
 */
const REDOC_REMOTE_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
const INLINE_LOGO = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";

/** The bundle with every remote asset it references replaced by an inline one. */
export function offlineBundle(bundle: string): string {
  return bundle.split(REDOC_REMOTE_LOGO).join(INLINE_LOGO);
}

/** Text that is safe inside an inline `<script>`: nothing in it can close the element. */
export function scriptSafe(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The whole page. Deterministic: the same inputs always give the same bytes. */
export function buildDocsPage({ spec, redocBundle, redocVersion }: DocsPageInput): string {
  const title = escapeHtml(spec.info?.title ?? "Webhooks");
  // JSON with every `<` escaped cannot end the script element or open a comment.
  const specJson = JSON.stringify(spec).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  // the HTML parser turns CR LF and CR into LF before the browser hashes a script: hash what it will see
  const bundle = scriptSafe(offlineBundle(redocBundle)).replace(/\r\n?/g, "\n");
  const start = `\nRedoc.init(${specJson}, ${JSON.stringify(REDOC_OPTIONS)}, document.getElementById("redoc-container"));\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy([bundle, start])}">
<meta name="generator" content="bw-codegen docs, Redoc ${escapeHtml(redocVersion)}">
<title>${title}</title>
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<div id="redoc-container"></div>
<script>${bundle}</script>
<script>${start}</script>
</body>
</html>
`;
}
