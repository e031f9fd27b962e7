// `path` evaluation for asserts and variables. Three dialects are accepted:
// - JSONPath-ish (`$.entry[0].resource.id`, `$.name[*].family`) on the JSON form;
// - XPath (`fhir:Patient/fhir:name/fhir:family/@value`, or unprefixed `Patient/id`) on the XML
//   form, JSON resources being converted to FHIR XML first;
// - anything else is read as FHIRPath (`Patient.name.family`).
import type { Resource } from '@medplum/fhirtypes';
import { DOMParser } from '@xmldom/xmldom';
import xpath from 'xpath';
import { evaluate } from './fhirpath.js';
import { fhirJsonToXml } from '../../fhir/xml.js';

const NAMESPACES = { fhir: 'http://hl7.org/fhir', xhtml: 'http://www.w3.org/1999/xhtml', atom: 'http://www.w3.org/2005/Atom' };

/** Evaluates `path` against a resource (JSON form) or, for XPath, its raw XML when given. */
export function evaluatePath(path: string, resource: unknown, rawXml?: string): unknown[] {
  const p = path.trim();
  if (p.startsWith('$')) return jsonPath(p, resource);
  if (/[/@:]/.test(p)) {
    const xml = rawXml ?? (resource === undefined ? undefined : fhirJsonToXml(resource as Resource));
    return xml === undefined ? [] : xPath(p, xml);
  }
  return evaluate(p, resource);
}

/** A small JSONPath subset: `.name`, `['name']`, `[index]`, `[*]` and `..name` are supported. */
export function jsonPath(path: string, root: unknown): unknown[] {
  let current: unknown[] = [root];
  const step = /\.\.([A-Za-z_$][\w$-]*)|\.([A-Za-z_$][\w$-]*)|\[(\d+|\*|'[^']*'|"[^"]*")\]/y;
  step.lastIndex = 1; // skip the leading `$`
  while (step.lastIndex < path.length) {
    const start = step.lastIndex;
    const m = step.exec(path);
    if (!m) throw new Error(`Unsupported JSONPath near "${path.slice(start)}"`);
    const [, deep, name, bracket] = m;
    if (deep) current = current.flatMap((v) => descendants(v)).flatMap((v) => member(v, deep));
    else if (name) current = current.flatMap((v) => member(v, name));
    else if (bracket === '*') current = current.flatMap((v) => (Array.isArray(v) ? v : isObject(v) ? Object.values(v) : []));
    else if (/^\d+$/.test(bracket)) current = current.flatMap((v) => (Array.isArray(v) && v[Number(bracket)] !== undefined ? [v[Number(bracket)]] : []));
    else current = current.flatMap((v) => member(v, bracket.slice(1, -1)));
  }
  return current;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A member access on an array applies to each element, as FHIR JSON repeats elements as arrays.
function member(v: unknown, name: string): unknown[] {
  if (Array.isArray(v)) return v.flatMap((item) => member(item, name));
  if (!isObject(v) || v[name] === undefined) return [];
  return [v[name]];
}

function descendants(v: unknown): unknown[] {
  const children = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
  return [v, ...children.flatMap((c) => descendants(c))];
}

/** Prefixes unprefixed element steps with `fhir:` so `Patient/id` reads FHIR's default namespace. */
export function qualifyXPath(path: string): string {
  return path.replace(/(^|[/[(\s,=])([A-Za-z_][\w.-]*)(?=$|[/[\])\s,=])/g, (all, lead: string, name: string) => {
    if (['and', 'or', 'div', 'mod', 'text', 'node'].includes(name)) return all;
    return `${lead}fhir:${name}`;
  });
}

/** XPath over FHIR XML; nodes yield their `value` attribute, attribute value, or text. */
export function xPath(path: string, xml: string): unknown[] {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const select = xpath.useNamespaces(NAMESPACES);
  const expr = path.includes(':') ? path : qualifyXPath(path);
  const result = select(expr, doc as unknown as Node);
  if (!Array.isArray(result)) return result === null || result === undefined ? [] : [result];
  return result.map((node) => {
    const n = node as unknown as { nodeType: number; nodeValue: string | null; textContent: string | null; getAttribute?: (n: string) => string | null };
    if (n.nodeType === 1 && n.getAttribute) {
      const value = n.getAttribute('value');
      if (value !== null && value !== '') return value;
    }
    return n.nodeType === 2 ? n.nodeValue : n.textContent;
  });
}
