// The searchset Bundle of every search of the door: matches with their fullUrl, an optional
// warning, the total when counted, and self/next/previous links that repeat the search (GET form,
// so a page of a POST _search can be followed with GET too).
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { warningOutcome } from '../outcome.js';
import type { Paging, SearchParam } from './search-params.js';

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
  warnings?: string[];
}

function linkTo(input: SearchsetInput, offset?: number): string {
  const q = new URLSearchParams();
  for (const p of input.params) {
    if (offset !== undefined && (p.name === '_offset' || p.name === '_count')) continue;
    q.append(p.modifier ? `${p.name}:${p.modifier}` : p.name, p.value);
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
