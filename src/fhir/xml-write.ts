// FHIR R4 JSON -> XML (the rules are listed in xml.ts). The writer serves the server's own JSON,
// so a shape it cannot write is a programming error (a plain Error), not a client's fault.
import { getDataType } from '@medplum/core';
import type { InternalTypeSchema } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { ensureFhirDefinitions, ensureResourceType } from './definitions.js';
import { normaliseXhtml } from './xml-narrative.js';
import { FHIR_NS, capitalize, escapeAttr, isArrayElement, isPrimitiveCode, type JsonObject } from './xml-shared.js';

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

/** Write a FHIR R4 resource in its XML form (UTF-8, no indentation). */
export function fhirJsonToXml(resource: Resource): string {
  ensureFhirDefinitions();
  const writer = new XmlWriter();
  writer.writeResource(resource as unknown as JsonObject, '', true);
  return `<?xml version="1.0" encoding="UTF-8"?>${writer.text()}`;
}
