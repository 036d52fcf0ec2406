// The live transcription messages of a simulated call: built from the caller's scripted utterances
// (their text spread evenly over the utterance's time), in Bandwidth's `transcription` message form
// (media-streams.md): with stabilized="true" (the default) one final update per utterance; with
// stabilized="false" a partial update after each word, then the final one.
import type { Utterance } from "./caller-audio.js";

/** One `transcription` message and when (ms from the answer) it is sent. */
export interface ScheduledTranscript {
  readonly dueMs: number;
  readonly message: Record<string, unknown>;
}

/** CHOICE: confidence reported for scripted words (the text is known exactly). */
const CONFIDENCE = 0.95;

interface Word {
  content: string;
  type: "PRONUNCIATION" | "PUNCTUATION";
  startMs: number;
  endMs: number;
}

function words(utterance: Utterance & { text: string }): Word[] {
  const tokens = utterance.text.trim().split(/\s+/).filter((t) => t !== "");
  const span = Math.max(0, utterance.endMs - utterance.startMs);
  const out: Word[] = [];
  tokens.forEach((token, i) => {
    const startMs = utterance.startMs + Math.round((span * i) / tokens.length);
    const endMs = utterance.startMs + Math.round((span * (i + 1)) / tokens.length);
    const match = /^(.*?)([.,!?;:]*)$/.exec(token)!;
    if (match[1] !== "") out.push({ content: match[1], type: "PRONUNCIATION", startMs, endMs });
    if (match[2] !== "") out.push({ content: match[2], type: "PUNCTUATION", startMs: endMs, endMs });
  });
  return out;
}

/** The text of items, punctuation attached to the word before it. */
const flatten = (items: readonly Word[]): string => items.map((w, i) => (w.type === "PUNCTUATION" || i === 0 ? w.content : ` ${w.content}`)).join("");

/**
 * The transcription messages for the utterances that end after `fromMs` (ms from the answer), times as
 * ISO strings from `anchorMs` (the answer, epoch ms).
 */
export function scheduleTranscripts(
  utterances: readonly Utterance[],
  options: { readonly fromMs: number; readonly anchorMs: number; readonly stabilized: boolean; readonly language: string; readonly track: string },
): ScheduledTranscript[] {
  const iso = (ms: number) => new Date(options.anchorMs + ms).toISOString();
  const out: ScheduledTranscript[] = [];
  for (const utterance of utterances) {
    if (utterance.text === undefined || utterance.endMs <= options.fromMs) continue;
    const all = words(utterance as Utterance & { text: string }).filter((w) => w.endMs > options.fromMs);
    if (all.length === 0) continue;
    const message = (upTo: number, partial: boolean): Record<string, unknown> => {
      const items = all.slice(0, upTo);
      return {
        eventType: "transcription",
        track: options.track,
        startTime: iso(items[0].startMs),
        endTime: iso(items[items.length - 1].endMs),
        isPartial: partial,
        language: options.language,
        transcript: flatten(items),
        items: items.map((w) => ({ content: w.content, startTime: iso(w.startMs), endTime: iso(w.endMs), confidence: w.type === "PUNCTUATION" ? 1 : CONFIDENCE, stable: !partial, type: w.type })),
      };
    };
    if (!options.stabilized) {
      for (let i = 1; i < all.length; i++) if (all[i - 1].type === "PRONUNCIATION") out.push({ dueMs: all[i - 1].endMs, message: message(i, true) });
    }
    out.push({ dueMs: utterance.endMs, message: message(all.length, false) });
  }
  return out.sort((a, b) => a.dueMs - b.dueMs);
}
