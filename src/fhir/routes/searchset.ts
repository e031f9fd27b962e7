// The searchset Bundle of a search: matches, an optional warning, the total when asked, and
// self/next/previous links that repeat the search with another _offset (GET form, so a page
// of a POST _search can be followed with GET too).
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { warningOutcome } from '../outcome.js';
import type { Paging, SearchParam } from './search-params.js';

export interface SearchsetInput {
  /** `${publicUrl}/fhir/DocumentReference` */
  url: string;
  params: SearchParam[];
  paging: Paging;
  resources: Array<{ resource: Resource; fullUrl: string }>;
  total?: number;
  /** there may be more matches after this page (when the total is not counted) */
  more?: boolean;
  warnings?: string[];
}

function linkTo(input: SearchsetInput, offset: number): string {
  const q = new URLSearchParams();
  for (const p of input.params) {
    if (p.name === '_offset' || p.name === '_count') continue;
    q.append(p.modifier ? `${p.name}:${p.modifier}` : p.name, p.value);
  }
  q.set('_count', String(input.paging.count));
  q.set('_offset', String(offset));
  return `${input.url}?${q.toString()}`;
}

export function searchset(input: SearchsetInput): Bundle {
  const { paging } = input;
  const links: BundleLink[] = [{ relation: 'self', url: linkTo(input, paging.offset) }];
  const hasNext = input.total !== undefined ? paging.offset + paging.count < input.total : !!input.more;
  if (paging.count > 0 && hasNext) links.push({ relation: 'next', url: linkTo(input, paging.offset + paging.count) });
  if (paging.offset > 0) links.push({ relation: 'previous', url: linkTo(input, Math.max(0, paging.offset - paging.count)) });
  const entry: BundleEntry[] = input.resources.map((r) => ({ fullUrl: r.fullUrl, resource: r.resource, search: { mode: 'match' } }));
  if (input.warnings?.length) {
    entry.push({ resource: warningOutcome(input.warnings.join('; ')), search: { mode: 'outcome' } });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(input.total !== undefined ? { total: input.total } : {}),
    link: links,
    entry,
  };
}
