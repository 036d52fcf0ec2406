// Executors of the verbs that hand the call to something outside the application: <Connect> (a BRTC
// endpoint), <Refer> (a SIP REFER on an inbound SIP-URI call, then referComplete) and <StopGather>.
// What the far side does comes from the script (`connects`, `refers`); defaults and choices are in
// semantics.ts.

import type { BxmlNode } from "../bxml/rules.js";
import { textOf } from "./executor.js";
import { callEvent, type Leg } from "./payloads.js";
import { nth, type ConnectScript, type ReferScript } from "./script.js";
import { SEMANTICS, VERBS } from "./semantics.js";
import type { Executor, Next, Run } from "./types.js";

const spec = (verb: string, event: string) => VERBS[verb].callbacks.find((c) => c.event === event)!;
const elements = (verb: BxmlNode): BxmlNode[] => verb.children.filter((c): c is BxmlNode => typeof c !== "string");

/**
 * Connect: the caller talks with the BRTC endpoint(s); when the endpoint leaves, execution continues
 * with the next verb (CHOICE), when the caller does, the call ends. Connect Status events are not sent:
 * Bandwidth names their statuses but not their fields, and the simulator does not invent a payload.
 */
async function connect(run: Run, leg: Leg, verb: BxmlNode): Promise<Next> {
  const cs = nth(run.script.connects, run.counters.connect++) as ConnectScript;
  const endpoints = elements(verb).map(textOf);
  const seconds = cs.seconds ?? SEMANTICS.connectSeconds;
  if (typeof verb.attributes.eventCallbackUrl === "string") {
    run.note(leg, "Connect Status events to eventCallbackUrl are not sent: Bandwidth documents their statuses (INITIATED … FAILED) but not their fields");
  }
  run.note(leg, `connected to BRTC endpoint ${endpoints.join(", ")}; talking ${seconds} s`);
  run.clock.advance(seconds);
  if (cs.endedBy === "caller") {
    run.end(leg, "hangup", "the caller hung up while connected to the endpoint");
    return "stop";
  }
  run.note(leg, "the endpoint left: execution continues with the next verb");
  return "continue";
}

/**
 * Refer: sends a SIP REFER naming the <SipUri>. On success the call is torn down (then referComplete,
 * whose reply is ignored); on failure the call stays up and referComplete's BXML runs, or execution
 * continues without referCompleteUrl.
 */
async function refer(run: Run, leg: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  const rs = nth(run.script.refers, run.counters.refer++) as ReferScript;
  const status = rs.status ?? "success";
  const uri = elements(verb).map(textOf)[0] ?? "?";
  if (leg.direction !== "inbound" || !/^sips?:/i.test(leg.to)) {
    run.note(leg, `Bandwidth sends a REFER only on an inbound call to a SIP URI (this call is ${leg.direction}, to ${leg.to}); the simulator plays the script's outcome anyway`);
  }
  run.clock.advance(SEMANTICS.referSeconds);
  const d = SEMANTICS.refer;
  const codes =
    status === "success"
      ? { referSipResponseCode: rs.referSipResponseCode ?? d.success.referSipResponseCode, notifySipResponseCode: rs.notifySipResponseCode ?? d.success.notifySipResponseCode }
      : { referSipResponseCode: rs.referSipResponseCode ?? d.failure.referSipResponseCode, ...(rs.notifySipResponseCode !== undefined ? { notifySipResponseCode: rs.notifySipResponseCode } : {}) };
  run.note(leg, `REFER to ${uri}: ${status} (SIP ${codes.referSipResponseCode}${"notifySipResponseCode" in codes ? `, NOTIFY ${codes.notifySipResponseCode}` : ""})`);
  const target = run.target(verb.attributes, spec("Refer", "referComplete"), baseUrl);
  const event = () => callEvent(run.identity, run.clock, leg, "referComplete", { referCallStatus: status, ...codes });
  if (status === "success") {
    run.end(leg, "hangup", `referred to ${uri}`);
    if (target !== undefined) {
      const sent = await run.sendIgnoringReply(leg, event(), target);
      if (sent.delivered && sent.body.trim() !== "") {
        run.note(leg, "the call is already gone after a successful REFER: Bandwidth ignores the BXML answered to referComplete");
      }
    }
    return "stop";
  }
  if (target === undefined) return "continue";
  return (await run.sendSync(leg, event(), target)) ?? "stop";
}

/** StopGather: background DTMF detection ends (sends nothing). */
async function stopGather(run: Run, leg: Leg): Promise<Next> {
  run.note(leg, "background DTMF detection stopped");
  return "continue";
}

/** Executors of the call-control verbs. */
export const CALL_CONTROL_EXECUTORS: Readonly<Record<string, Executor>> = {
  Connect: connect,
  Refer: refer,
  StopGather: stopGather,
};
