// Reading JSON request bodies under limits: depth, the length of any array, the keys of any
// object, the entries of a Bundle (a top-level `entry` array), the number of values in all. One pass over the text checks
// them before JSON.parse builds anything, so a body past a limit costs a scan, not a tree, and
// nothing downstream (validation, mapping) ever walks a shape deeper or wider than allowed. Keys
// that reach an object's prototype (`__proto__`, `constructor`) are refused outright.
import { CarnetError } from '../domain/errors.js';
import { InputLimitError } from '../domain/input-limits.js';

export interface JsonLimits {
  /** nesting of objects and arrays */
  maxDepth: number;
  /** elements of one array */
  maxArrayLength: number;
  /**
   * keys of one object: JavaScript's reader turns a very wide object into a slow dictionary (a
   * body of one 80,000-key object cost ten times an ordinary body of its size), and no FHIR
   * element, patch or form holds more than a few dozen
   */
  maxKeys: number;
  /** elements of the top-level `entry` array (Bundle.entry) */
  maxBundleEntries: number;
  /** values (objects, arrays, strings, numbers, literals) in the whole body */
  maxValues: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = {
  maxDepth: 64,
  maxArrayLength: 10_000,
  maxKeys: 1000,
  maxBundleEntries: 500,
  maxValues: 500_000,
};

export const JSON_LIMIT_VARIABLES: Record<keyof JsonLimits, string> = {
  maxDepth: 'CARNET_JSON_MAX_DEPTH',
  maxArrayLength: 'CARNET_JSON_MAX_ARRAY_LENGTH',
  maxKeys: 'CARNET_JSON_MAX_KEYS',
  maxBundleEntries: 'CARNET_BUNDLE_MAX_ENTRIES',
  maxValues: 'CARNET_JSON_MAX_VALUES',
};

const WHAT: Record<keyof JsonLimits, string> = {
  maxDepth: 'JSON objects and arrays are nested deeper than',
  maxArrayLength: 'a JSON array holds more elements than',
  maxKeys: 'a JSON object holds more keys than',
  maxBundleEntries: 'the Bundle holds more entries than',
  maxValues: 'the JSON holds more values than',
};

function limitError(limit: keyof JsonLimits, value: number): InputLimitError {
  return new InputLimitError('too_costly', `${WHAT[limit]} ${value} (${JSON_LIMIT_VARIABLES[limit]})`, JSON_LIMIT_VARIABLES[limit]);
}

/** Keys that would reach Object.prototype once the value is copied or merged. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function notJson(): CarnetError {
  return new CarnetError('invalid_metadata', 'the body is not valid JSON', { reason: 'invalid_request' });
}

/** The index of the quote that closes the string opening at `open`. */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) throw notJson();
    let backslashes = 0;
    for (let k = q - 1; k > open && text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}

interface Container {
  array: boolean;
  /** where the object's keys start in the scan's key stack */
  keysFrom: number;
  /** its keys once it holds more than a few (FHIR objects hold a handful) */
  keySet?: Set<string>;
  /** an array's elements, an object's keys */
  length: number;
  max: number;
  limit: keyof JsonLimits;
}

/** Throws the first limit the text passes (InputLimitError), or a 400 for a prototype key. */
export function scanJson(text: string, limits: JsonLimits): void {
  const stack: Container[] = [];
  /** the keys of the open objects, each object's after its parent's */
  const keys: string[] = [];
  let values = 0;
  let key: string | undefined;
  const n = text.length;
  const valueStarts = () => {
    values++;
    if (values > limits.maxValues) throw limitError('maxValues', limits.maxValues);
    const top = stack[stack.length - 1];
    if (top?.array) {
      top.length++;
      if (top.length > top.max) throw limitError(top.limit, top.max);
    }
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === 0x2c /* , */) {
      i++;
    } else if (c === QUOTE) {
      const end = stringEnd(text, i);
      let j = end + 1;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      const top = stack[stack.length - 1];
      if (top && !top.array && text.charCodeAt(j) === COLON) {
        const raw = text.slice(i + 1, end);
        key = raw.includes('\\') ? decodeKey(text.slice(i, end + 1)) : raw;
        if (FORBIDDEN_KEYS.has(key)) {
          throw new CarnetError('invalid_metadata', `the JSON holds a "${key}" key, which is never accepted`, { reason: 'invalid_request' });
        }
        if (++top.length > limits.maxKeys) throw limitError('maxKeys', limits.maxKeys);
        keyOnce(top, keys, key);
        i = j + 1;
        continue;
      }
      valueStarts();
      i = end + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      valueStarts();
      if (stack.length + 1 > limits.maxDepth) throw limitError('maxDepth', limits.maxDepth);
      const array = c === 0x5b;
      const isEntries = array && stack.length === 1 && key === 'entry';
      stack.push({
        array,
        keysFrom: keys.length,
        length: 0,
        max: isEntries ? Math.min(limits.maxBundleEntries, limits.maxArrayLength) : limits.maxArrayLength,
        limit: isEntries && limits.maxBundleEntries <= limits.maxArrayLength ? 'maxBundleEntries' : 'maxArrayLength',
      });
      key = undefined;
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      const closed = stack.pop();
      if (!closed) throw notJson();
      keys.length = closed.keysFrom;
      key = undefined;
      i++;
    } else {
      // a number or a literal: up to the next delimiter
      valueStarts();
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isSpace(d) || d === 0x2c || d === 0x7d || d === 0x5d) break;
        i++;
      }
    }
  }
}

/**
 * Refuses a key an object already holds. JSON.parse keeps the last of them, another reader (a
 * proxy, a validator, the sender's own log) may keep the first: one body read as two resources
 * (RFC 8259 §4 leaves the meaning of such an object to each reader).
 */
function keyOnce(object: Container, keys: string[], key: string): void {
  let seen: boolean;
  if (object.keySet) {
    seen = object.keySet.has(key);
    object.keySet.add(key);
  } else {
    seen = false;
    for (let k = object.keysFrom; k < keys.length && !seen; k++) seen = keys[k] === key;
    keys.push(key);
    if (keys.length - object.keysFrom > 32) object.keySet = new Set(keys.slice(object.keysFrom));
  }
  if (seen) {
    const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
    throw new CarnetError('invalid_metadata', `the JSON holds the key "${shown}" twice in one object, which leaves its value open`, { reason: 'invalid_request' });
  }
}

function decodeKey(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw notJson();
  }
}

/** Parses a JSON body under the limits; '' (an empty body) gives undefined. */
export function parseJson(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return undefined;
  scanJson(body, limits);
  try {
    return JSON.parse(body);
  } catch {
    throw notJson();
  }
}

/**
 * The values (objects, arrays, strings, numbers, literals) of a value already parsed, counted as
 * scanJson counts them in text; the count stops once past `max` (the answer is then `max + 1`), so
 * that counting never costs more than the limit, however large the value.
 */
export function countJsonValues(value: unknown, max: number): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (++n > max) return max + 1;
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) stack.push(x);
  }
  return n;
}

/** The error of a value past CARNET_JSON_MAX_VALUES, for a reader that counts values itself. */
export function tooManyJsonValues(limits: JsonLimits): InputLimitError {
  return limitError('maxValues', limits.maxValues);
}

/** Bundle.entry of a resource read from XML, held to the same limit as a JSON Bundle's. */
export function checkBundleEntries(resource: unknown, limits: JsonLimits): void {
  const r = resource as { resourceType?: unknown; entry?: unknown };
  if (r && r.resourceType === 'Bundle' && Array.isArray(r.entry) && r.entry.length > limits.maxBundleEntries) {
    throw limitError('maxBundleEntries', limits.maxBundleEntries);
  }
}
