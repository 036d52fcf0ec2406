// A small phone menu (IVR) on bw-codegen: the caller hears a menu, presses 1 (sales) or 2 (support),
// and is transferred; no digit, another digit or a failed transfer gets a message and a hang-up.
// Every handler is typed by its event and must return BXML where Bandwidth executes the reply.
import { createBandwidthWebhooks, type WebhookHandlers } from "bw-codegen";
import { Gather, Hangup, PhoneNumber, Response, SpeakSentence, Transfer } from "bw-codegen/bxml";

export interface IvrOptions {
  /** The callback credentials configured on the Bandwidth application. */
  readonly username: string;
  readonly password: string;
  /** Where each menu choice is transferred. */
  readonly sales: string;
  readonly support: string;
  /** Called when a call ends (for logs or metrics). */
  readonly onHangUp?: (callId: string, cause: string) => void;
}

/** The menu prompt, replayed once if the caller presses nothing. */
const MENU = "Thanks for calling. For sales, press 1. For support, press 2.";

export function createIvr(options: IvrOptions): WebhookHandlers {
  // Bandwidth sends a verb's own callbacks (gatherUrl, transferCompleteUrl) with the credentials given
  // on the verb, not the application's: without them those callbacks would be refused with 401.
  const auth = { username: options.username, password: options.password };
  const menu = () =>
    Response(
      // A Gather with a gatherUrl hands the call over: verbs after it would never run. What happens
      // next is decided by the gather handler below, including when no digit was pressed.
      Gather({ gatherUrl: "/callbacks/voice", ...auth, maxDigits: 1, firstDigitTimeout: 5, repeatCount: 2 }, SpeakSentence(MENU)),
    );
  const transfer = (to: string, label: string) =>
    Response(SpeakSentence(`Connecting you to ${label}.`), Transfer({ transferCompleteUrl: "/callbacks/voice", ...auth, callTimeout: 30 }, PhoneNumber(to)));
  const goodbye = (text: string) => Response(SpeakSentence(text), Hangup());

  return createBandwidthWebhooks({
    credentials: [{ username: options.username, password: options.password }],
    voice: {
      initiate: () => menu(), // an inbound call to one of your numbers
      answer: () => menu(), // an outbound call you created was answered
      gather: (event) => {
        if (event.digits === "1") return transfer(options.sales, "sales");
        if (event.digits === "2") return transfer(options.support, "support");
        return goodbye(event.digits ? "Sorry, that is not an option. Goodbye." : "We did not get a choice. Goodbye.");
      },
      // Sent only while the caller is still on the line after the transfer: it failed or the agent hung up.
      transferComplete: (event) => goodbye(event.cause === "hangup" ? "Thanks for calling. Goodbye." : "Nobody could take your call. Please try again later."),
      disconnect: (event) => void options.onHangUp?.(event.callId, event.cause),
    },
  });
}
