// Every family validator module's exports in one object (validateVoiceCallback, isAnswerCallback, ...), for
// tests that look validators up by name; users import them from `bw-codegen/validators/<family>`.
import * as emergency from "../../generated/validators/emergency.js";
import * as endpoint from "../../generated/validators/endpoint.js";
import * as messaging from "../../generated/validators/messaging.js";
import * as mfa from "../../generated/validators/mfa.js";
import * as numbers from "../../generated/validators/numbers.js";
import * as stream from "../../generated/validators/stream.js";
import * as tfv from "../../generated/validators/tfv.js";
import * as transcription from "../../generated/validators/transcription.js";
import * as voice from "../../generated/validators/voice.js";
import * as webrtc from "../../generated/validators/webrtc.js";

export const validatorModules: Readonly<Record<string, unknown>> = Object.freeze({ ...emergency, ...endpoint, ...messaging, ...mfa, ...numbers, ...stream, ...tfv, ...transcription, ...voice, ...webrtc });
