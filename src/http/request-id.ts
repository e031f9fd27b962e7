// The caller's x-request-id, taken as the request's id only when the log may hold it as given:
// the id goes into every log line of the request, into the answer and into the trace, and a
// client that builds its ids from what it has at hand may put a patient's identifier in one.

/** Control characters and spaces never pass: no log line is forged through the id. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const UUID_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/**
 * A number as a person writes one, in one run of digits or in parts joined by `.`, `-`, `_` or
 * `:` (a dotted INS 1.85.03.75.123.456.78, a phone number 06-12-34-56-78, a date 1985-03-12), and
 * not touching a hex letter: a run between two is part of a hexadecimal id (a 32-digit trace id
 * holds 8 decimal digits in a row about every other time).
 */
const NUMBER = /(?<![0-9a-f])\d+(?:[._:-]\d+)*(?![0-9a-f])/gi;
/** dd.mm.yy, dd-mm-yy: a date of birth without its century */
const SHORT_DATE = /^\d{2}([.-])\d{2}\1\d{2}$/;

/**
 * Whether a number of the id reads as a person's identifier or date: 8 digits or more in one run
 * (an INS of 13 or 15, an RPPS, a date 19850312) or in three parts or more (a date 12.03.1985, a
 * phone number, a dotted INS), 10 or more in two (an INS with its key apart, 1850375123456-78),
 * or a short date. A ticket and its sequence (4711-0001) stay.
 */
function readsAsIdentifier(number: string): boolean {
  const parts = number.split(/[._:-]/);
  const digits = parts.reduce((n, p) => n + p.length, 0);
  if (parts.some((p) => p.length >= 8) || SHORT_DATE.test(number)) return true;
  return parts.length >= 3 ? digits >= 8 : parts.length === 2 && digits >= 10;
}

/** A W3C traceparent: version, trace id, parent id, flags. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
/** A ULID: a time of 10 characters, then 16 random ones, in Crockford's base 32. */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** ULIDs came in 2016; a client's clock runs ahead by less than a year */
const ULID_SINCE = Date.UTC(2016, 0, 1);
const YEAR_MS = 366 * 24 * 3600 * 1000;

/**
 * Ids made by a machine, whose random digits fall into a long run now and then (a traceparent's
 * parent id all decimal, a ULID's random part: about one in 1,900 of each): taken whole. A ULID
 * only when its first ten characters are a time between 2016 and a year from now, as a ULID's
 * are: a phone number or an INS at its head reads as a time before 2015 or after 2039.
 */
function machineId(given: string): boolean {
  if (TRACEPARENT.test(given)) return true;
  if (!ULID.test(given)) return false;
  const time = [...given.slice(0, 10)].reduce((t, c) => t * 32 + CROCKFORD.indexOf(c), 0);
  return time >= ULID_SINCE && time < Date.now() + YEAR_MS;
}

/** The caller's x-request-id when it is one the log may hold as given; the server's own answers otherwise. */
export function givenRequestId(given: unknown): string | undefined {
  if (typeof given !== 'string' || !REQUEST_ID.test(given)) return undefined;
  if (machineId(given)) return given;
  for (const [n] of given.replace(UUID_TEXT, '-').matchAll(NUMBER)) if (readsAsIdentifier(n)) return undefined;
  return given;
}
