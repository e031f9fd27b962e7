// Reading what the FHIR door answers: searchsets and Parameters.
import type { Bundle, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';

export interface Page<T> {
  items: T[];
  total?: number;
  /** the offset of the next page, when the server links one */
  nextOffset?: number;
  /** the page size the server applied (its links carry it) */
  pageSize?: number;
}

function numberIn(url: string | undefined, name: string): number | undefined {
  if (!url) return undefined;
  const v = new URL(url, 'http://x').searchParams.get(name);
  return v === null ? undefined : Number(v);
}

export function pageOf<T extends Resource>(bundle: Bundle, type: T['resourceType']): Page<T> {
  const items = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => !!r && r.resourceType === type);
  const link = (rel: string) => bundle.link?.find((l) => l.relation === rel)?.url;
  return {
    items,
    total: bundle.total,
    nextOffset: link('next') ? (numberIn(link('next'), '_offset') ?? 0) : undefined,
    pageSize: numberIn(link('next'), '_count') ?? numberIn(link('self'), '_count'),
  };
}

export function params(p: Parameters, name: string): ParametersParameter[] {
  return (p.parameter ?? []).filter((x) => x.name === name);
}

export function part(p: ParametersParameter, name: string): ParametersParameter | undefined {
  return p.part?.find((x) => x.name === name);
}

export const partString = (p: ParametersParameter, name: string): string | undefined => {
  const x = part(p, name);
  return x?.valueString ?? x?.valueCode ?? x?.valueId ?? undefined;
};

/** A query string from pairs, repeated names allowed. */
export function query(pairs: Array<[string, string | number | undefined]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of pairs) if (v !== undefined && v !== '') q.append(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
