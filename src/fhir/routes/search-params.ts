// Reading FHIR search requests: the parameters in order (GET query or POST _search form), the
// control parameters every search shares, and the values of the token and date types.
import type { FastifyRequest } from 'fastify';
import { CarnetError } from '../../domain/errors.js';
import { fhirSystemToXds } from '../codes.js';

export interface SearchParam {
  name: string;
  /** `exact`, `missing`...; undefined without modifier */
  modifier?: string;
  value: string;
}

/** Parameters of a search, from the URL and, for `POST …/_search`, the form body too. */
export function searchParamsOf(req: FastifyRequest): SearchParam[] {
  const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
  const sources = [query];
  if (req.method === 'POST' && typeof req.body === 'string') sources.push(req.body);
  const out: SearchParam[] = [];
  for (const source of sources) {
    for (const [key, value] of new URLSearchParams(source)) {
      const colon = key.indexOf(':');
      out.push(colon < 0 ? { name: key, value } : { name: key.slice(0, colon), modifier: key.slice(colon + 1), value });
    }
  }
  return out;
}

/** Prefer: handling=lenient asks to ignore what the server does not know (FHIR search 3.1.1.4). */
export function isLenient(req: FastifyRequest): boolean {
  const prefer = req.headers.prefer;
  return typeof prefer === 'string' && /(^|[;,\s])handling=lenient\b/i.test(prefer);
}

function invalid(message: string, location?: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location });
}

export interface Paging {
  count: number;
  offset: number;
  total: boolean;
}

/** `_count` (bounded by the server's page size), `_offset`, `_total`. */
export function pagingOf(params: SearchParam[], limits: { defaultPageSize: number; maxPageSize: number }): Paging {
  const int = (name: string): number | undefined => {
    const p = params.filter((x) => x.name === name);
    if (p.length === 0) return undefined;
    const v = p[p.length - 1].value;
    if (!/^\d{1,9}$/.test(v)) throw invalid(`${name} must be a non-negative integer`, name);
    return Number(v);
  };
  const count = Math.min(int('_count') ?? limits.defaultPageSize, limits.maxPageSize);
  const offset = int('_offset') ?? 0;
  const totalMode = params.find((x) => x.name === '_total')?.value ?? 'accurate';
  if (!['none', 'estimate', 'accurate'].includes(totalMode)) throw invalid('_total must be none, estimate or accurate', '_total');
  return { count, offset, total: totalMode !== 'none' };
}

export interface TokenValue {
  /** as given (a FHIR URI), undefined when the token has no `|` */
  system?: string;
  code: string;
}

/** One token parameter: comma-separated alternatives of `[system|]code` (`|code` = no system). */
export function tokens(value: string): TokenValue[] {
  return splitOr(value).map((t) => {
    const bar = t.indexOf('|');
    if (bar < 0) return { code: t };
    const system = t.slice(0, bar);
    return system ? { system, code: t.slice(bar + 1) } : { code: t.slice(bar + 1) };
  });
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

/**
 * A date parameter as a half-open range [from, to): the value stands for the whole interval its
 * precision names (2024-05 = the month), and eq/ge/gt/le/lt bound it accordingly. Several
 * parameters of one name narrow each other (AND).
 */
export function dateRange(values: string[], name: string): DateRange {
  const range: DateRange = {};
  for (const raw of values) {
    const m = DATE_VALUE.exec(raw);
    if (!m) throw invalid(`${name}: ${raw} is not a FHIR date or dateTime`, name);
    const [, prefix = 'eq', y, mo, d, h, mi, s, frac, tz] = m;
    if (h !== undefined && tz === undefined) throw invalid(`${name}: a dateTime needs a time zone`, name);
    let lower: Date;
    let upper: Date;
    if (h === undefined) {
      const Y = Number(y);
      const M = mo ? Number(mo) - 1 : 0;
      const D = d ? Number(d) : 1;
      lower = new Date(Date.UTC(Y, M, D));
      upper = d ? new Date(Date.UTC(Y, M, D + 1)) : mo ? new Date(Date.UTC(Y, M + 1, 1)) : new Date(Date.UTC(Y + 1, 0, 1));
    } else {
      lower = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${tz === 'Z' ? 'Z' : tz}`);
      upper = new Date(lower.getTime() + (s === undefined ? 60_000 : frac ? 1 : 1000));
    }
    if (Number.isNaN(lower.getTime())) throw invalid(`${name}: ${raw} is not a valid date`, name);
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
        throw invalid(`${name}: the prefix ${prefix} is not supported (eq, ge, gt, le, lt are)`, name);
    }
  }
  return range;
}
