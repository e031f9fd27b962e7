// Content negotiation: TestScript's `json`/`xml` shorthands and parsing of bodies by format.
import type { Resource } from '@medplum/fhirtypes';
import type { Format } from './types.js';
import { xmlCodec } from './xml-codec.js';

const MIME: Record<string, string> = {
  json: 'application/fhir+json',
  xml: 'application/fhir+xml',
  ttl: 'text/turtle',
};

/** Maps `json`/`xml`/`ttl` to FHIR mime types; anything else (a full mime type) passes through. */
export function mimeType(code: string): string {
  return MIME[code] ?? code;
}

/** The mime type without parameters, lower-cased. */
export function baseMime(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function formatOfMime(contentType: string | undefined): Format | undefined {
  const mime = baseMime(contentType);
  if (mime.includes('json')) return 'json';
  if (mime.includes('xml')) return 'xml';
  return undefined;
}

/** Guesses the format of a body from its first significant character. */
export function sniffFormat(body: string): Format | undefined {
  const first = body.trimStart()[0];
  if (first === '{' || first === '[') return 'json';
  if (first === '<') return 'xml';
  return undefined;
}

/** Parses a FHIR body (JSON or XML); returns undefined when it is not a resource. */
export function parseResource(body: string, format: Format | undefined): Resource | undefined {
  const fmt = format ?? sniffFormat(body);
  if (!body.trim() || !fmt) return undefined;
  try {
    const value = fmt === 'json' ? JSON.parse(body) : xmlCodec().fhirXmlToJson(body);
    return value && typeof value === 'object' && 'resourceType' in value ? (value as Resource) : undefined;
  } catch {
    return undefined;
  }
}

export function serializeResource(resource: unknown, format: Format): string {
  return format === 'json' ? JSON.stringify(resource) : xmlCodec().fhirJsonToXml(resource);
}
