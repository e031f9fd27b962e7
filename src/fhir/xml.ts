// FHIR R4 XML <-> JSON, driven by the R4 StructureDefinitions indexed by definitions.ts.
// The XML rules applied (FHIR R4 "XML representation"):
// - resources are elements named after their type in the http://hl7.org/fhir namespace;
// - primitives carry their value in a `value` attribute; their `id` attribute and `extension`
//   children go to the JSON `_name` companion (arrays are aligned, null-padded);
// - Element.id and Extension.url are XML attributes, a resource's id is an element;
// - choice elements carry the type in their name (valueString), as in JSON;
// - Narrative.div is XHTML, kept in JSON as its serialised string (unprefixed, one xmlns);
// - contained resources and Bundle entry resources are wrapped in their element
//   (<contained><Patient>...</Patient></contained>).
// JSON properties come out in the order of the definitions, so XML -> JSON -> XML is stable.
// Parsing goes through the shared XML reader: its limits apply, and documents with DOCTYPE or
// entity declarations are refused outright.
import { getDataType, tryGetDataType } from '@medplum/core';
import type { InternalSchemaElement, InternalTypeSchema } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { CarnetError } from '../domain/errors.js';
import { DEFAULT_XML_LIMITS, NS, parseXml, withXmlCharsOnly, XmlParseError, type XmlLimits } from '../xml/index.js';
import type { Element as XmlElement, Node as XmlNode } from '../xml/index.js';
import { ensureFhirDefinitions, ensureResourceType } from './definitions.js';

export const FHIR_NS = NS.fhir;
export const XHTML_NS = NS.xhtml;
const XSI_NS = NS.xsi;
const XMLNS_NS = NS.xmlns;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

export interface FhirXmlParseOptions {
  /** called for tolerated irregularities (a repeated single element: the first one is kept) */
  onWarning?: (message: string, location: string) => void;
  /** the limits the text is read under (the server's configured ones for a request body) */
  limits?: XmlLimits;
}

type JsonObject = Record<string, unknown>;

interface ResolvedElement {
  /** key in the schema, e.g. `value[x]` */
  key: string;
  /** JSON property name, e.g. `valueString` */
  jsonName: string;
  element: InternalSchemaElement;
  typeCode: string;
}

function invalid(message: string, location: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location });
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function isPrimitiveCode(code: string): boolean {
  return code.startsWith('http://hl7.org/fhirpath/') || (code.charAt(0) >= 'a' && code.charAt(0) <= 'z');
}

function isArrayElement(element: InternalSchemaElement): boolean {
  return Boolean(element.isArray) || element.max > 1;
}

function schemaFor(typeCode: string, location: string): InternalTypeSchema {
  const schema = tryGetDataType(typeCode);
  if (!schema) {
    throw invalid(`Unknown FHIR type ${typeCode}`, location);
  }
  return schema;
}

/** Find the definition of a child named `name` (choice elements included). */
function resolveElement(schema: InternalTypeSchema, name: string): ResolvedElement | undefined {
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

// ---------------------------------------------------------------------------------------------
// XML -> JSON

function parseXmlDocument(xml: string, what: string, limits: XmlLimits): XmlElement {
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

function serializeXhtml(node: XmlElement, path: string): string {
  if (node.namespaceURI !== XHTML_NS || (node.localName ?? node.nodeName) !== 'div') {
    throw invalid('Narrative div must be an XHTML div element', path);
  }
  const parts: string[] = [];
  writeXhtml(node, parts, true, path);
  return parts.join('');
}

function escapeText(value: string): string {
  return withXmlCharsOnly(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The narrative in the one form FHIR JSON expects: unprefixed XHTML names under a single default
 * namespace declaration on the div, whatever prefixes or repeated declarations the sender used
 * (`<h:div xmlns:h="…xhtml">` is the same narrative as `<div xmlns="…xhtml">`).
 */
function writeXhtml(node: XmlElement, parts: string[], isRoot: boolean, path: string): void {
  if (node.namespaceURI !== XHTML_NS) {
    throw invalid(`Narrative element ${node.nodeName} is not XHTML`, path);
  }
  const name = node.localName ?? node.nodeName;
  let attrs = isRoot ? ` xmlns="${XHTML_NS}"` : '';
  for (let i = 0; i < node.attributes.length; i++) {
    const attr = node.attributes.item(i);
    if (!attr || attr.namespaceURI === XMLNS_NS || attr.name === 'xmlns' || attr.name.startsWith('xmlns:')) continue;
    const attrName = attr.namespaceURI === 'http://www.w3.org/XML/1998/namespace' ? `xml:${attr.localName}` : (attr.localName ?? attr.name);
    attrs += ` ${attrName}="${escapeAttr(attr.value)}"`;
  }
  const children: XmlNode[] = [];
  for (let child: XmlNode | null = node.firstChild; child; child = child.nextSibling) children.push(child);
  if (children.length === 0) {
    parts.push(`<${name}${attrs}/>`);
    return;
  }
  parts.push(`<${name}${attrs}>`);
  for (const child of children) {
    if (child.nodeType === ELEMENT_NODE) writeXhtml(child as XmlElement, parts, false, path);
    else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) parts.push(escapeText(child.nodeValue ?? ''));
  }
  parts.push(`</${name}>`);
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

// ---------------------------------------------------------------------------------------------
// JSON -> XML

function escapeAttr(value: string): string {
  return withXmlCharsOnly(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

function primitiveText(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`Cannot write ${typeof value} as a FHIR primitive at ${path}`);
}

class XmlWriter {
  private readonly parts: string[] = [];

  text(): string {
    return this.parts.join('');
  }

  writeResource(resource: JsonObject, path: string, declareNamespace: boolean): void {
    const type = resource.resourceType;
    if (typeof type !== 'string' || !ensureResourceType(type)) {
      throw new Error(`Unknown resourceType ${String(type)} at ${path || 'root'}`);
    }
    const here = path || type;
    this.parts.push(`<${type}${declareNamespace ? ` xmlns="${FHIR_NS}"` : ''}>`);
    this.writeChildren(resource, getDataType(type), here, true);
    this.parts.push(`</${type}>`);
  }

  private writeChildren(obj: JsonObject, schema: InternalTypeSchema, path: string, isResource: boolean): void {
    const used = new Set<string>(['resourceType', 'fhir_comments']);
    for (const [key, element] of Object.entries(schema.elements)) {
      if (!isResource && (key === 'id' || (key === 'url' && (schema.name === 'Extension' || schema.type === 'Extension')))) {
        used.add(key);
        continue; // written as attributes
      }
      const candidates = key.endsWith('[x]')
        ? element.type.map((t) => ({ name: key.slice(0, -3) + capitalize(t.code), typeCode: t.code }))
        : [{ name: key, typeCode: element.type[0]?.code ?? 'string' }];
      for (const { name, typeCode } of candidates) {
        if (!(name in obj) && !(`_${name}` in obj)) continue;
        used.add(name);
        used.add(`_${name}`);
        this.writeElement(name, obj[name], obj[`_${name}`], typeCode, isArrayElement(element), `${path}.${name}`);
      }
    }
    for (const key of Object.keys(obj)) {
      if (!used.has(key)) {
        throw new Error(`Unknown property ${key} at ${path}`);
      }
    }
  }

  private writeElement(name: string, value: unknown, companion: unknown, typeCode: string, isArray: boolean, path: string): void {
    if (isArray) {
      const values = value === undefined || value === null ? [] : value;
      const companions = companion === undefined || companion === null ? [] : companion;
      if (!Array.isArray(values) || !Array.isArray(companions)) {
        throw new Error(`Property ${name} must be an array at ${path}`);
      }
      const count = Math.max(values.length, companions.length);
      for (let i = 0; i < count; i++) {
        this.writeOne(name, values[i], companions[i], typeCode, `${path}[${i}]`);
      }
    } else {
      if (Array.isArray(value)) throw new Error(`Property ${name} must not be an array at ${path}`);
      this.writeOne(name, value, companion, typeCode, path);
    }
  }

  private writeOne(name: string, value: unknown, companion: unknown, typeCode: string, path: string): void {
    if (typeCode === 'Resource') {
      if (value === undefined || value === null) return;
      this.parts.push(`<${name}>`);
      this.writeResource(value as JsonObject, path, false);
      this.parts.push(`</${name}>`);
      return;
    }
    if (typeCode === 'xhtml') {
      if (typeof value !== 'string') throw new Error(`Narrative div must be a string at ${path}`);
      this.parts.push(normaliseXhtml(value, path));
      return;
    }
    if (isPrimitiveCode(typeCode)) {
      const ext = (companion ?? undefined) as JsonObject | undefined;
      if ((value === undefined || value === null) && !ext) return;
      let attrs = '';
      if (ext && typeof ext.id === 'string') attrs += ` id="${escapeAttr(ext.id)}"`;
      if (value !== undefined && value !== null) attrs += ` value="${escapeAttr(primitiveText(value, path))}"`;
      const extensions = ext && Array.isArray(ext.extension) ? (ext.extension as JsonObject[]) : [];
      if (extensions.length === 0) {
        this.parts.push(`<${name}${attrs}/>`);
      } else {
        this.parts.push(`<${name}${attrs}>`);
        extensions.forEach((e, i) => this.writeOne('extension', e, undefined, 'Extension', `${path}.extension[${i}]`));
        this.parts.push(`</${name}>`);
      }
      return;
    }
    if (value === undefined || value === null) return;
    if (typeof value !== 'object') throw new Error(`Property ${name} must be an object at ${path}`);
    const obj = value as JsonObject;
    const schema = getDataType(typeCode);
    let attrs = '';
    if (typeof obj.id === 'string') attrs += ` id="${escapeAttr(obj.id)}"`;
    if ((schema.name === 'Extension' || schema.type === 'Extension') && typeof obj.url === 'string') attrs += ` url="${escapeAttr(obj.url)}"`;
    this.parts.push(`<${name}${attrs}>`);
    this.writeChildren(obj, schema, path, false);
    this.parts.push(`</${name}>`);
  }
}

/** Check that a JSON narrative is one XHTML div and return it with its namespace declared. */
function normaliseXhtml(div: string, path: string): string {
  let text = div.trim();
  if (!text.startsWith('<div')) throw new Error(`Narrative div must start with <div at ${path}`);
  if (!/^<div[^>]*\sxmlns="http:\/\/www\.w3\.org\/1999\/xhtml"/.test(text)) {
    text = text.replace(/^<div/, `<div xmlns="${XHTML_NS}"`);
  }
  const root = parseXmlDocument(text, 'The narrative', DEFAULT_XML_LIMITS);
  return serializeXhtml(root, path);
}

/** Write a FHIR R4 resource in its XML form (UTF-8, no indentation). */
export function fhirJsonToXml(resource: Resource): string {
  ensureFhirDefinitions();
  const writer = new XmlWriter();
  writer.writeResource(resource as unknown as JsonObject, '', true);
  return `<?xml version="1.0" encoding="UTF-8"?>${writer.text()}`;
}
