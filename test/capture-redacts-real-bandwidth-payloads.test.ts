// What the capture's redaction does with Bandwidth's real payload shapes (issue 28, "Redaction by default"):
// - the SIP `identity` header (a SHAKEN PASSporT) keeps its shape: three base64url segments and the same
//   parameters, the header as it was, the payload decoding to the same claims with the caller's and callee's
//   numbers replaced by the digits of the pseudonyms `from` and `to` got (a call's flow lines up), `origid`
//   replaced, the signature replaced; under `sipHeaders` alike; one that does not decode is replaced whole;
// - `stirShaken` keeps `verstat` and `attestationIndicator`, replaces `originatingId` and members nobody listed;
// - an e-mail address anywhere (a tag, a numbers `<Note>`/`<Message>`, a TFV contact, an error text) becomes
//   the same valid address at example.invalid wherever it appears, whatever its case; SIP URIs stay SIP URIs;
// - a port-in notification's personal elements are replaced, its states, codes, types and dates kept.
// A fixed key makes the pseudonyms the same on every run.
import assert from "node:assert/strict";
import { test } from "node:test";
import { captureRedactor } from "../generated/runtime/capture/entry.js";

const redactor = () => captureRedactor(new TextEncoder().encode("a fixed key for the real-payload test"), []);

/** Bandwidth's own example of the header (bandwidth.yml 2026-07-22, `callState.identity`), values as published. */
const SPEC_IDENTITY =
  "eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cHM6Ly9idy1zaGFrZW4tY2VydC1wdWIuczMuYW1hem9uYXdzLmNvbS9iYW5kd2lkdGgtc2hha2VuLWNlcnRfMjAyMzA3MTYucGVtIn0.eyJhdHRlc3QiOiJBIiwiZGVzdCI6eyJ0biI6WyIxOTg0MjgyMDI4MCJdfSwiaWF0IjoxNjU2NTM0MzM2LCJvcmlnIjp7InRuIjoiMTkxOTQ0NDI2ODMifSwib3JpZ2lkIjoiNDk0NTlhOGEtNDJmNi0zNTFjLTkzNjEtYWRmNTdhOWUwOGNhIn0.56un9sRw_uH-sbJvnUsqdevlVxbOVjn8MVlGTlBMicjaZuRRwxfiNp-C9zYCMKTTCbc-QdYPN05F61XNVN4D3w;info=<https://bw-shaken-cert-pub.s3.amazonaws.com/bandwidth-shaken-cert_20230716.pem>;alg=ES256;ppt=shaken";

const decode = (segment: string): unknown => JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));

function initiate(extra: Record<string, unknown>): string {
  return JSON.stringify({
    eventType: "initiate",
    eventTime: "2026-12-05T10:00:00.000Z",
    accountId: "9907777",
    applicationId: "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    from: "+19194442683",
    to: "+19842820280",
    direction: "inbound",
    callId: "c-8a4f3e2d-1c0b9a8f-7e6d-4c5b-a392-8a7f6e5d4c3b",
    callUrl: "https://voice.bandwidth.com/api/v2/accounts/9907777/calls/c-8a4f3e2d-1c0b9a8f-7e6d-4c5b-a392-8a7f6e5d4c3b",
    startTime: "2026-12-05T10:00:00.000Z",
    ...extra,
  });
}

test("the SIP Identity PASSporT keeps its shape, its numbers get the from/to pseudonyms, its signature is replaced", () => {
  const r = redactor();
  // compact (the one pass) and spaced (the walk): the same stored value
  for (const text of [initiate({ identity: SPEC_IDENTITY, sipHeaders: { identity: SPEC_IDENTITY } }), JSON.stringify(JSON.parse(initiate({ identity: SPEC_IDENTITY, sipHeaders: { identity: SPEC_IDENTITY } })), null, 2)]) {
    const { text: stored, replaced } = r.body(text, "application/json");
    const event = JSON.parse(stored) as { from: string; to: string; identity: string; sipHeaders: { identity: string } };
    assert.equal(event.sipHeaders.identity, event.identity, "the same header under sipHeaders is redacted the same way");
    const [token, ...params] = event.identity.split(";");
    const [originalToken, ...originalParams] = SPEC_IDENTITY.split(";");
    assert.deepEqual(params, originalParams, "the same parameters");
    const segments = token.split(".");
    const originals = originalToken.split(".");
    assert.equal(segments.length, 3);
    for (const segment of segments) assert.match(segment, /^[A-Za-z0-9_-]+$/, "base64url segments");
    assert.equal(segments[0], originals[0], "the header (algorithm, type, certificate URL) is kept");
    assert.notEqual(segments[2], originals[2], "the signature is replaced");
    assert.equal(segments[2].length, originals[2].length);
    const claims = decode(segments[1]) as { attest: string; iat: number; orig: { tn: string }; dest: { tn: string[] }; origid: string };
    const before = decode(originals[1]) as typeof claims;
    assert.deepEqual(Object.keys(claims), Object.keys(before));
    assert.equal(claims.attest, "A");
    assert.equal(claims.iat, before.iat);
    assert.notEqual(event.from, "+19194442683");
    assert.equal(claims.orig.tn, event.from.slice(1), "orig.tn: the digits of from's pseudonym");
    assert.deepEqual(claims.dest.tn, [event.to.slice(1)], "dest.tn: the digits of to's pseudonym");
    assert.notEqual(claims.origid, before.origid);
    assert.match(claims.origid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const original of ["19194442683", "19842820280", before.origid, originals[1], originals[2]]) assert.ok(!stored.includes(original), `${original} is stored`);
    // an answer echoing the header gets the stored value
    assert.equal(r.answer(`<Response><Tag>${SPEC_IDENTITY}</Tag></Response>`, replaced), `<Response><Tag>${event.identity}</Tag></Response>`);
  }
});

test("an Identity header that does not decode is replaced whole; a rich-call-data name is replaced", () => {
  const r = redactor();
  const header = Buffer.from(JSON.stringify({ alg: "ES256", ppt: "rcd", typ: "passport" })).toString("base64url");
  const rcd = `${header}.${Buffer.from(JSON.stringify({ attest: "B", orig: { tn: "19194442683" }, rcd: { nam: "Harriet Wellington" } })).toString("base64url")}.c2ln;ppt=rcd`;
  for (const identity of ["eyJhbGciOi.not-base64!.sig;ppt=shaken", `${header}.${Buffer.from("not json").toString("base64url")}.c2ln`, "Harriet Wellington <sip:+19194442683@example.com>"]) {
    const stored = (JSON.parse(r.body(initiate({ identity }), "application/json").text) as { identity: string }).identity;
    assert.notEqual(stored, identity);
    assert.equal(stored.length, identity.length, "replaced whole, same shape");
    assert.ok(!stored.includes("Harriet") && !stored.includes("9194442683") && !stored.includes("c2ln"), stored);
  }
  const stored = (JSON.parse(r.body(initiate({ identity: rcd }), "application/json").text) as { identity: string }).identity;
  const claims = decode(stored.split(";")[0].split(".")[1]) as { attest: string; rcd: { nam: string } };
  assert.equal(claims.attest, "B");
  assert.notEqual(claims.rcd.nam, "Harriet Wellington");
});

test("stirShaken keeps its verification status and attestation, replaces the origination id and members nobody listed", () => {
  const stirShaken = { verstat: "TN-Validation-Passed", attestationIndicator: "A", originatingId: "49459a8a-42f6-351c-9361-adf57a9e08ca", carrier: "Harriet Wellington" };
  const stored = JSON.parse(redactor().body(initiate({ stirShaken }), "application/json").text) as { stirShaken: typeof stirShaken };
  assert.equal(stored.stirShaken.verstat, "TN-Validation-Passed");
  assert.equal(stored.stirShaken.attestationIndicator, "A");
  assert.notEqual(stored.stirShaken.originatingId, stirShaken.originatingId);
  assert.notEqual(stored.stirShaken.carrier, stirShaken.carrier);
  // a number in verstat (a hostile or odd sender) is still replaced: kept members get the free-text patterns
  const odd = JSON.parse(redactor().body(initiate({ stirShaken: { verstat: "passed for +19195550142" } }), "application/json").text) as { stirShaken: { verstat: string } };
  assert.ok(!odd.stirShaken.verstat.includes("9195550142"));
});

test("an e-mail address becomes the same valid address at example.invalid wherever it appears", () => {
  const r = redactor();
  const voice = JSON.parse(r.body(initiate({ tag: "vip: Jane.Doe@Whitfield-Family.name; pbx sip:jane.doe@pbx.example.com", errorMessage: "mail to jane.doe@whitfield-family.name bounced" }), "application/json").text) as { tag: string; errorMessage: string };
  const tfv = JSON.parse(r.body(JSON.stringify({ phoneNumber: "+18445550123", status: "VERIFIED", submission: { businessContact: { firstName: "Jane", lastName: "Doe", email: "jane.doe@whitfield-family.name", phoneNumber: "+19195550111" } } }), "application/json").text) as {
    submission: { businessContact: Record<string, string> };
  };
  const xml = r.body("<Notification><OrderType>portins</OrderType><Status>FOC</Status><Note>Reached jane.doe@whitfield-family.name</Note><Message>Mail JANE.DOE@WHITFIELD-FAMILY.NAME</Message></Notification>", "application/xml").text;
  const pseudonym = tfv.submission.businessContact.email;
  // the address pattern of Bandwidth's TFV contact (bandwidth.yml `email`), simplified to what a pseudonym can be
  assert.match(pseudonym, /^u-[0-9a-f]{12}@example\.invalid$/);
  assert.equal(voice.tag, `vip: ${pseudonym}; pbx sip:${voice.tag.split("sip:")[1]}`);
  assert.match(voice.tag, /sip:[a-z]+\.[a-z]+@pbx\.example\.com$/, "a SIP URI stays one (its user replaced by the SIP user rule)");
  assert.ok(!voice.tag.includes("jane.doe@pbx"));
  assert.equal(voice.errorMessage, `mail to ${pseudonym} bounced`);
  assert.ok(xml.includes(`<Message>Mail ${pseudonym}</Message>`), xml);
  assert.match(xml, new RegExp(`<Note>[A-Za-z]+ ${pseudonym.replace(/\./g, "\\.")}</Note>`), "an address in a note (replaced whole) gets the pseudonym it gets elsewhere");
  assert.ok(!/whitfield/i.test(xml), xml);
  for (const name of ["Jane", "Doe", "+19195550111"]) assert.ok(!Object.values(tfv.submission.businessContact).includes(name));
});

test("a port-in notification's names, address, contacts and note are replaced; states, types, codes and dates kept", () => {
  const kept = {
    OrderType: "portins",
    Status: "REQUESTED_SUPP",
    SubscriberType: "BUSINESS",
    StateCode: "NC",
    Country: "United States",
    AddressType: "Service",
    Code: "7519",
    LastModifiedDate: "2026-11-30T12:00:00.000Z",
    ActualFocDate: "2026-12-10T16:00:00.000Z",
  };
  const personal = {
    LoaAuthorizingPerson: "Florence Abernethy",
    SubscriberName: "Oakpine Dental Partners",
    BusinessName: "Oakpine Dental Partners LLC",
    FirstName: "Florence",
    LastName: "Abernethy",
    MiddleInitial: "Q",
    HouseNumber: "4417",
    HousePrefix: "N",
    PreDirectional: "W",
    StreetName: "Marlowe Crescent",
    StreetSuffix: "Ave",
    AddressLine2: "Suite 1207",
    City: "Fuquay-Varina",
    Zip: "27526",
    PlusFour: "4418",
    County: "Wake",
    Email: "florence@oakpine.example",
    Phone: "+44 20 7946 0391",
    ContactPhone: "919 555 0390",
    BillingTelephoneNumber: "9195550390",
    AccountNumber: "ACCT-88213377",
    CustomerOrderId: "crm-abernethy-0411",
    PON: "PON-ABER-0411",
    Note: "Spoke with Florence, she re-signs the LOA",
    SubscriberInformation: "FLORENCE ABERNETHY",
  };
  const body = `<?xml version="1.0"?><Notification>${Object.entries({ ...kept, ...personal })
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join("")}</Notification>`;
  const stored = redactor().body(body, "application/xml").text;
  const element = (name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(stored)?.[1];
  for (const [name, value] of Object.entries(kept)) assert.equal(element(name), value, `${name} is kept`);
  for (const [name, value] of Object.entries(personal)) assert.notEqual(element(name), value, `${name} is replaced`);
});
