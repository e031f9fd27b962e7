import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import { fhir, INS, newIns, pro, reasonOf, startRecordServer, type RecordServer } from '../support/fhir-record.js';

function creation(insValue: string, o: { consent?: 'patient' | 'representative' | 'none'; birthDate?: string; withParent?: boolean } = {}): Patient {
  const contained: Resource[] = [];
  if (o.withParent) {
    contained.push({
      resourceType: 'RelatedPerson',
      id: 'mother',
      patient: { reference: '#' },
      relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'MTH' }] }],
      name: [{ family: 'Durand', given: ['Claire'] }],
      telecom: [{ system: 'email', value: 'claire@example.org' }],
    });
  }
  if (o.consent !== 'none') {
    contained.push({
      resourceType: 'Consent',
      id: 'creation',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-consent-category', code: 'dmp-creation' }] }],
      patient: { reference: '#' },
      performer: [{ reference: o.consent === 'representative' ? '#mother' : '#' }],
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
      provision: { type: 'permit' },
    });
  }
  return {
    resourceType: 'Patient',
    contained,
    identifier: [{ system: INS, value: insValue }],
    name: [{ family: 'Durand', given: ['Léa'] }],
    gender: 'female',
    birthDate: o.birthDate ?? '1990-02-03',
  };
}

describe('FHIR Patient: creating a DMP (POST /Patient with a contained Consent)', () => {
  let rs: RecordServer;
  beforeAll(async () => {
    rs = await startRecordServer();
  });
  afterAll(async () => {
    await rs.close();
  });

  it('DMP-01: a professional creates a DMP with the patient\'s consent; it then exists', async () => {
    const ins = newIns().value;
    const res = await fhir<Patient>(rs, pro('doctor'), 'POST', 'Patient', { body: creation(ins) });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('location')).toBe(`${rs.fhirBase}/Patient/${res.body.id}`);
    expect(res.body.active).toBe(true);
    const found = await fhir<Bundle>(rs, pro('nurse'), 'GET', `Patient?identifier=${INS}|${ins}`);
    expect(found.body.total).toBe(1);
    expect((found.body.entry![0].resource as Patient).name).toEqual([{ family: 'Durand', given: ['Léa'] }]);
  });

  it('DMP-01: creates from FHIR XML as well', async () => {
    const ins = newIns().value;
    const res = await fhir<Patient>(rs, pro('doctor'), 'POST', 'Patient', { body: creation(ins), format: 'xml' });
    expect(res.status).toBe(201);
    expect(res.body.identifier?.[0].value).toBe(ins);
  });

  it('DMP-01: without the consent nothing is created', async () => {
    const ins = newIns().value;
    const res = await fhir(rs, pro('doctor'), 'POST', 'Patient', { body: creation(ins, { consent: 'none' }) });
    expect(res.status).toBe(403);
    expect(reasonOf(res.body)).toBe('consent_required');
    const found = await fhir<Bundle>(rs, pro('doctor'), 'GET', `Patient?identifier=${INS}|${ins}`);
    expect(found.body.total).toBe(0);
  });

  it('DMP-01, MIN-01: a minor\'s DMP is created with a legal representative\'s consent, not the minor\'s', async () => {
    const minor = new Date(Date.now() - 10 * 365 * 86_400_000).toISOString().slice(0, 10);
    const byMinor = await fhir(rs, pro('doctor'), 'POST', 'Patient', { body: creation(newIns().value, { birthDate: minor, withParent: true }) });
    expect(byMinor.status).toBe(403);
    expect(reasonOf(byMinor.body)).toBe('legal_representative_required');
    const byParent = await fhir(rs, pro('doctor'), 'POST', 'Patient', {
      body: creation(newIns().value, { birthDate: minor, withParent: true, consent: 'representative' }),
    });
    expect(byParent.status).toBe(201);
  });

  it('a second DMP for the same INS is a 409 conflict', async () => {
    const ins = newIns().value;
    expect((await fhir(rs, pro('doctor'), 'POST', 'Patient', { body: creation(ins) })).status).toBe(201);
    expect((await fhir(rs, pro('doctor'), 'POST', 'Patient', { body: creation(ins) })).status).toBe(409);
  });

  it('refuses a Patient without an INS, or with a non-INS identifier (400)', async () => {
    const noId = { ...creation('x'), identifier: [] };
    expect((await fhir(rs, pro('doctor'), 'POST', 'Patient', { body: noId })).status).toBe(400);
    const other = { ...creation('x'), identifier: [{ system: 'urn:oid:1.2.3.4', value: '42' }] };
    expect((await fhir(rs, pro('doctor'), 'POST', 'Patient', { body: other })).status).toBe(400);
  });

  it('ACC-04: administrative staff cannot create a DMP (403)', async () => {
    const res = await fhir(rs, pro('secretary'), 'POST', 'Patient', { body: creation(newIns().value) });
    expect(res.status).toBe(403);
  });
});
