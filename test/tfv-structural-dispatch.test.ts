// Families told apart by structure rather than one discriminant property (TFV by which fields are present,
// BRTC endpoint by `eventType` or `event`, numbers' JSON form by `OrderType`/`EventType`/`TelephoneNumbers`,
// emergency with a single request kind): the documented selection rule, and for every event of these
// families: examples validate (lenient and strict) and name the right event, broken copies are rejected at
// the right path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { validatorModules as generated } from "./support/validator-modules.js";
import { validateTfvCallback } from "../generated/validators/tfv.js";
import { loadCatalog } from "../generator/catalog.js";
import { families } from "../generator/model/families.js";
import { REPO_ROOT } from "./support/cli.js";

type Validator = (input: unknown, options?: { strict?: boolean }) => { ok: boolean; type?: string; errors?: { path: string; message: string }[] };
const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
const exported = generated as unknown as Record<string, Validator>;

const base = { accountId: "9901234", phoneNumber: "+18445550123" };
const rule: { fields: Record<string, unknown>; shape: string }[] = [
  { fields: { status: "VERIFIED" }, shape: "status" },
  { fields: { status: "UNVERIFIED", internalTicketNumber: "3f6c1e2a-9b7d-4c58-8e1f-0a2b4c6d8e90" }, shape: "status" },
  { fields: {}, shape: "status" },
  { fields: { errorCode: "400" }, shape: "failure" },
  { fields: { errorMessage: "bad" }, shape: "failure" },
  { fields: { errors: ["x"] }, shape: "failure" },
  { fields: { errorCode: "400", declineReasonDescription: "no", blocked: true }, shape: "failure" },
  { fields: { declineReasonDescription: "no" }, shape: "denial" },
  { fields: { denialStatusCode: 511 }, shape: "denial" },
  { fields: { additionalDenialReasons: [] }, shape: "denial" },
  { fields: { resubmitAllowed: false }, shape: "denial" },
  { fields: { denialStatusCode: 511, blocked: true, blockedReason: "spam" }, shape: "denial" },
  { fields: { blocked: true }, shape: "blocked" },
  { fields: { blockedReason: "spam", status: "UNVERIFIED" }, shape: "blocked" },
  // 2023 forms: a failure flagged isBadRequest, the old denial spelling, the PENDING status.
  { fields: { isBadRequest: true }, shape: "failure" },
  { fields: { status: "UNVERIFIED", denialStatusCode: 511, denialReasonDescription: "old spelling" }, shape: "denial" },
  { fields: { denialReasonDescription: "old spelling" }, shape: "denial" },
  { fields: { status: "PENDING" }, shape: "status" },
  // An explicit null does not make a field "present" for the rule.
  { fields: { status: "VERIFIED", declineReasonDescription: null, errorCode: null }, shape: "status" },
];

for (const r of rule) {
  test(`TFV rule: ${JSON.stringify(Object.keys(r.fields))} → ${r.shape}`, () => {
    const result = validateTfvCallback({ ...base, ...r.fields });
    assert.equal(result.type, r.shape);
    if (!Object.values(r.fields).includes(null) && Object.keys(r.fields).length > 0) assert.equal(result.ok, true, JSON.stringify(result));
  });
}

test("TFV: a status webhook needs its status; a wrong-typed field is reported on the chosen shape", () => {
  const missing = validateTfvCallback(base);
  assert.equal(missing.ok, false);
  assert.ok(!missing.ok && missing.errors.some((e) => e.path === "/status"));
  const badCode = validateTfvCallback({ ...base, errorCode: 400 });
  assert.equal(badCode.type, "failure");
  assert.ok(!badCode.ok && badCode.errors.some((e) => e.path === "/errorCode" && /string/.test(e.message)));
  const badNumber = validateTfvCallback({ ...base, phoneNumber: "+19195550142", status: "VERIFIED" });
  assert.ok(!badNumber.ok && badNumber.errors.some((e) => e.path === "/phoneNumber"));
  const badReason = validateTfvCallback({ ...base, additionalDenialReasons: [{ statusCode: 1, reason: "r" }] });
  assert.ok(!badReason.ok && badReason.errors.some((e) => e.path === "/additionalDenialReasons/0/resubmitAllowed"));
  assert.equal(validateTfvCallback([]).ok, false);
});

// ---- every event of every structurally dispatched family ----
const structural = families.filter((f) => f.select !== undefined);

test("the structural families are tfv, endpoint, numbers and emergency", () => {
  assert.deepEqual(structural.map((f) => f.name).sort(), ["emergency", "endpoint", "numbers", "tfv"]);
});

for (const family of structural) {
  const validate = exported[family.validator];
  for (const entry of catalog.events.filter((e) => e.family === family.name)) {
    const examples = entry.schema.examples as Record<string, unknown>[];
    const full = examples.reduce((a, b) => (Object.keys(b).length > Object.keys(a).length ? b : a));

    test(`${family.name}/${entry.event}: examples validate (lenient and strict) and are recognised as ${entry.event}`, () => {
      for (const [i, example] of examples.entries()) {
        for (const strict of [false, true]) {
          const result = validate(example, { strict });
          assert.equal(result.ok, true, `example ${i} strict=${strict}: ${JSON.stringify(result.errors)}`);
          assert.equal(result.type, entry.event);
        }
      }
    });

    test(`${family.name}/${entry.event}: a missing required field or a wrong type is reported at its path`, () => {
      for (const field of entry.schema.required as string[]) {
        const copy = { ...full };
        delete copy[field];
        const result = validate(copy);
        assert.equal(result.ok, false, `without ${field}`);
        // Removing the property that names the event makes it unrecognisable (or another event): still rejected.
        if (result.type === entry.event) assert.ok(result.errors!.some((e) => e.path === `/${field}`), `without ${field}: ${JSON.stringify(result.errors)}`);
      }
      for (const field of Object.keys(full)) {
        const result = validate({ ...full, [field]: [[{}]] });
        assert.equal(result.ok, false, `${field} = [[{}]] was accepted`);
        assert.ok(result.errors!.some((e) => e.path === `/${field}` || e.path.startsWith(`/${field}/`)), `${field}: ${JSON.stringify(result.errors)}`);
      }
    });

    test(`${family.name}/${entry.event}: unknown properties pass, except in strict mode`, () => {
      assert.equal(validate({ ...full, addedLater: "x" }).ok, true);
      assert.equal(validate({ ...full, addedLater: "x" }, { strict: true }).ok, false);
    });
  }
}
