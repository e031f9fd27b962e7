// Reading FHIR search requests for every route of the door: the parameters in order (GET query
// or POST _search form), the control parameters every search shares, and the values of the
// token, reference and date types.
import type { FastifyRequest } from 'fastify';
import { CarnetError } from '../../domain/errors.js';
import { METADATA_MAX_VALUE_LENGTH } from '../../domain/metadata-limits.js';
import { InputLimitError, SEARCH_MAX_VALUES_VARIABLE } from '../../domain/input-limits.js';
import { fhirSystemToXds } from '../codes.js';
import type { SearchParamDecl } from '../capabilities.js';

export interface SearchParam {
  name: string;
  /** `exact`, `missing`...; undefined without modifier */
  modifier?: string;
  value: string;
}

/**
 * Parameters of a search, from the URL and, for `POST …/_search`, the form body too. Each
 * parameter and each comma of its value (an alternative) counts towards the search's values
 * (CARNET_SEARCH_MAX_VALUES): past them the search is refused here, before anything reads its
 * values or a query names them (a form of a megabyte holds a hundred thousand codes). One value
 * (one alternative of a parameter) is refused past the metadata value limit the same way, naming
 * its parameter; an OR-list of many short alternatives is the values limit's to bound.
 */
export function searchParamsOf(req: FastifyRequest): SearchParam[] {
  const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
  const sources = [query];
  if (req.method === 'POST' && typeof req.body === 'string') sources.push(req.body);
  const max = req.server.inputLimits.searchMaxValues;
  let values = 0;
  const out: SearchParam[] = [];
  for (const source of sources) {
    for (const [key, value] of new URLSearchParams(source)) {
      values += 1 + commasIn(value);
      if (values > max) throw tooManyValues(max);
      const colon = key.indexOf(':');
      if (value.length > METADATA_MAX_VALUE_LENGTH) {
        const longest = splitOr(value).reduce((most, v) => Math.max(most, v.length), 0);
        if (longest > METADATA_MAX_VALUE_LENGTH) throw tooLong(colon < 0 ? key : key.slice(0, colon), longest);
      }
      out.push(colon < 0 ? { name: key, value } : { name: key.slice(0, colon), modifier: key.slice(colon + 1), value });
    }
  }
  return out;
}

function commasIn(value: string): number {
  let n = 0;
  for (let at = value.indexOf(','); at >= 0; at = value.indexOf(',', at + 1)) n++;
  return n;
}

/**
 * A value longer than any stored one (the metadata value limit) cannot match anything, and would
 * only cost: each search reads it, sends it to SQL and writes it back in the bundle's links.
 */
function tooLong(name: string, length: number): CarnetError {
  return invalidParam(name, `parameter ${name}: a value of ${length} characters is longer than the ${METADATA_MAX_VALUE_LENGTH} a search value may hold`);
}

function tooManyValues(max: number): InputLimitError {
  return new InputLimitError('too_costly', `the search gives more values than ${max} (${SEARCH_MAX_VALUES_VARIABLE}), counting every parameter and each of its comma-separated alternatives`, SEARCH_MAX_VALUES_VARIABLE);
}

/**
 * A search ignores the parameters it does not support (R4 search.html#errors, and MHD: a
 * Document Responder ignores what it does not support) unless the client asks
 * `Prefer: handling=strict`, which makes them an error.
 */
export function isLenient(req: FastifyRequest): boolean {
  const prefer = req.headers.prefer;
  return !(typeof prefer === 'string' && /(^|[;,\s])handling=strict\b/i.test(prefer));
}

export function invalidParam(name: string, message: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location: name });
}

export function keyOf(p: SearchParam): string {
  return p.modifier ? `${p.name}:${p.modifier}` : p.name;
}

/** Parameters every search accepts besides its own. */
export const CONTROL_PARAMS = new Set(['_count', '_offset', '_total', '_sort', '_format', '_pretty']);

/** The paging and result parameters as the CapabilityStatement declares them for a paged search. */
export const PAGING_PARAM_DECLS = [
  { name: '_count', type: 'number', documentation: 'page size, at most the server\'s maximum' },
  { name: '_offset', type: 'number', documentation: 'where the page starts (the next and previous links carry it)' },
  { name: '_total', type: 'token', documentation: 'none | estimate | accurate; ITI-67 always gives Bundle.total' },
] satisfies SearchParamDecl[];

/** The modifiers a search honours, by parameter name (`{ actor: ['identifier'] }`); none otherwise. */
export type HonouredModifiers = Readonly<Record<string, readonly string[]>>;

/**
 * A parameter the route does not declare in the CapabilityStatement, or a declared one with a
 * modifier the route does not honour (`status:not`, `type:text`, `date:missing`...), is left out
 * and named in the returned list, for the searchset's outcome entry (and so out of its links);
 * under Prefer: handling=strict it is refused, before any service is asked (and so before any
 * trace is written). The routes read values by name and modifier (`values(q, 'actor:identifier')`),
 * so a parameter whose modifier is not honoured was dropped in silence: the search answered more
 * than was asked.
 */
export function undeclared(req: FastifyRequest, params: SearchParam[], declared: Set<string>, resourceType: string, honoured: HonouredModifiers = {}): string[] {
  const ignored: string[] = [];
  const lenient = isLenient(req);
  for (const p of params) {
    if (CONTROL_PARAMS.has(p.name) && p.modifier === undefined) continue;
    const known = declared.has(p.name) && (p.modifier === undefined || (Object.hasOwn(honoured, p.name) && honoured[p.name].includes(p.modifier)));
    if (!known) unsupported(p, resourceType, lenient, ignored);
  }
  return ignored;
}

/**
 * A parameter the route does not support: left out and named in `ignored` for the searchset's
 * outcome entry, or refused under Prefer: handling=strict.
 */
export function unsupported(p: SearchParam, resourceType: string, lenient: boolean, ignored: string[]): void {
  const label = keyOf(p);
  if (!lenient) throw invalidParam(label, `the search parameter ${label} is not supported on ${resourceType}`);
  ignored.push(label);
}

/**
 * Every value of a parameter, `name` with its modifier if any (`actor:identifier`): repeated
 * parameters and comma-separated alternatives flatten into one list.
 */
export function values(params: SearchParam[], name: string): string[] {
  return params
    .filter((p) => keyOf(p) === name)
    .flatMap((p) => splitOr(p.value))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The one value of a parameter that takes one, if given. */
export function single(params: SearchParam[], name: string): string | undefined {
  const all = values(params, name);
  if (all.length > 1) throw invalidParam(name, `${name} takes one value here`);
  return all[0];
}

export interface Paging {
  count: number;
  offset: number;
  total: boolean;
}

/** `_count` (bounded by the server's page size), `_offset`, `_total`. */
export function pagingOf(params: SearchParam[], limits: { defaultPageSize: number; maxPageSize: number }): Paging {
  const int = (name: string): number | undefined => {
    const p = params.filter((x) => x.name === name && x.modifier === undefined);
    if (p.length === 0) return undefined;
    const v = p[p.length - 1].value;
    if (!/^\d{1,9}$/.test(v)) throw invalidParam(name, `${name} must be a non-negative integer`);
    return Number(v);
  };
  const count = Math.min(int('_count') ?? limits.defaultPageSize, limits.maxPageSize);
  const offset = int('_offset') ?? 0;
  const totalMode = params.find((x) => x.name === '_total' && x.modifier === undefined)?.value ?? 'accurate';
  if (!['none', 'estimate', 'accurate'].includes(totalMode)) throw invalidParam('_total', '_total must be none, estimate or accurate');
  return { count, offset, total: totalMode !== 'none' };
}

export interface TokenValue {
  /** as given (a FHIR URI), undefined when the token has no `|` */
  system?: string;
  code: string;
}

/** One token: `system|code`, `|code` (no system) or `code` (any system). */
export function token(value: string): TokenValue {
  const bar = value.indexOf('|');
  if (bar < 0) return { code: value };
  const system = value.slice(0, bar);
  return system ? { system, code: value.slice(bar + 1) } : { code: value.slice(bar + 1) };
}

/** One token parameter: comma-separated alternatives of `[system|]code`. */
export function tokens(value: string): TokenValue[] {
  return splitOr(value).map(token);
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

/**
 * The `identifier` of MHD resources: entryUUIDs (`urn:uuid:`) or uniqueIds (`urn:oid:` dropped),
 * never both in one parameter since they are different attributes.
 */
export function identifierCriterion(value: string): { uuids: string[]; uniqueIds: string[] } {
  const codes = tokens(value).map((t) => t.code);
  const uuids = codes.filter((v) => /^urn:uuid:/i.test(v));
  const uniqueIds = codes.filter((v) => !/^urn:uuid:/i.test(v)).map((v) => (v.startsWith('urn:oid:') ? v.slice(8) : v));
  if (uuids.length && uniqueIds.length) throw invalidParam('identifier', 'identifier: do not mix urn:uuid and other identifiers in one parameter');
  return { uuids, uniqueIds };
}

/** A coded criterion for the store: FHIR systems back to XDS codingSchemes. */
export function codeCriterion(value: string): Array<{ code: string; system?: string }> {
  return tokens(value).map((t) => (t.system ? { code: t.code, system: fhirSystemToXds(t.system) } : { code: t.code }));
}

/** Comma splits alternatives; `\,` is a literal comma (FHIR search escaping). */
export function splitOr(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      current += value[++i];
    } else if (c === ',') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.filter((p) => p !== '');
}

export interface DateRange {
  from?: Date;
  to?: Date;
}

const DATE_VALUE = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** Midnight UTC of a day; months and days past their end roll over (only for range ends). */
function utcDay(y: number, m: number, d: number): Date {
  const date = new Date(Date.UTC(2000, 0, 1));
  date.setUTCFullYear(y, m, d);
  return date;
}

/**
 * Calendar fields that name a real instant: FHIR's date type has no year 0000 (its regex starts
 * at 0001), months 01-12, days within their month, times below 24:00:00, zones within ±14:00.
 */
function realCalendarFields(y: string, mo?: string, d?: string, h?: string, mi?: string, s?: string, tz?: string): boolean {
  const Y = Number(y);
  if (Y === 0) return false;
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) return false;
  if (d !== undefined) {
    const last = utcDay(Y, Number(mo), 0).getUTCDate();
    if (Number(d) < 1 || Number(d) > last) return false;
  }
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return false;
  if (tz && tz !== 'Z' && (Number(tz.slice(1, 3)) > 14 || Number(tz.slice(4, 6)) > 59)) return false;
  return true;
}

/**
 * A date parameter as a half-open range [from, to): the value stands for the whole interval its
 * precision names (2024-05 = the month), and eq/ge/gt/le/lt bound it accordingly. Several
 * parameters of one name narrow each other (AND). A dateTime without a zone is read in the
 * server's zone, UTC (FHIR search, date: the server's local time is assumed).
 */
export function dateRange(values: string[], name: string): DateRange {
  const range: DateRange = {};
  for (const raw of values) {
    const m = DATE_VALUE.exec(raw);
    if (!m) throw invalidParam(name, `${name}: ${raw} is not a FHIR date or dateTime`);
    const [, prefix = 'eq', y, mo, d, h, mi, s, frac, tz = 'Z'] = m;
    if (!realCalendarFields(y, mo, d, h, mi, s, tz)) throw invalidParam(name, `${name}: ${raw} is not a valid date (no such month, day or time)`);
    let lower: Date;
    let upper: Date;
    if (h === undefined) {
      const Y = Number(y);
      const M = mo ? Number(mo) - 1 : 0;
      const D = d ? Number(d) : 1;
      lower = utcDay(Y, M, D);
      upper = d ? utcDay(Y, M, D + 1) : mo ? utcDay(Y, M + 1, 1) : utcDay(Y + 1, 0, 1);
    } else {
      lower = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${tz}`);
      upper = new Date(lower.getTime() + (s === undefined ? 60_000 : frac ? 1 : 1000));
    }
    if (Number.isNaN(lower.getTime())) throw invalidParam(name, `${name}: ${raw} is not a valid date`);
    const narrowFrom = (v: Date) => (range.from = range.from && range.from > v ? range.from : v);
    const narrowTo = (v: Date) => (range.to = range.to && range.to < v ? range.to : v);
    switch (prefix) {
      case 'eq':
        narrowFrom(lower);
        narrowTo(upper);
        break;
      case 'ge':
        narrowFrom(lower);
        break;
      case 'gt':
        narrowFrom(upper);
        break;
      case 'le':
        narrowTo(upper);
        break;
      case 'lt':
        narrowTo(lower);
        break;
      default:
        throw invalidParam(name, `${name}: the prefix ${prefix} is not supported (eq, ge, gt, le, lt are)`);
    }
  }
  return range;
}
