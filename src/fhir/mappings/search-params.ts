// Reading FHIR search parameters: tokens (system|code), references (Type/id) and dates with
// their prefixes, turned into plain values the services' queries take.
import { CarnetError } from '../../domain/errors.js';

export type Query = Record<string, string | string[] | undefined>;

/** Every value of a parameter (repeated parameters AND, comma-separated values OR: here both flatten). */
export function values(q: Query, name: string): string[] {
  const v = q[name];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

export function single(q: Query, name: string): string | undefined {
  const all = values(q, name);
  if (all.length > 1) throw invalidParam(name, `${name} takes one value here`);
  return all[0];
}

export function invalidParam(name: string, message: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location: name });
}

export interface Token {
  system?: string;
  code: string;
}

/** `system|code`, `|code` (no system) or `code` (any system). */
export function parseToken(value: string): Token {
  const bar = value.indexOf('|');
  if (bar < 0) return { code: value };
  return { system: value.slice(0, bar), code: value.slice(bar + 1) };
}

/** `Type/id`, an absolute URL ending in `Type/id`, or a bare id; the type must be one of `types`. */
export function parseReference(value: string, types: string[], name: string): { type?: string; id: string } {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(value);
  if (m) {
    if (!types.includes(m[1])) throw invalidParam(name, `${name} refers to ${types.join(' or ')}, not ${m[1]}`);
    return { type: m[1], id: m[2] };
  }
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(value)) return { id: value };
  throw invalidParam(name, `${name}: "${value}" is not a reference`);
}

/** A FHIR date/dateTime as the half-open interval of its precision. */
export function dateRange(value: string, name: string): { start: Date; end: Date } {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(value);
  if (!m) throw invalidParam(name, `${name}: "${value}" is not a FHIR date`);
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  if (h !== undefined) {
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${tz ?? 'Z'}`;
    const start = new Date(iso);
    if (Number.isNaN(start.getTime())) throw invalidParam(name, `${name}: "${value}" is not a FHIR date`);
    const step = s === undefined ? 60_000 : frac ? 1 : 1000;
    return { start, end: new Date(start.getTime() + step) };
  }
  const year = Number(y);
  if (mo === undefined) return { start: new Date(Date.UTC(year, 0, 1)), end: new Date(Date.UTC(year + 1, 0, 1)) };
  const month = Number(mo) - 1;
  if (d === undefined) return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
  const start = new Date(Date.UTC(year, month, Number(d)));
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

/** The `date` parameters (ge, gt, le, lt, eq; several AND) as one [from, to) interval. */
export function dateBounds(q: Query, name: string): { from?: Date; to?: Date } {
  let from: Date | undefined;
  let to: Date | undefined;
  const later = (a: Date | undefined, b: Date) => (a && a > b ? a : b);
  const earlier = (a: Date | undefined, b: Date) => (a && a < b ? a : b);
  for (const raw of values(q, name)) {
    const m = /^(eq|ge|gt|le|lt)?(.*)$/.exec(raw)!;
    const prefix = m[1] ?? 'eq';
    const { start, end } = dateRange(m[2], name);
    if (prefix === 'ge' || prefix === 'eq') from = later(from, start);
    if (prefix === 'gt') from = later(from, end);
    if (prefix === 'le' || prefix === 'eq') to = earlier(to, end);
    if (prefix === 'lt') to = earlier(to, start);
  }
  return { from, to };
}

/** `_count` and `_offset` within the server's bounds. */
export function paging(q: Query, defaultCount: number): { count: number; offset: number } {
  const count = single(q, '_count');
  const offset = single(q, '_offset');
  const n = count === undefined ? defaultCount : Number(count);
  const o = offset === undefined ? 0 : Number(offset);
  if (!Number.isInteger(n) || n < 0) throw invalidParam('_count', '_count must be a non-negative integer');
  if (!Number.isInteger(o) || o < 0) throw invalidParam('_offset', '_offset must be a non-negative integer');
  return { count: n, offset: o };
}
