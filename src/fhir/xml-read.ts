// FHIR R4 XML -> JSON (the rules are listed in xml.ts). Reading is where input is judged: unknown
// elements, stray text or attributes and bad primitive values are refused with a located
// CarnetError, so this direction stands apart from the writer, which only serves trusted JSON.
import { getDataType } from '@medplum/core';
import type { InternalTypeSchema } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { DEFAULT_XML_LIMITS, type XmlLimits } from '../xml/index.js';
import type { Element as XmlElement, Node as XmlNode } from '../xml/index.js';
import { ensureFhirDefinitions, ensureResourceType } from './definitions.js';
import { serializeXhtml } from './xml-narrative.js';
import {
  CDATA_SECTION_NODE,
  ELEMENT_NODE,
  FHIR_NS,
  TEXT_NODE,
  XHTML_NS,
  XMLNS_NS,
  XSI_NS,
  capitalize,
  invalid,
  isArrayElement,
  isPrimitiveCode,
  parseXmlDocument,
  resolveElement,
  schemaFor,
  type JsonObject,
  type ResolvedElement,
} from './xml-shared.js';

export interface FhirXmlParseOptions {
  /** called for tolerated irregularities (a repeated single element: the first one is kept) */
  onWarning?: (message: string, location: string) => void;
  /** the limits the text is read under (the server's configured ones for a request body) */
  limits?: XmlLimits;
}

function childElements(node: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let child: XmlNode | null = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === ELEMENT_NODE) {
      out.push(child as XmlElement);
    }
  }
  return out;
}

function assertNoText(node: XmlElement, location: string): void {
  for (let child: XmlNode | null = node.firstChild; child; child = child.nextSibling) {
    if ((child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) && (child.nodeValue ?? '').trim() !== '') {
      throw invalid(`Unexpected text content in ${location}`, location);
    }
  }
}

/** Attributes other than namespace declarations and xsi:* ones. */
function plainAttributes(node: XmlElement): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (let i = 0; i < node.attributes.length; i++) {
    const attr = node.attributes.item(i);
    if (!attr) continue;
    if (attr.namespaceURI === XMLNS_NS || attr.namespaceURI === XSI_NS || attr.name === 'xmlns' || attr.name.startsWith('xmlns:')) {
      continue;
    }
    out.push({ name: attr.localName ?? attr.name, value: attr.value });
  }
  return out;
}

function convertPrimitive(typeCode: string, raw: string, location: string): string | number | boolean {
  switch (typeCode) {
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw invalid(`Invalid boolean "${raw}"`, location);
    case 'integer':
    case 'positiveInt':
    case 'unsignedInt': {
      if (!/^[+-]?\d+$/.test(raw)) throw invalid(`Invalid integer "${raw}"`, location);
      return Number.parseInt(raw, 10);
    }
    case 'decimal': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw invalid(`Invalid decimal "${raw}"`, location);
      return n;
    }
    default:
      return raw;
  }
}

class XmlReader {
  constructor(private readonly options: FhirXmlParseOptions) {}

  readResource(node: XmlElement, location: string): JsonObject {
    if (node.namespaceURI !== FHIR_NS) {
      throw invalid(`Element ${node.nodeName} is not in the FHIR namespace`, location);
    }
    const type = node.localName ?? node.nodeName;
    if (!ensureResourceType(type)) {
      throw invalid(`Unknown resource type ${type}`, location);
    }
    const path = location || type;
    for (const attr of plainAttributes(node)) {
      throw invalid(`Unexpected attribute ${attr.name} on ${type}`, path);
    }
    const body = this.readComplex(node, getDataType(type), path, true);
    return { resourceType: type, ...body };
  }

  private readComplex(node: XmlElement, schema: InternalTypeSchema, path: string, isResource: boolean): JsonObject {
    assertNoText(node, path);
    const values: Record<string, unknown> = {};
    if (!isResource) {
      for (const attr of plainAttributes(node)) {
        if (attr.name === 'id') {
          values.id = attr.value;
        } else if (attr.name === 'url' && (schema.name === 'Extension' || schema.type === 'Extension')) {
          values.url = attr.value;
        } else {
          throw invalid(`Unexpected attribute ${attr.name}`, path);
        }
      }
    }
    const counts = new Map<string, number>();
    for (const child of childElements(node)) {
      const name = child.localName ?? child.nodeName;
      if (child.namespaceURI !== FHIR_NS && !(name === 'div' && child.namespaceURI === XHTML_NS)) {
        throw invalid(`Element ${child.nodeName} is not in the FHIR namespace`, `${path}.${name}`);
      }
      const resolved = resolveElement(schema, name);
      if (!resolved) {
        throw invalid(`Unknown element ${name}`, `${path}.${name}`);
      }
      const index = counts.get(resolved.jsonName) ?? 0;
      counts.set(resolved.jsonName, index + 1);
      const isArray = isArrayElement(resolved.element);
      if (!isArray && index > 0) {
        this.options.onWarning?.(`Element ${name} repeated although it allows one occurrence; the first is kept`, `${path}.${name}`);
        continue;
      }
      const childPath = isArray ? `${path}.${name}[${index}]` : `${path}.${name}`;
      this.readInto(values, child, resolved, childPath, isArray, index);
    }
    return orderLike(values, schema);
  }

  private readInto(
    values: Record<string, unknown>,
    child: XmlElement,
    resolved: ResolvedElement,
    path: string,
    isArray: boolean,
    index: number,
  ): void {
    const { jsonName, typeCode } = resolved;
    let value: unknown;
    let companion: JsonObject | undefined;
    if (typeCode === 'Resource') {
      assertNoText(child, path);
      const inner = childElements(child);
      if (inner.length !== 1) {
        throw invalid(`${jsonName} must hold exactly one resource`, path);
      }
      value = this.readResource(inner[0] as XmlElement, path);
    } else if (typeCode === 'xhtml') {
      value = serializeXhtml(child, path);
    } else if (isPrimitiveCode(typeCode)) {
      assertNoText(child, path);
      let raw: string | undefined;
      for (const attr of plainAttributes(child)) {
        if (attr.name === 'value') raw = attr.value;
        else if (attr.name === 'id') companion = { ...companion, id: attr.value };
        else throw invalid(`Unexpected attribute ${attr.name}`, path);
      }
      const extensions: unknown[] = [];
      let extIndex = 0;
      for (const ext of childElements(child)) {
        const name = ext.localName ?? ext.nodeName;
        if (name !== 'extension' || ext.namespaceURI !== FHIR_NS) {
          throw invalid(`Unknown element ${name} in a primitive`, `${path}.${name}`);
        }
        extensions.push(this.readComplex(ext, getDataType('Extension'), `${path}.extension[${extIndex++}]`, false));
      }
      if (extensions.length > 0) {
        companion = { ...companion, extension: extensions };
      }
      if (raw === undefined && !companion) {
        throw invalid(`Primitive ${jsonName} has neither a value nor extensions`, path);
      }
      value = raw === undefined ? null : convertPrimitive(typeCode, raw, path);
    } else {
      value = this.readComplex(child, schemaFor(typeCode, path), path, false);
    }

    if (isArray) {
      const arr = (values[jsonName] as unknown[] | undefined) ?? [];
      arr[index] = value;
      values[jsonName] = arr;
      if (companion) {
        const ext = (values[`_${jsonName}`] as unknown[] | undefined) ?? [];
        ext[index] = companion;
        values[`_${jsonName}`] = ext;
      }
    } else {
      if (value !== null) values[jsonName] = value;
      if (companion) values[`_${jsonName}`] = companion;
    }
  }
}

/** Order the properties of `values` as the schema lists them (companions after their element). */
function orderLike(values: Record<string, unknown>, schema: InternalTypeSchema): JsonObject {
  const out: JsonObject = {};
  const keys = Object.keys(values);
  for (const [key, element] of Object.entries(schema.elements)) {
    const names = key.endsWith('[x]')
      ? element.type.map((t) => key.slice(0, -3) + capitalize(t.code))
      : [key];
    for (const name of names) {
      if (name in values) out[name] = fillArray(values[name]);
      if (`_${name}` in values) {
        const companion = values[`_${name}`];
        if (Array.isArray(companion)) {
          const length = Array.isArray(values[name]) ? (values[name] as unknown[]).length : companion.length;
          const filled: unknown[] = [];
          for (let i = 0; i < Math.max(length, companion.length); i++) filled.push(companion[i] ?? null);
          out[`_${name}`] = filled;
        } else {
          out[`_${name}`] = companion;
        }
      }
    }
  }
  for (const key of keys) {
    if (!(key in out)) out[key] = values[key];
  }
  return out;
}

function fillArray(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const filled: unknown[] = [];
  for (let i = 0; i < value.length; i++) filled.push(value[i] === undefined ? null : value[i]);
  return filled;
}

/** Parse a FHIR R4 XML resource into its JSON form. Throws CarnetError('invalid_metadata'). */
export function fhirXmlToJson<T extends Resource = Resource>(xml: string, options: FhirXmlParseOptions = {}): T {
  // The limits first: a refused body never waits for the definitions to be indexed.
  const root = parseXmlDocument(xml, 'The FHIR resource', options.limits ?? DEFAULT_XML_LIMITS);
  ensureFhirDefinitions();
  return new XmlReader(options).readResource(root, '') as unknown as T;
}
