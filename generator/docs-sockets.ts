// The Voice AI sockets on the docs page: turns the AsyncAPI document (generated/asyncapi.json) into
// Redoc content next to the webhooks. Redoc renders OpenAPI only, so each socket channel becomes a
// "trait" tag (`x-traitTag`: a section with a Markdown description and no operations) in a "Voice AI
// sockets" tag group: the channel, its handshake authentication, then every message with its direction,
// a table of its fields (read from the message's schema) and its examples. The OpenAPI document itself
// never holds the sockets (`bw-codegen/openapi.json` is webhooks only): only the page's copy does.

type Node = Record<string, any>;

/** The AsyncAPI document's parts this page reads. */
export interface AsyncApiDocument {
  readonly asyncapi: string;
  readonly channels: Record<string, Node>;
  readonly operations: Record<string, Node>;
  readonly components: { readonly schemas: Record<string, Node>; readonly messages: Record<string, Node>; readonly securitySchemes: Record<string, Node> };
}

/** The tag group the socket sections are listed under. */
export const SOCKETS_GROUP = "Voice AI sockets";

/** A `#/a/b` pointer into the document. */
function at(doc: AsyncApiDocument, ref: string): Node {
  return ref
    .replace(/^#\//, "")
    .split("/")
    .reduce<any>((node, part) => node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
}

function deref(doc: AsyncApiDocument, node: Node | undefined): Node {
  let current = node ?? {};
  for (let i = 0; i < 20 && typeof current.$ref === "string"; i++) current = at(doc, current.$ref) ?? {};
  return current;
}

/** A schema's type in words for the table: `string`, `"media"`, `string | integer`, `array of StreamTrack | string`. */
function typeOf(doc: AsyncApiDocument, node: Node | undefined): string {
  if (node?.$ref !== undefined) {
    const name = String(node.$ref).split("/").pop()!;
    const target = deref(doc, node);
    return target.type === "object" && target.title !== undefined ? name : typeOf(doc, target);
  }
  if (node === undefined) return "any";
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (Array.isArray(node.anyOf)) return [...new Set(node.anyOf.map((branch: Node) => typeOf(doc, branch)))].join(" | ");
  if (Array.isArray(node.enum)) return node.enum.map((v: unknown) => JSON.stringify(v)).join(" | ");
  if (node.type === "array") return `array of ${typeOf(doc, node.items)}`;
  if (node.type === "object" && node.additionalProperties !== undefined && node.properties === undefined) return `map of ${typeOf(doc, node.additionalProperties)}`;
  if (Array.isArray(node.type)) return node.type.join(" | ");
  return node.type ?? "any";
}

/** Table cells hold one line: pipes escaped, newlines folded. */
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/** Every field of an object schema, nested objects and array items included, as `a.b[].c` rows. */
function fieldRows(doc: AsyncApiDocument, schema: Node, prefix = "", seen: Set<Node> = new Set()): string[] {
  const object = deref(doc, schema);
  if (seen.has(object)) return [];
  seen.add(object);
  const required = new Set<string>(object.required ?? []);
  const rows: string[] = [];
  for (const [name, property] of Object.entries<Node>(object.properties ?? {})) {
    const path = `${prefix}${name}`;
    const target = deref(doc, property);
    const description = property.description ?? target.description ?? "";
    rows.push(`| \`${path}\` | ${cell(typeOf(doc, property))} | ${required.has(name) ? "yes" : "no"} | ${cell(description)} |`);
    const nested = target.type === "array" ? deref(doc, (target.items?.anyOf?.[0] as Node | undefined) ?? target.items) : target;
    if (nested.type === "object" && nested.properties !== undefined) rows.push(...fieldRows(doc, nested, `${path}${target.type === "array" ? "[]" : ""}.`, seen));
  }
  seen.delete(object);
  return rows;
}

/** One message: heading, who sends it, summary, fields, examples. */
function messageSection(doc: AsyncApiDocument, channel: string, event: string, direction: "receive" | "send"): string {
  const message = deref(doc, doc.channels[channel].messages[event]);
  const schema = deref(doc, message.payload);
  const rows = fieldRows(doc, schema);
  const examples = (message.examples ?? []).map((example: Node) => `${example.summary ?? example.name}:\n\n\`\`\`json\n${JSON.stringify(example.payload, null, 2)}\n\`\`\``);
  return [
    `### \`${event}\`: ${message.title}`,
    "",
    `**${direction === "receive" ? "Bandwidth → your server" : "Your server → Bandwidth"}.** ${message.summary ?? ""}`,
    "",
    schema.description ?? "",
    "",
    "| field | type | required | description |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    ...examples.flatMap((text: string) => [text, ""]),
  ].join("\n");
}

/** The handshake section of a channel: the security scheme its operations name. */
function handshakeSection(doc: AsyncApiDocument, operations: readonly Node[]): string {
  const scheme = deref(doc, operations[0]?.security?.[0]);
  const how = scheme.type === "http" ? "HTTP Basic in the `Authorization` header of the opening handshake" : `a token in the URL's \`${scheme.name}\` query parameter`;
  return [`**Authentication:** ${how}.`, "", scheme.description ?? ""].join("\n");
}

/**
 * The socket channels as Redoc trait tags and their tag group.
 *
 * @example
 * const { tags, group } = socketSections(JSON.parse(readFileSync("generated/asyncapi.json", "utf8")));
 * spec.tags = [...spec.tags, ...tags]; spec["x-tagGroups"].push(group);
 */
export function socketSections(doc: AsyncApiDocument): { tags: Node[]; group: { name: string; tags: string[] } } {
  const tags: Node[] = [];
  for (const [name, channel] of Object.entries(doc.channels)) {
    const operations = Object.values(doc.operations).filter((op) => op.channel?.$ref === `#/channels/${name}`);
    const byDirection = (action: "receive" | "send") =>
      operations.filter((op) => op.action === action).flatMap((op) => (op.messages as Node[]).map((m) => String(m.$ref).split("/").pop()!));
    const received = byDirection("receive");
    const sent = byDirection("send");
    const description = [
      `WebSocket \`${channel.address}\` (the default path of bw-codegen's socket runtime; Bandwidth connects to the \`destination\` your verb names). AsyncAPI: \`bw-codegen/asyncapi.json\`, channel \`${name}\`.`,
      "",
      channel.description ?? "",
      "",
      handshakeSection(doc, operations),
      "",
      `**Your server receives:** ${received.map((e) => `\`${e}\``).join(", ") || "nothing"}. **It may send:** ${sent.map((e) => `\`${e}\``).join(", ") || "nothing"}.`,
      "",
      ...received.map((event) => messageSection(doc, name, event, "receive")),
      ...sent.map((event) => messageSection(doc, name, event, "send")),
    ].join("\n");
    tags.push({ name: `socket-${name}`, "x-displayName": `${channel.title} socket`, "x-traitTag": true, description });
  }
  return { tags, group: { name: SOCKETS_GROUP, tags: tags.map((t) => t.name) } };
}

/** A copy of the OpenAPI document with the socket sections added (the document itself is not changed). */
export function withSockets(spec: Record<string, unknown>, doc: AsyncApiDocument | undefined): Record<string, unknown> {
  if (doc === undefined) return spec;
  const { tags, group } = socketSections(doc);
  return {
    ...spec,
    tags: [...((spec.tags as Node[] | undefined) ?? []), ...tags],
    "x-tagGroups": [...((spec["x-tagGroups"] as Node[] | undefined) ?? []), group],
  };
}
