// Log settings: one JSON line per request, with secrets removed before anything is written.
// Authorization headers, cookies, passwords, one-time codes and tokens never reach a log (AUTH-06),
// nor the values of query parameters (patient identifiers), nor anything an error carries beyond
// what util/loggable-error.ts lets through (never the values of a row, a key or a statement).
import type { LoggerOptions } from 'pino';
import { loggableError } from '../util/loggable-error.js';

/** Field names whose values are secrets wherever they appear (bodies, query strings, objects). */
export const SECRET_KEYS = ['password', 'newPassword', 'currentPassword', 'code', 'token', 'access_token', 'id_token', 'refresh_token', 'secret', 'assertion', 'challenge'];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    // `err` as every caller logs an error; the hook below brings an error under any other name,
    // or passed alone, to the same form, and Fastify's own lines with it.
    // `req` as Fastify's own lines would write it: the path and the names of the query parameters.
    serializers: { err: loggableError, req: (req: { method?: string; url?: string }) => ({ method: req.method, url: loggableUrl(req.url ?? '') }) },
    hooks: { logMethod: loggableArguments },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}

/** What the log blanks, wherever a line holds it. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `body.${k}`]),
];

/** The first name of every path above (`req`, `headers`, `code`...): a line without any of them at its top has nothing the paths reach from there. */
const REDACTED_TOP = new Set(REDACT_PATHS.filter((p) => !p.startsWith('*.')).map((p) => p.split('.')[0]!));
/** The names `*.name` blanks one level down, in whatever object. */
const REDACTED_BELOW = new Set(REDACT_PATHS.filter((p) => p.startsWith('*.')).map((p) => p.slice(2)));

/**
 * Whether the redaction pass could change anything in a line of these fields: a top-level name
 * one of its paths starts with, or a name `*.name` blanks in an object one level down (no path
 * reaches deeper without a top-level name of its own). When false, the line may be written
 * without the pass (which clones and walks every object value: 15-20 µs a request line, more than
 * the rest of its writing) and holds exactly what the pass would have left.
 */
export function redactionReaches(fields: Record<string, unknown>): boolean {
  for (const k of Object.keys(fields)) {
    if (REDACTED_TOP.has(k)) return true;
    const v = fields[k];
    if (v !== null && typeof v === 'object') for (const inner of Object.keys(v)) if (REDACTED_BELOW.has(inner)) return true;
  }
  return false;
}

/**
 * A URL fit for a log line: the path, its segments as loggablePath writes them, and the names of
 * the query parameters without their values. Values name patients (an INS in
 * `patient.identifier`), documents and codes; the log keeps none of them.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return loggablePath(url);
  const names = [...new Set(url.slice(q + 1).split('&').map((p) => loggableName(p.split('=')[0]!)).filter(Boolean))];
  return names.length ? `${loggablePath(url.slice(0, q))}?${names.join('&')}` : loggablePath(url.slice(0, q));
}

/**
 * A query parameter's name as the log writes it: kept when each of its parts (a chain's
 * resource and parameter, a modifier: `patient.identifier`, `type:text`) is a name the server
 * knows (queryWords, or a route's word), `…` otherwise. A name is the caller's to write: a value
 * sent without its `=` (`?urn:oid:...|<INS>`, `?Durand`), with it escaped
 * (`?identifier%3D<INS>`), or a patient's name given as a parameter's (`?Durand=1`) are no
 * parameter of Carnet's.
 */
function loggableName(name: string): string {
  return !name || (name.length <= 64 && name.split(/[.:]/).every((part) => queryWords.has(part) || routeWords.has(part))) ? name : '…';
}

/**
 * The query parameters' names (and their parts) a logged query keeps: those every FHIR search
 * takes, FHIR's modifiers, the auth routes' own, and each search parameter a FHIR route declares
 * (addQueryWords, from its CapabilityStatement's declarations).
 */
const queryWords = new Set<string>([
  '_count', '_offset', '_total', '_sort', '_format', '_pretty', '_summary', '_elements', '_include', '_revinclude', '_id', '_lastUpdated', '_since', '_at', '_type', '_list', '_has', '_tag', '_profile', '_security',
  'exact', 'contains', 'missing', 'text', 'not', 'above', 'below', 'in', 'not-in', 'of-type', 'identifier', 'iterate', 'code-text', 'text-advanced',
  'status', 'count', 'kind', 'to', 'page',
]);

/** Adds search parameters' names to those a logged query keeps. */
export function addQueryWords(names: Iterable<string>): void {
  for (const n of names) queryWords.add(n);
}

/**
 * The words of the server's routes (`fhir`, `Patient`, `_history`, `$everything`): the path
 * segments a log line writes as they are. The server adds each route's as it is registered.
 */
const routeWords = new Set<string>();

/** Adds a route's fixed segments (not its parameters) to the words a logged path keeps. */
export function addRouteWords(routeUrl: string): void {
  for (const s of routeUrl.split('/')) if (s && !s.startsWith(':') && !s.includes('*')) routeWords.add(s);
}

/** Carnet's own keys (records, documents, lists, traces): opaque, they name nobody. */
const CARNET_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** a version (`_history/3`): kept only after `_history`, where the routes take one */
const SMALL_NUMBER = /^\d{1,3}$/;

/**
 * A path fit for a log line: a segment is written when it is a route's word, one of Carnet's
 * keys or a version number after `_history`, and as `…` otherwise. The path is the caller's to
 * write: a client reads `/fhir/Patient/<INS>` or `/fhir/Patient/<name>`, or escapes its query
 * (`/fhir/Patient%3Fidentifier=...`); those segments are no route's and no key of Carnet's.
 */
export function loggablePath(path: string): string {
  // a small number anywhere else is the caller's: a date of birth in the path, /12/03/85
  const segments = path.split('/');
  return segments.map((s, i) => (s === '' || routeWords.has(s) || CARNET_KEY.test(s) || (SMALL_NUMBER.test(s) && segments[i - 1] === '_history') ? s : '…')).join('/');
}

/**
 * A log call's arguments with every error in them as loggableError makes it: an error passed
 * alone (pino would take its raw message as the line's), or as a value of the logged object
 * under whatever name. A message string is kept, its query strings cut: Fastify's own warnings
 * quote the request's URL.
 */
function loggableArguments(this: unknown, args: unknown[], method: (...a: unknown[]) => void): void {
  const [first, ...rest] = args;
  let obj = first;
  if (first instanceof Error) {
    const err = loggableError(first);
    obj = { err };
    if (typeof rest[0] !== 'string' && err.message !== undefined) rest.unshift(err.message);
  } else if (first !== null && typeof first === 'object') {
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(first)) {
      if (v instanceof Error) (copy ??= { ...first })[k] = loggableError(v);
    }
    if (copy) obj = copy;
  } else if (typeof first === 'string') {
    obj = maskedUrls(first);
  }
  const more = rest.map((a) => (typeof a === 'string' ? maskedUrls(a) : a instanceof Error ? loggableError(a) : a));
  method.apply(this, [obj, ...more]);
}

/**
 * A request's URL quoted in a text (Fastify's warnings: `in the "<url>" (GET) route`) as the
 * request's line writes it; any other query string's values cut: `/fhir/Patient?identifier=...`
 * -> `/fhir/Patient?…`.
 */
function maskedUrls(text: string): string {
  const urls = text.includes('"/') ? text.replace(/"(\/[^"\s]*)"/g, (_q, url: string) => `"${loggablePath(url.split('?')[0]!)}${url.includes('?') ? '?…' : ''}"`) : text;
  return urls.includes('?') ? urls.replace(/\?[^\s"'`)]+/g, '?…') : urls;
}
