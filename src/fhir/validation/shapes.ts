// The JSON shape of a resource against the FHIR R4 base definitions, checked before anything
// reads it as FHIR: a list where the definition says 0..*, an object for a complex type, a
// string, number or boolean for a primitive. JSON allows every other combination, and code that
// trusts the types (`profile.map`, `entry.item?.reference`, `url.endsWith`) throws a TypeError on
// them: a 500 for what is only bad input. Readers and the profile check call this first, and read
// only what passes it. Elements the definitions do not know are left to the profile check (which
// reports them): nothing reads them.
import { tryGetDataType, type InternalSchemaElement, type InternalTypeSchema } from '@medplum/core';
import { CarnetError, CarnetErrors } from '../../domain/errors.js';
import { ensureResourceType } from '../definitions.js';

/** The JSON type of a value as a message names it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

const NUMBER_TYPES = new Set(['integer', 'decimal', 'positiveInt', 'unsignedInt', 'integer64']);

/** The JSON type a primitive FHIR type is written as (R4 json.html#primitive). */
function primitiveJsonType(code: string): 'string' | 'number' | 'boolean' {
  if (code === 'boolean') return 'boolean';
  return NUMBER_TYPES.has(code) ? 'number' : 'string';
}

/** The FHIRPath spelling of a type code (`http://hl7.org/fhirpath/System.String` is a string). */
function typeCode(code: string): string {
  const system = /^http:\/\/hl7\.org\/fhirpath\/System\.(\w+)$/.exec(code)?.[1];
  if (!system) return code;
  return system === 'Boolean' ? 'boolean' : system === 'Integer' ? 'integer' : system === 'Decimal' ? 'decimal' : 'string';
}

/** The element `key` names in `schema`, with the type a choice (`valueString`) fixes. */
function elementOf(schema: InternalTypeSchema, key: string): { element: InternalSchemaElement; types: string[] } | undefined {
  const direct = schema.elements[key];
  if (direct) return { element: direct, types: direct.type.map((t) => typeCode(t.code)) };
  for (const [name, element] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]') || !key.startsWith(name.slice(0, -3))) continue;
    const suffix = key.slice(name.length - 3);
    const type = element.type.find((t) => t.code.toLowerCase() === suffix.toLowerCase());
    if (type) return { element, types: [typeCode(type.code)] };
  }
  return undefined;
}

class ShapeWalk {
  readonly problems: CarnetError[] = [];

  private wrong(path: string, expected: string, value: unknown): void {
    this.problems.push(new CarnetError('invalid_metadata', `${path} must be ${expected}, not ${jsonTypeOf(value)} (FHIR R4 JSON)`, { location: path }));
  }

  private isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  resource(value: unknown, path: string): void {
    if (!this.isObject(value)) return this.wrong(path, 'a resource (an object)', value);
    const type = value.resourceType;
    if (typeof type !== 'string') return this.wrong(`${path}.resourceType`, 'a string', type ?? null);
    // a type no definition names is reported by the profile check; nothing here reads inside it
    if (!ensureResourceType(type)) return;
    const schema = tryGetDataType(type);
    if (schema) this.object(value, schema, path);
  }

  private object(value: Record<string, unknown>, schema: InternalTypeSchema, path: string): void {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'resourceType') continue; // the resource's own, checked by resource()
      if (key.startsWith('_')) {
        this.primitiveTwin(schema, key.slice(1), child, path);
        continue;
      }
      const found = elementOf(schema, key);
      if (!found) continue;
      const at = `${path}.${key}`;
      if (found.element.isArray) {
        if (!Array.isArray(child)) {
          this.wrong(at, 'a list (JSON array)', child);
          continue;
        }
        // R4 json.html#primitive: a null item stands for one whose id or extensions `_key` holds
        const twin = value[`_${key}`];
        const explained = (i: number) => Array.isArray(twin) && twin[i] !== null && typeof twin[i] === 'object';
        child.forEach((item, i) => this.value(item, found.types, `${at}[${i}]`, explained(i)));
      } else if (Array.isArray(child)) {
        this.wrong(at, 'a single value, not a list', child);
      } else {
        this.value(child, found.types, at, false);
      }
    }
  }

  /**
   * `_name`, a primitive's id and extensions (R4 json.html#primitive): an Element, or for a list
   * a list of them (null where the item has none). Only a primitive has one: medplum's check
   * fails on any other `_name` that is not an object.
   */
  private primitiveTwin(schema: InternalTypeSchema, name: string, value: unknown, path: string): void {
    const found = elementOf(schema, name);
    const type = found?.types[0];
    const at = `${path}._${name}`;
    if (!found || !type || !(tryGetDataType(type)?.kind === 'primitive-type' || /^[a-z]/.test(type))) {
      this.problems.push(new CarnetError('invalid_metadata', `${at}: only a primitive element has a _ twin (its id and extensions), and ${name} is none (FHIR R4 JSON)`, { location: at }));
      return;
    }
    const element = tryGetDataType('Element');
    const one = (item: unknown, itemPath: string): void => {
      if (!this.isObject(item)) return this.wrong(itemPath, "an object (a primitive's id and extensions)", item);
      if (element) this.object(item, element, itemPath);
    };
    if (!found.element.isArray) return Array.isArray(value) ? this.wrong(at, 'a single value, not a list', value) : one(value, at);
    if (!Array.isArray(value)) return this.wrong(at, 'a list (JSON array)', value);
    value.forEach((item, i) => item !== null && one(item, `${at}[${i}]`));
  }

  private value(value: unknown, types: string[], path: string, nullExplained: boolean): void {
    const [type] = types;
    if (!type) return;
    const schema = tryGetDataType(type);
    if (type === 'Resource' || type === 'DomainResource' || schema?.kind === 'resource') return this.resource(value, path);
    if (schema?.kind === 'primitive-type' || !schema) {
      if (!schema && !/^[a-z]/.test(type)) {
        // a complex type the definitions do not hold: an object at least
        if (!this.isObject(value)) this.wrong(path, 'an object', value);
        return;
      }
      if (value === null && nullExplained) return;
      const expected = primitiveJsonType(type);
      if (typeof value !== expected) this.wrong(path, `a ${expected} (${type})`, value);
      return;
    }
    if (!this.isObject(value)) return this.wrong(path, `an object (${type})`, value);
    this.object(value, schema, path);
  }
}

/**
 * Every place where `resource` (a resource, its contained ones and a Bundle's entries included)
 * has a JSON type its definition does not allow, with its FHIRPath location; [] when none.
 */
export function shapeProblems(resource: unknown, path?: string): CarnetError[] {
  const walk = new ShapeWalk();
  const type = resource !== null && typeof resource === 'object' ? (resource as { resourceType?: unknown }).resourceType : undefined;
  walk.resource(resource, path ?? (typeof type === 'string' ? type : 'Resource'));
  return walk.problems;
}

/** A write path's first check: refuses `resource` with every wrong JSON type it has. */
export function assertShapes(resource: unknown, path?: string): void {
  const problems = shapeProblems(resource, path);
  if (problems.length) throw new CarnetErrors(problems);
}
