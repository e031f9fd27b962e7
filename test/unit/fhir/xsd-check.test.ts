// The e2e servers' XML check (test/support/xsd-check.ts) judges with the official R4 XML Schema:
// it accepts valid resources, narrative and nested resources included, and refuses what R4's
// schema refuses, so a wrong XML answer can fail a suite.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { xsdErrors } from '../../support/xsd-check.js';

const FHIR = 'xmlns="http://hl7.org/fhir"';

describe('issue 12 proof: the R4 XML Schema check', () => {
  it('accepts a valid Patient, a CapabilityStatement of FHIR 4.0.1 and a searchset holding a resource with its narrative', () => {
    expect(xsdErrors(readFileSync(new URL('../../fixtures/fhir/patient-example.xml', import.meta.url), 'utf8'))).toEqual([]);
    expect(
      xsdErrors(
        `<?xml version="1.0" encoding="UTF-8"?><CapabilityStatement ${FHIR}><status value="active"/><date value="2024-01-01"/><kind value="instance"/><fhirVersion value="4.0.1"/><format value="xml"/></CapabilityStatement>`,
      ),
    ).toEqual([]);
    expect(
      xsdErrors(
        `<Bundle ${FHIR}><type value="searchset"/><total value="1"/><entry><resource><Patient><id value="p1"/><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>Jane</p></div></text><gender value="female"/></Patient></resource></entry></Bundle>`,
      ),
    ).toEqual([]);
  });

  it('refuses a bad code, an unknown element, elements out of R4 order, an empty value and an unknown resource type', () => {
    const [badCode] = xsdErrors(`<Bundle ${FHIR}><type value="searchset"/><entry><resource><Patient><gender value="x"/></Patient></resource></entry></Bundle>`);
    expect(badCode).toMatch(/gender.*'x' is not an element of the set/);
    expect(xsdErrors(`<Patient ${FHIR}><name><famly value="X"/></name></Patient>`)).not.toEqual([]);
    // R4 XML is ordered: Patient.gender comes before Patient.birthDate.
    expect(xsdErrors(`<Patient ${FHIR}><birthDate value="2000-01-01"/><gender value="male"/></Patient>`)).not.toEqual([]);
    expect(xsdErrors(`<Patient ${FHIR}><name><family value=""/></name></Patient>`)).not.toEqual([]);
    expect(xsdErrors(`<Nothing ${FHIR}/>`)).not.toEqual([]);
    expect(xsdErrors('<Patient><gender value="male"/></Patient>')).not.toEqual([]);
  });

  it('reports a body that is not XML at all instead of throwing', () => {
    expect(xsdErrors('<Patient')[0]).toMatch(/^not well-formed/);
  });
});
