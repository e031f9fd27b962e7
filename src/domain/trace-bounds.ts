// TRACE-01/02: what one trace row may hold of the text a request carried. The trace is kept for
// good and nothing may delete or alter a row, so a row is bounded when it is built, before it is
// hashed: a door that forgets to bound an input (a reason, an id, a search's values) then costs a
// row of some kilobytes, not the megabyte of its request. The limits are above what any
// legitimate row holds, each input having its own, lower limit at its door: nothing legitimate is
// cut. What is cut says so (docs/SECURITY.md, "What a trace row may hold").
import { METADATA_MAX_VALUE_LENGTH } from './metadata-limits.js';

/**
 * Characters of one text of a row's details: the longest free text a request may leave in a row,
 * the reason for closing a record, is refused past the metadata value limit; so are a search's values.
 */
export const TRACE_MAX_TEXT_LENGTH = METADATA_MAX_VALUE_LENGTH;
/** Characters of a row's target (its kind and its id): ids and codes, of a few dozen characters. */
export const TRACE_MAX_TARGET_LENGTH = 256;
/**
 * Characters of a row's details as JSON. The largest legitimate ones, a registry update naming its
 * objects by entryUUID or a search summarised (record-searches.ts), hold some kilobytes.
 */
export const TRACE_MAX_DETAILS_CHARS = 64 * 1024;

/** The key of the entry that says what an object of the details lost (an array's last value says so for it). */
export const TRACE_CUT_KEY = '…';

/** Room kept for the marker of a list or an object cut: `,"…":"[cut: 123456789 of 123456789 entries]"`. */
const MARKER_ROOM = 64;

const cutMark = (chars: number) => `… [cut: ${chars} characters]`;
const listMark = (kept: number, all: number, what: string) => `[cut: ${kept} of ${all} ${what}]`;
const jsonSize = (v: unknown) => JSON.stringify(v).length;

/**
 * `text` whole if it holds at most `max` characters; otherwise its first `max` (never half of a
 * surrogate pair, which PostgreSQL's jsonb refuses) and a marker saying how long it was.
 */
export function boundTraceText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${wholeCharactersWithin(text, max)}${cutMark(text.length)}`;
}

/**
 * The start of `text` within `max` UTF-16 units, never ending on the first half of a character
 * of two units (a lone half is text the store's JSON refuses: the row holding it is not written).
 */
export function wholeCharactersWithin(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * The details of a row, bounded: every text cut at TRACE_MAX_TEXT_LENGTH, then the whole kept
 * within TRACE_MAX_DETAILS_CHARS as JSON, values kept in order while they fit, and the first that
 * does not cut in its turn or left out, a marker saying how many were kept. `details` is JSON data
 * (what JSON.parse gives); the answer is too.
 */
export function boundTraceDetails(details: Record<string, unknown>): Record<string, unknown> {
  const texts = cutTexts(details) as Record<string, unknown>;
  if (jsonSize(texts) <= TRACE_MAX_DETAILS_CHARS) return texts;
  return (fit(texts, TRACE_MAX_DETAILS_CHARS) ?? {}) as Record<string, unknown>;
}

function cutTexts(v: unknown): unknown {
  if (typeof v === 'string') return boundTraceText(v, TRACE_MAX_TEXT_LENGTH);
  if (Array.isArray(v)) return v.map(cutTexts);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[boundTraceText(k, TRACE_MAX_TEXT_LENGTH)] = cutTexts(x);
    return out;
  }
  return v;
}

/** `v` within `room` characters of JSON, cut where it must be; null if not even a marker fits. */
function fit(v: unknown, room: number): unknown {
  const size = jsonSize(v);
  if (size <= room) return v;
  if (typeof v === 'string') {
    // escapes make the JSON longer than the text: shorten until it fits
    let keep = room - 2 - cutMark(v.length).length;
    while (keep > 0) {
      const cut = boundTraceText(v, keep);
      const over = jsonSize(cut) - room;
      if (over <= 0) return cut;
      keep -= over;
    }
    return null;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    let used = 2;
    for (const x of v) {
      const part = fit(x, room - used - 1 - MARKER_ROOM);
      if (part === null) break;
      out.push(part);
      used += jsonSize(part) + 1;
      if (part !== x) break;
    }
    if (room < used + MARKER_ROOM) return null;
    out.push(listMark(out.length, v.length, 'values'));
    return out;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    const out: Record<string, unknown> = {};
    let used = 2;
    let kept = 0;
    for (const [k, x] of entries) {
      const keySize = jsonSize(k) + 1;
      const part = fit(x, room - used - keySize - 1 - MARKER_ROOM);
      if (part === null) break;
      out[k] = part;
      kept++;
      used += keySize + jsonSize(part) + 1;
      if (part !== x) break;
    }
    if (room < used + MARKER_ROOM) return null;
    out[TRACE_CUT_KEY] = listMark(kept, entries.length, 'entries');
    return out;
  }
  return null;
}
