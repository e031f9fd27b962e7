// What FHIR XML reading and writing share: finding an element's definition (choice elements
// included) in the R4 StructureDefinitions, the namespaces, the parse under the XML limits and
// the escaping of text and attributes. Kept apart so that the reader and the writer agree on
// each rule by using the same code.
import { tryGetDataType } from '@medplum/core';
import type { InternalSchemaElement, InternalTypeSchema } from '@medplum/core';
import { CarnetError } from '../domain/errors.js';
import { NS, parseXml, withXmlCharsOnly, XmlParseError, type XmlLimits } from '../xml/index.js';
import type { Element as XmlElement } from '../xml/index.js';

export const FHIR_NS = NS.fhir;
export const XHTML_NS = NS.xhtml;
export const XSI_NS = NS.xsi;
export const XMLNS_NS = NS.xmlns;

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const CDATA_SECTION_NODE = 4;

export type JsonObject = Record<string, unknown>;

export interface ResolvedElement {
  /** key in the schema, e.g. `value[x]` */
  key: string;
  /** JSON property name, e.g. `valueString` */
  jsonName: string;
  element: InternalSchemaElement;
  typeCode: string;
}

export function invalid(message: string, location: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location });
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function isPrimitiveCode(code: string): boolean {
  return code.startsWith('http://hl7.org/fhirpath/') || (code.charAt(0) >= 'a' && code.charAt(0) <= 'z');
}

export function isArrayElement(element: InternalSchemaElement): boolean {
  return Boolean(element.isArray) || element.max > 1;
}

export function schemaFor(typeCode: string, location: string): InternalTypeSchema {
  const schema = tryGetDataType(typeCode);
  if (!schema) {
    throw invalid(`Unknown FHIR type ${typeCode}`, location);
  }
  return schema;
}

/** Find the definition of a child named `name` (choice elements included). */
export function resolveElement(schema: InternalTypeSchema, name: string): ResolvedElement | undefined {
  const direct = Object.hasOwn(schema.elements, name) ? schema.elements[name] : undefined;
  if (direct && !name.endsWith('[x]')) {
    return { key: name, jsonName: name, element: direct, typeCode: direct.type[0]?.code ?? 'string' };
  }
  for (const [key, element] of Object.entries(schema.elements)) {
    if (!key.endsWith('[x]')) {
      continue;
    }
    const base = key.slice(0, -3);
    if (!name.startsWith(base)) {
      continue;
    }
    const suffix = name.slice(base.length);
    const type = element.type.find((t) => capitalize(t.code) === suffix);
    if (type) {
      return { key, jsonName: name, element, typeCode: type.code };
    }
  }
  return undefined;
}

export function parseXmlDocument(xml: string, what: string, limits: XmlLimits): XmlElement {
  try {
    return parseXml(xml, limits).documentElement!;
  } catch (e) {
    if (e instanceof XmlParseError) {
      const malformed = /^malformed XML: /.exec(e.message);
      throw invalid(malformed ? `${what} is not well-formed XML: ${e.message.slice(malformed[0].length)}` : `${what}: ${e.message}`, '');
    }
    throw e;
  }
}

export function escapeText(value: string): string {
  return withXmlCharsOnly(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(value: string): string {
  return withXmlCharsOnly(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}
