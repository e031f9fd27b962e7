import { beforeAll, describe, expect, it } from '@jest/globals';
import { validateResource } from '@medplum/core';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CarnetError } from '../../../src/domain/errors.js';
import { ensureFhirDefinitions, ensureResourceTypesIn } from '../../../src/fhir/definitions.js';
import { fhirJsonToXml, fhirXmlToJson } from '../../../src/fhir/xml.js';
import { assembleAsbestosBundle, listAsbestosTests } from '../../support/asbestos-bundles.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'fhir');

function errors(resource: Resource): string[] {
  // medplum's own validator, called directly: the resource's types indexed first (Carnet's code does it where it reads them)
  ensureResourceTypesIn(resource);
  return validateResource(resource)
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => `${i.expression?.join(',')}: ${i.details?.text}`);
}

/** XML -> JSON -> XML -> JSON is stable, and the two XML texts are identical. */
function roundTripXml(xml: string): { json: Resource; xml2: string } {
  const json = fhirXmlToJson(xml);
  const xml2 = fhirJsonToXml(json);
  const json2 = fhirXmlToJson(xml2);
  expect(json2).toEqual(json);
  expect(fhirJsonToXml(json2)).toBe(xml2);
  return { json, xml2 };
}

beforeAll(() => ensureFhirDefinitions());

describe('FHIR XML <-> JSON', () => {
  it('reads a Patient with narrative, identifiers and primitives', () => {
    const { json } = roundTripXml(readFileSync(join(FIXTURES, 'patient-william-extra-one.xml'), 'utf8'));
    expect(json).toMatchObject({
      resourceType: 'Patient',
      meta: { versionId: '1', profile: ['http://ihe.net/fhir/StructureDefinition/IHE.PDQm.PatientResource'] },
      active: true,
      gender: 'male',
      birthDate: '1952-04-05',
      name: [{ use: 'official', family: 'EXTRA-ONE', given: ['William'] }],
    });
    const patient = json as { text?: { div?: string }; identifier?: unknown[] };
    expect(patient.identifier).toHaveLength(4);
    expect(patient.text?.div).toMatch(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml">/);
    expect(patient.text?.div).toContain('<b>EXTRA-ONE </b>');
    expect(errors(json)).toEqual([]);
  });

  it('reads the Asbestos patient example (identifier type)', () => {
    const { json } = roundTripXml(readFileSync(join(FIXTURES, 'patient-example.xml'), 'utf8'));
    expect(json).toEqual({
      resourceType: 'Patient',
      identifier: [
        { use: 'usual', type: { coding: [{ system: 'urn:ietf:rfc:3986', code: 'urn:ihe:iti:xds:2013:accession' }] }, system: 'urn:oid:1.2.132.163', value: 'myMRN' },
      ],
    });
  });

  for (const collection of ['MHDv420_DocumentRecipient_comprehensive', 'MHDv420_DocumentRecipient_minimal'] as const) {
    for (const test of listAsbestosTests(collection)) {
      it(`round-trips the ${collection.replace('MHDv420_DocumentRecipient_', '')} ${test.name} Bundle`, () => {
        const xml = assembleAsbestosBundle(test, test.fixtures[0], {
          uuid: () => '8e0a1f7e-5b8c-4c55-9a35-3f4a64e2b1a0',
          variables: { original: 'http://localhost:8080/fhir/DocumentReference/0b5c6f4e-1111-4222-8333-944455556666' },
        });
        const { json } = roundTripXml(xml);
        const bundle = json as Bundle;
        expect(bundle.resourceType).toBe('Bundle');
        expect(bundle.type).toBe('transaction');
        for (const entry of bundle.entry ?? []) {
          expect(entry.request?.method).toBe('POST');
        }
        if (test.expectSuccess) {
          expect(errors(bundle)).toEqual([]);
        }
      });
    }
  }

  it('keeps DocumentReference contained resources, Binary data and List extensions', () => {
    const test = listAsbestosTests('MHDv420_DocumentRecipient_comprehensive').find((t) => t.name === '1_Prerequisite_Single_Document_with_Binary');
    if (!test) throw new Error('fixture missing');
    const warnings: string[] = [];
    const bundle = fhirXmlToJson<Bundle>(assembleAsbestosBundle(test), { onWarning: (_m, location) => warnings.push(location) });
    // The fixture repeats Coding.code (max 1): the first is kept, with a warning.
    expect(warnings).toEqual(['Bundle.entry[0].resource.context.practiceSetting.coding[0].code']);
    const [dr, list, binary] = (bundle.entry ?? []).map((e) => e.resource as unknown as Record<string, unknown>);
    expect(dr?.contained).toEqual([
      { resourceType: 'Patient', id: 'sourcePatient', identifier: [{ use: 'usual', system: 'urn:oid:1.2.132.163', value: 'myMRN' }] },
    ]);
    expect((dr?.context as { practiceSetting: unknown }).practiceSetting).toEqual({
      coding: [{ system: 'http://snomed.info/sct', code: '225728007' }],
    });
    expect(list?.extension).toEqual([
      {
        url: 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-designationType',
        valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '225728007', display: 'Accident and Emergency department' }] },
      },
      { url: 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-sourceId', valueIdentifier: { value: 'urn:oid:1.3.6.1.4.1.21367.2009.1.2.1' } },
    ]);
    expect(binary).toEqual({ resourceType: 'Binary', meta: { lastUpdated: '2013-07-01T13:11:33Z' }, contentType: 'text/plain', data: 'Zm9vYmFy' });
  });

  for (const file of ['observation.json', 'questionnaire.json', 'parameters.json', 'patient-given-extensions.json']) {
    it(`JSON -> XML -> JSON is the identity for ${file}`, () => {
      const json = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Resource;
      expect(errors(json)).toEqual([]);
      const xml = fhirJsonToXml(json);
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><')).toBe(true);
      const back = fhirXmlToJson(xml);
      expect(back).toEqual(json);
      roundTripXml(xml);
    });
  }

  it('writes primitives as value attributes, element ids and extension urls as attributes', () => {
    const xml = fhirJsonToXml(JSON.parse(readFileSync(join(FIXTURES, 'observation.json'), 'utf8')) as Resource);
    expect(xml).toContain('<Observation xmlns="http://hl7.org/fhir"><id value="bp-1"/><meta><versionId value="2"/>');
    expect(xml).toContain('<effectiveDateTime id="eff" value="2024-02-29T08:30:00+01:00"><extension url="http://example.org/precision"><valueCode value="minute"/></extension></effectiveDateTime>');
    expect(xml).toContain('<text value="Tension &quot;artérielle&quot;&#xA;ligne 2"/>');
    expect(xml).toContain('<valueQuantity><value value="120.5"/>');
    expect(xml).toContain('<div xmlns="http://www.w3.org/1999/xhtml"><p>Tension &lt;120/80&gt; &amp; pouls</p></div>');
    // element order follows the definitions, not the JSON order
    expect(xml.indexOf('<status value="final"/>')).toBeLessThan(xml.indexOf('<category>'));
  });

  it('refuses DOCTYPE and entity declarations', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY x SYSTEM "file:///etc/passwd">]><Patient xmlns="http://hl7.org/fhir"><id value="&x;"/></Patient>';
    expect(() => fhirXmlToJson(xxe)).toThrow(CarnetError);
    expect(() => fhirXmlToJson('<!DOCTYPE Patient><Patient xmlns="http://hl7.org/fhir"/>')).toThrow(/DOCTYPE/);
  });

  it('locates unknown elements, bad values and wrong namespaces', () => {
    const attempt = (xml: string): CarnetError => {
      try {
        fhirXmlToJson(xml);
      } catch (e) {
        return e as CarnetError;
      }
      throw new Error('no error');
    };
    expect(attempt('<Patient xmlns="http://hl7.org/fhir"><name><foo value="x"/></name></Patient>').location).toBe('Patient.name[0].foo');
    expect(attempt('<Patient xmlns="http://hl7.org/fhir"><active value="yes"/></Patient>').location).toBe('Patient.active');
    expect(attempt('<Patient><id value="x"/></Patient>').code).toBe('invalid_metadata');
    expect(attempt('<Nonsense xmlns="http://hl7.org/fhir"/>').message).toMatch(/Unknown resource type/);
    expect(attempt('<Patient xmlns="http://hl7.org/fhir"><id value="x"></Patient>').message).toMatch(/well-formed/);
  });

  it('refuses JSON properties the definitions do not know', () => {
    expect(() => fhirJsonToXml({ resourceType: 'Patient', foo: 1 } as unknown as Resource)).toThrow(/Unknown property foo/);
  });
});
