// The e2e servers' answer check (test/support/published-check.ts) finds what it is there to find:
// issue 12 item 7 (own extensions and code systems published, codes with their system).
import { describe, expect, it } from '@jest/globals';
import { CS, EXT } from '../../../src/fhir/mappings/carnet-fhir.js';
import { PublishedCheck } from '../../support/published-check.js';

const checked = (body: unknown, text = JSON.stringify(body)) => {
  const c = new PublishedCheck('profiles');
  c.inspect('GET /fhir/x 200', text, typeof body === 'string' ? undefined : body);
  return c.found();
};

describe('issue 12 item 7: the answers check', () => {
  it('accepts a Patient with the published extensions and codes', () => {
    const patient = {
      resourceType: 'Patient',
      extension: [
        { url: EXT.AUTHORISATION_STATUS, valueCoding: { system: CS.AUTHORISATION_STATUS, code: 'blocked' } },
        { url: EXT.MEDECIN_TRAITANT, valueBoolean: true },
      ],
      meta: { tag: [{ system: CS.HISTORY_MARK, code: 'own' }] },
    };
    expect(checked(patient)).toEqual([]);
  });

  it('names an extension of the base that is not published', () => {
    expect(checked({ resourceType: 'Patient', extension: [{ url: 'https://carnet.example/fhir/StructureDefinition/nowhere', valueBoolean: true }] })).toEqual([
      'GET /fhir/x 200: extension https://carnet.example/fhir/StructureDefinition/nowhere is not published',
      'GET /fhir/x 200: names https://carnet.example/fhir/StructureDefinition/nowhere, not published',
    ]);
    expect(checked({ extension: [{ url: 'urn:carnet:fhir:extension:old', valueBoolean: true }] })).toEqual(['GET /fhir/x 200: extension urn:carnet:fhir:extension:old is not published']);
  });

  it('names a code without its system, an unpublished system and a code a complete system lacks', () => {
    const role = { resourceType: 'PractitionerRole', specialty: [{ coding: [{ code: 'SM26' }] }] };
    expect(checked(role)).toEqual(['GET /fhir/x 200: code SM26 without its system']);
    expect(checked({ issue: [{ details: { coding: [{ system: 'urn:carnet:error-code', code: 'forbidden' }] } }] })).toEqual([
      'GET /fhir/x 200: code system urn:carnet:error-code is not published',
    ]);
    expect(checked({ category: [{ coding: [{ system: CS.CONSENT_CATEGORY, code: 'holiday' }] }] })).toEqual([`GET /fhir/x 200: ${CS.CONSENT_CATEGORY} publishes no code holiday`]);
  });

  it('leaves fragments open: a trace action the rules do not list is not a fault', () => {
    expect(checked({ subtype: [{ system: CS.TRACE_ACTION, code: 'auth.login.code' }] })).toEqual([]);
  });

  it('does not hold an error\'s words against the server: diagnostics may repeat what the caller sent', () => {
    const nope = 'https://carnet.example/fhir/StructureDefinition/nope';
    expect(checked({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `no profile ${nope}` }] })).toEqual([]);
    expect(checked({ resourceType: 'Patient', meta: { profile: [nope] } })).toEqual([`GET /fhir/x 200: names ${nope}, not published`]);
  });

  it('reads canonical urls in any text, XML included', () => {
    expect(checked('<Patient xmlns="http://hl7.org/fhir"><extension url="https://carnet.example/fhir/StructureDefinition/dmp-medecin-traitant"><valueBoolean value="true"/></extension></Patient>')).toEqual([]);
    expect(checked('<Patient xmlns="http://hl7.org/fhir"><extension url="https://carnet.example/fhir/StructureDefinition/gone"/></Patient>')).toEqual([
      'GET /fhir/x 200: names https://carnet.example/fhir/StructureDefinition/gone, not published',
    ]);
  });
});
