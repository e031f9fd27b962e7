// A searchset Bundle: entries with their fullUrl, the total, and self/next links for paging.
import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';

export interface SearchsetInput {
  /** the door's base, e.g. https://host/fhir */
  base: string;
  /** the request path and query after the base, e.g. `Patient?identifier=...` */
  self: string;
  resources: Resource[];
  total: number;
  /** paging: where this page starts and how long it is, to offer `next` */
  offset?: number;
  count?: number;
}

function withOffset(self: string, offset: number): string {
  const [path, query = ''] = self.split('?');
  const params = new URLSearchParams(query);
  params.set('_offset', String(offset));
  return `${path}?${params.toString()}`;
}

export function searchset(input: SearchsetInput): Bundle {
  const link: BundleLink[] = [{ relation: 'self', url: `${input.base}/${input.self}` }];
  if (input.offset !== undefined && input.count !== undefined && input.count > 0 && input.offset + input.count < input.total) {
    link.push({ relation: 'next', url: `${input.base}/${withOffset(input.self, input.offset + input.count)}` });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: input.total,
    link,
    entry: input.resources.map((resource) => ({
      fullUrl: `${input.base}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}
