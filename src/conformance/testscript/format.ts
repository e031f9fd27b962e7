// Content negotiation from the client side: TestScript's `json`/`xml` shorthands, and parsing
// of bodies by format (FHIR XML through src/fhir/xml.ts).
import type { Resource } from '@medplum/fhirtypes';
import { FHIR_JSON, FHIR_XML, formatOfMediaType } from '../../fhir/format.js';
import { fhirJsonToXml, fhirXmlToJson } from '../../fhir/xml.js';
import type { Format } from './types.js';

const MIME: Record<string, string> = { json: FHIR_JSON, xml: FHIR_XML, ttl: 'text/turtle' };

/** Maps `json`/`xml`/`ttl` to FHIR mime types; anything else (a full mime type) passes through. */
export function mimeType(code: string): string {
  return MIME[code] ?? code;
}

/** The mime type without parameters, lower-cased. */
export function baseMime(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Guesses the format of a body from its first significant character. */
export function sniffFormat(body: string): Format | undefined {
  const first = body.trimStart()[0];
  if (first === '{' || first === '[') return 'json';
  if (first === '<') return 'xml';
  return undefined;
}

/** The format of a body: its Content-Type when that names JSON or XML, else its first character. */
export function bodyFormat(contentType: string | undefined, body: string): Format | undefined {
  return formatOfMediaType(contentType) ?? sniffFormat(body);
}

/** Parses JSON or FHIR XML text into a JSON value (throws on malformed input). */
export function parseFhir(text: string, format: Format): unknown {
  return format === 'json' ? JSON.parse(text) : fhirXmlToJson(text);
}

/** Parses a FHIR body; undefined when it is empty, malformed or not a resource. */
export function parseResource(body: string, format: Format | undefined): Resource | undefined {
  if (!body.trim() || !format) return undefined;
  try {
    const value = parseFhir(body, format);
    return value && typeof value === 'object' && 'resourceType' in value ? (value as Resource) : undefined;
  } catch {
    return undefined;
  }
}

export function serializeResource(resource: unknown, format: Format): string {
  return format === 'json' ? JSON.stringify(resource) : fhirJsonToXml(resource as Resource);
}
