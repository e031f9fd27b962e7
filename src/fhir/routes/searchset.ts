// The searchset Bundle of every search of the door: matches with their fullUrl, an outcome entry
// naming the parameters left out, the total when counted, and self/next/previous links that
// repeat the search as it was done (GET form, so a page of a POST _search can be followed with
// GET too; R4 search.html#conformance: the links carry only the parameters used).
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { fhirJson } from '../format.js';
import { warningOutcome } from '../outcome.js';
import { keyOf, type Paging, type SearchParam } from './search-params.js';

export interface SearchsetInput {
  /** the door's base, e.g. https://host/fhir */
  base: string;
  /** the searched type, e.g. DocumentReference */
  type: string;
  params: SearchParam[];
  /** without paging the answer is the whole result and the links carry no _count/_offset */
  paging?: Paging;
  resources: Resource[];
  total?: number;
  /** there may be more matches after this page (when the total is not counted) */
  more?: boolean;
  /** the parameters (with their modifier) the search did not use */
  ignored?: string[];
}

function linkTo(input: SearchsetInput, offset?: number): string {
  const q = new URLSearchParams();
  const ignored = new Set(input.ignored);
  for (const p of input.params) {
    if (offset !== undefined && (p.name === '_offset' || p.name === '_count')) continue;
    if (ignored.has(keyOf(p))) continue;
    q.append(keyOf(p), p.value);
  }
  if (input.paging && offset !== undefined) {
    q.set('_count', String(input.paging.count));
    q.set('_offset', String(offset));
  }
  const query = q.toString();
  return `${input.base}/${input.type}${query ? `?${query}` : ''}`;
}

export function searchset(input: SearchsetInput): Bundle {
  const { paging } = input;
  const links: BundleLink[] = [{ relation: 'self', url: linkTo(input, paging?.offset) }];
  if (paging) {
    const hasNext = input.total !== undefined ? paging.offset + paging.count < input.total : !!input.more;
    if (paging.count > 0 && hasNext) links.push({ relation: 'next', url: linkTo(input, paging.offset + paging.count) });
    if (paging.offset > 0) links.push({ relation: 'previous', url: linkTo(input, Math.max(0, paging.offset - paging.count)) });
  }
  const entry: BundleEntry[] = input.resources.map((resource) => ({
    fullUrl: `${input.base}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' },
  }));
  if (input.ignored?.length) {
    // R4 bundle: every entry with a resource has a fullUrl; the outcome has no id of its own
    entry.push({ fullUrl: `urn:uuid:${randomUUID()}`, resource: warningOutcome(`ignored search parameters: ${input.ignored.join(', ')}`), search: { mode: 'outcome' } });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(input.total !== undefined ? { total: input.total } : {}),
    link: links,
    entry,
  };
}

/** A match of a searchset whose resource is already FHIR JSON (in parts, in order). */
export interface JsonMatch {
  resourceType: string;
  id: string;
  json: Buffer[];
}

/**
 * The searchset `searchset()` makes, as the FHIR JSON bytes `serialize` would write for it, its
 * matches given as JSON already: the same members in the same order (the entries come last).
 */
export function searchsetJson(input: Omit<SearchsetInput, 'resources'>, matches: readonly JsonMatch[]): Buffer {
  const { entry: outcomes = [], ...bundle } = searchset({ ...input, resources: [] });
  const whole = fhirJson(bundle);
  if (matches.length === 0 && outcomes.length === 0) return Buffer.from(whole, 'utf8');
  const parts: Buffer[] = [Buffer.from(`${whole.slice(0, -1)},"entry":[`, 'utf8')];
  matches.forEach((m, i) => {
    parts.push(Buffer.from(`${i ? ',' : ''}{"fullUrl":${JSON.stringify(`${input.base}/${m.resourceType}/${m.id}`)},"resource":`, 'utf8'), ...m.json, Buffer.from(',"search":{"mode":"match"}}', 'utf8'));
  });
  outcomes.forEach((e, i) => parts.push(Buffer.from(`${matches.length + i ? ',' : ''}${fhirJson(e)}`, 'utf8')));
  parts.push(Buffer.from(']}', 'utf8'));
  return Buffer.concat(parts);
}
