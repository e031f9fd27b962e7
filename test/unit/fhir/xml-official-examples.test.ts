// The XML support checked on official FHIR R4 example instances (test/fixtures/fhir/r4-examples,
// sources in SOURCES.md there): each reads to JSON that the R4 definitions accept, and what we
// write reads back to the same JSON, twice over.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { validateResource } from '@medplum/core';
import type { Narrative, Patient, Resource } from '@medplum/fhirtypes';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFhirDefinitions } from '../../../src/fhir/definitions.js';
import { fhirJsonToXml, fhirXmlToJson } from '../../../src/fhir/xml.js';

/** Every example here is a resource with a narrative or a Bundle. */
type Example = Resource & { text?: Narrative };

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'fhir', 'r4-examples');
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.xml')).sort();

function errors(resource: Resource): string[] {
  return validateResource(resource)
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => `${i.expression?.join(',')}: ${i.details?.text}`);
}

function read(name: string): Example {
  return fhirXmlToJson(readFileSync(join(DIR, name), 'utf8')) as Example;
}

beforeAll(() => ensureFhirDefinitions());

describe('official R4 examples in XML', () => {
  it('are all there, one per SOURCES.md line', () => {
    const sources = readFileSync(join(DIR, 'SOURCES.md'), 'utf8');
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(12);
    for (const name of EXAMPLES) expect(sources).toContain(name);
  });

  it.each(EXAMPLES)('%s: XML -> JSON -> XML -> JSON is stable and the JSON is valid R4', (name) => {
    const json = read(name);
    expect(errors(json)).toEqual([]);
    const written = fhirJsonToXml(json);
    const again = fhirXmlToJson(written);
    expect(again).toEqual(json);
    expect(fhirJsonToXml(again)).toBe(written);
  });
});

describe('what the examples exercise', () => {
  it('keeps the narrative as one XHTML div, entities and markup included', () => {
    const org = read('organization-1.xml');
    expect(org.text?.div).toMatch(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml">/);
    expect(org.text?.div).toContain('<a href="mailto:hq@HL7.org">hq@HL7.org</a>');
    const audit = read('auditevent-example.xml');
    expect(audit.text?.div).toContain('"Grahame"');
  });

  it('reads contained resources and Bundle entries as resources', () => {
    const doc = read('documentreference-example.xml') as Resource & { contained?: Resource[] };
    expect(doc.contained?.[0]).toMatchObject({ resourceType: 'Practitioner', id: 'a2', name: [{ family: 'Smitty', given: ['Gerald'] }] });
    const tx = read('bundle-transaction.xml') as Resource & { entry?: Array<{ resource?: Resource; request?: { method?: string } }> };
    expect(tx.entry?.map((e) => e.resource?.resourceType ?? e.request?.method)).toEqual([
      'Patient', 'Patient', 'Patient', 'Patient', 'Patient', 'DELETE', 'DELETE', 'Parameters', 'GET', 'GET',
    ]);
  });

  it('types primitives: decimals, integers and booleans are JSON numbers and booleans', () => {
    const obs = read('observation-example-f001-glucose.xml') as Resource & { valueQuantity?: { value?: number }; referenceRange?: Array<{ low?: { value?: number } }> };
    expect(obs.valueQuantity?.value).toBe(6.3);
    expect(obs.referenceRange?.[0]?.low?.value).toBe(3.1);
    const searchset = read('bundle-example.xml') as Resource & { total?: number; entry?: Array<{ search?: { score?: number } }> };
    expect(searchset.total).toBe(3);
    expect(searchset.entry?.[0]?.search?.score).toBe(1);
    const patient = read('patient-example-f001-pieter.xml') as Resource & { deceasedBoolean?: boolean; multipleBirthBoolean?: boolean };
    expect(patient).toMatchObject({ deceasedBoolean: false, multipleBirthBoolean: true });
  });
});

describe('what the XML rules allow beyond the examples', () => {
  it('reads a prefixed XHTML narrative as the one unprefixed div FHIR JSON carries', () => {
    const xml = '<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><h:div xmlns:h="http://www.w3.org/1999/xhtml" xml:lang="fr"><h:p>é &amp; <h:b>x</h:b></h:p><h:br/></h:div></text></Patient>';
    const json = fhirXmlToJson<Patient>(xml);
    expect(json.text?.div).toBe('<div xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr"><p>é &amp; <b>x</b></p><br/></div>');
    expect(errors(json)).toEqual([]);
    expect(fhirXmlToJson(fhirJsonToXml(json))).toEqual(json);
  });

  it('aligns primitive extensions and ids on a repeating element, a value-less first one included', () => {
    const xml =
      '<Patient xmlns="http://hl7.org/fhir"><name><given><extension url="http://example.org/ext"><valueString value="b"/></extension></given><given value="James"/><given id="g3" value="Z"/></name></Patient>';
    const json = fhirXmlToJson(xml) as Resource & { name?: Array<{ given?: Array<string | null>; _given?: unknown[] }> };
    expect(json.name?.[0]).toEqual({
      given: [null, 'James', 'Z'],
      _given: [{ extension: [{ url: 'http://example.org/ext', valueString: 'b' }] }, null, { id: 'g3' }],
    });
    expect(fhirJsonToXml(json)).toBe(`<?xml version="1.0" encoding="UTF-8"?>${xml}`);
  });

  it('writes a line break inside an attribute as a character reference, so it survives parsing', () => {
    const json = { resourceType: 'Patient', address: [{ text: '534 Erewhon St\nPleasantVille' }] } as Resource;
    const xml = fhirJsonToXml(json);
    expect(xml).toContain('534 Erewhon St&#xA;PleasantVille');
    expect(fhirXmlToJson(xml)).toEqual(json);
  });
});
