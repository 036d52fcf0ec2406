// Which of our voice schemas each voice callback model of Bandwidth's spec (bandwidth.yml) is compared with.
/** Spec schema name → our voice event (file schemas/voice/<event>.schema.json). */
export const VOICE_SPEC_TO_EVENT: Readonly<Record<string, string>> = {
  answerCallback: "answer",
  bridgeCompleteCallback: "bridgeComplete",
  bridgeTargetCompleteCallback: "bridgeTargetComplete",
  conferenceCreatedCallback: "conferenceCreated",
  conferenceRedirectCallback: "conferenceRedirect",
  conferenceMemberJoinCallback: "conferenceMemberJoin",
  conferenceMemberExitCallback: "conferenceMemberExit",
  conferenceCompletedCallback: "conferenceCompleted",
  conferenceRecordingAvailableCallback: "conferenceRecordingAvailable",
  disconnectCallback: "disconnect",
  dtmfCallback: "dtmf",
  gatherCallback: "gather",
  initiateCallback: "initiate",
  machineDetectionCompleteCallback: "machineDetectionComplete",
  // The spec names the record-complete event "recordingComplete"; ours is recordComplete (a rename in generator/families.ts).
  recordingCompleteCallback: "recordComplete",
  recordingAvailableCallback: "recordingAvailable",
  redirectCallback: "redirect",
  transcriptionAvailableCallback: "transcriptionAvailable",
  transferAnswerCallback: "transferAnswer",
  transferCompleteCallback: "transferComplete",
  transferDisconnectCallback: "transferDisconnect",
};
