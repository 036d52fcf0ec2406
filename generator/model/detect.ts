// Helpers the family definitions use to recognise a document's family (`bw-codegen validate --kind
// auto`): a plain-object test and the root element name of an XML document.

/** True for a plain JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Name of the root element of an XML document, or undefined when the text is not XML: skips the XML
 * declaration, processing instructions, comments, whitespace and a DOCTYPE (the parser refuses DOCTYPEs
 * later, with a reason, so such a file still gets its kind).
 */
export function xmlRootName(text: string): string | undefined {
  let rest = text.replace(/^\uFEFF/, "");
  // A DOCTYPE is refused by every kind, but the document's kind is that of the element after it (the
  // name it declares is whatever the sender wrote): it is skipped like the rest of the prolog, its
  // internal subset roughly, by brackets; its name stands in when no element follows.
  let declared: string | undefined;
  for (;;) {
    rest = rest.trimStart();
    const close = rest.startsWith("<?") ? "?>" : rest.startsWith("<!--") ? "-->" : undefined;
    if (close !== undefined) {
      const end = rest.indexOf(close);
      if (end < 0) return declared;
      rest = rest.slice(end + close.length);
      continue;
    }
    const doctype = /^<!DOCTYPE\s+([A-Za-z_][\w.:-]*)/.exec(rest);
    if (doctype === null) break;
    declared = doctype[1];
    const whole = /^<!DOCTYPE[^[>]*(?:\[[\s\S]*?\]\s*)?>/.exec(rest);
    if (whole === null) return declared;
    rest = rest.slice(whole[0].length);
  }
  return /^<([A-Za-z_][\w.:-]*)/.exec(rest)?.[1] ?? declared;
}
