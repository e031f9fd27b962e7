// Content negotiation for the FHIR door: which of JSON or XML a request is written in and which
// one the caller wants back. `_format` wins over Accept (FHIR R4 http.html#mime-type); JSON is
// the default when nothing says otherwise.
import type { Resource } from '@medplum/fhirtypes';
import { fhirJsonToXml } from './xml.js';
import { lookup } from '../domain/lookup.js';

export type FhirFormat = 'json' | 'xml';

export const FHIR_JSON = 'application/fhir+json';
export const FHIR_XML = 'application/fhir+xml';

const FORMAT_ALIASES: Record<string, FhirFormat> = {
  json: 'json',
  'application/json': 'json',
  'application/fhir+json': 'json',
  'application/json+fhir': 'json',
  'text/json': 'json',
  xml: 'xml',
  'application/xml': 'xml',
  'application/fhir+xml': 'xml',
  'application/xml+fhir': 'xml',
  'text/xml': 'xml',
};

/** The format a single media type (or `_format` value) names, parameters ignored; undefined if neither. */
export function formatOfMediaType(mediaType: string | undefined | null): FhirFormat | undefined {
  if (!mediaType) return undefined;
  const base = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  return lookup(FORMAT_ALIASES, base);
}

interface AcceptRange {
  type: string;
  q: number;
  order: number;
}

function parseAccept(accept: string): AcceptRange[] {
  return accept
    .split(',')
    .map((part, order) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim());
      let q = 1;
      for (const p of params) {
        const m = /^q=([0-9.]+)$/i.exec(p);
        if (m) q = Number(m[1]);
      }
      return { type: type.toLowerCase(), q: Number.isFinite(q) ? q : 0, order };
    })
    .filter((r) => r.type !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
}

export interface NegotiationInput {
  /** the `_format` query parameter */
  format?: string | null;
  accept?: string | null;
  contentType?: string | null;
}

/**
 * The format of the response: `_format` if it names one, else the best Accept range that names
 * one, else the request body's format, else JSON. `* / *` and unknown ranges fall through.
 */
export function responseFormat(input: NegotiationInput): FhirFormat {
  const fromParam = formatOfMediaType(input.format);
  if (fromParam) return fromParam;
  if (input.accept) {
    for (const range of parseAccept(input.accept)) {
      const f = formatOfMediaType(range.type);
      if (f) return f;
    }
  }
  return formatOfMediaType(input.contentType) ?? 'json';
}

/** The format of a request body from its Content-Type; undefined when it is neither JSON nor XML. */
export function requestFormat(contentType: string | undefined | null): FhirFormat | undefined {
  return formatOfMediaType(contentType);
}

/** True when an Accept header can be satisfied by FHIR JSON or XML (for 406 decisions). */
export function acceptsFhir(accept: string | undefined | null): boolean {
  if (!accept) return true;
  return parseAccept(accept).some(
    (r) => r.type === '*/*' || r.type === 'application/*' || r.type === 'text/*' || formatOfMediaType(r.type) !== undefined,
  );
}

export function contentTypeOf(format: FhirFormat): string {
  return `${format === 'xml' ? FHIR_XML : FHIR_JSON}; charset=utf-8`;
}

/**
 * R4 json.html: an array is present only with at least one element. The mappings build arrays
 * from what they have, which may be nothing (a searchset without matches, a type without
 * interactions); they are left out here, once, for every answer.
 */
function withoutEmptyArrays(_key: string, value: unknown): unknown {
  return Array.isArray(value) && value.length === 0 ? undefined : value;
}

/** FHIR JSON of a resource or of any part of one: the text `serialize` writes for it. */
export function fhirJson(value: unknown): string {
  return JSON.stringify(value, withoutEmptyArrays);
}

/** Serialise a resource in the given format. */
export function serialize(resource: Resource, format: FhirFormat): { contentType: string; body: string } {
  return {
    contentType: contentTypeOf(format),
    body: format === 'xml' ? fhirJsonToXml(resource) : fhirJson(resource),
  };
}
