import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Extension, Patient, RelatedPerson, Resource } from '@medplum/fhirtypes';
import { BASE, fhir, INS, newIns, pro, PROS, reasonOf, startRecordServer, type RecordServer } from '../support/fhir-record.js';

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
    // R4 http.html#create: the location names the version created
    expect(res.headers.get('location')).toBe(`${rs.fhirBase}/Patient/${res.body.id}/_history/1`);
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

  describe('DMP-03: the creation desk hands over the internet account', () => {
    const ACCOUNT = `${BASE}/StructureDefinition/dmp-internet-account`;
    const CREDENTIALS = `${BASE}/StructureDefinition/dmp-issued-credentials`;
    const parts = (e: Extension) => Object.fromEntries((e.extension ?? []).map((x) => [x.url, x.valueString ?? x.valueCode ?? x.valueIdentifier?.value]));
    const issuedOf = (p: Patient) => (p.extension ?? []).filter((e) => e.url === CREDENTIALS).map(parts);

    it('DMP-03: a pharmacist creating a DMP gets the login and temporary password once, in the 201 answer; the creation and the account are traced together', async () => {
      const ins = newIns().value;
      const body = { ...creation(ins), extension: [{ url: ACCOUNT, valueBoolean: true }], telecom: [{ system: 'email' as const, value: 'lea@example.org' }] };
      const res = await fhir<Patient>(rs, pro('pharmacist'), 'POST', 'Patient', { body });
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const [issued, ...more] = issuedOf(res.body);
      expect(more).toEqual([]);
      expect(issued).toMatchObject({ holder: 'patient', login: expect.stringMatching(/\S{6,}/), temporaryPassword: expect.stringMatching(/\S{8,}/) });
      // the temporary password opens the first login (AUTH-03)
      const started = await fetch(`${rs.server.baseUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: issued.login, password: issued.temporaryPassword }) });
      expect(started.status).toBe(200);
      // never again: neither a read nor a search shows them
      const read = await fhir<Patient>(rs, pro('pharmacist'), 'GET', `Patient/${res.body.id}`);
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain(issued.temporaryPassword);
      const trace = await rs.db.query<{ action: string; actor_id: string; details: { atCreation?: boolean; channel?: string } }>(
        "SELECT action, actor_id, details FROM access_trace WHERE chain_key = $1 AND action IN ('record.create', 'account.create') ORDER BY seq",
        [res.body.id],
      );
      expect(trace.rows.map((r) => [r.action, r.actor_id])).toEqual([
        ['record.create', PROS.pharmacist.idNatPs],
        ['account.create', PROS.pharmacist.idNatPs],
      ]);
      expect(trace.rows[0].details.channel).toBe('pharmacy');
      expect(trace.rows[1].details.atCreation).toBe(true);
      expect(JSON.stringify(trace.rows)).not.toContain(issued.temporaryPassword);
    });

    it('DMP-03, MIN-02: a minor\'s DMP opens the representative\'s own account, named by the representative\'s id', async () => {
      const minor = new Date(Date.now() - 10 * 365 * 86_400_000).toISOString().slice(0, 10);
      const body = creation(newIns().value, { birthDate: minor, withParent: true, consent: 'representative' });
      const mother = body.contained!.find((r) => r.resourceType === 'RelatedPerson') as RelatedPerson;
      mother.extension = [{ url: ACCOUNT, valueBoolean: true }];
      const res = await fhir<Patient>(rs, pro('doctor'), 'POST', 'Patient', { body });
      expect(res.status).toBe(201);
      const issued = issuedOf(res.body);
      expect(issued).toHaveLength(1);
      expect(issued[0].holder).toBe('legal_representative');
      const rep = await rs.db.query<{ representative_id: string }>('SELECT representative_id::text FROM legal_representative WHERE patient_key = $1', [res.body.id]);
      expect(issued[0].representative).toBe(rep.rows[0].representative_id);
    });

    it('DMP-03: without the request no account is opened (a record may have none); an account without a contact refuses the whole creation', async () => {
      const plain = await fhir<Patient>(rs, pro('pharmacist'), 'POST', 'Patient', { body: creation(newIns().value) });
      expect(plain.status).toBe(201);
      expect(issuedOf(plain.body)).toEqual([]);
      const accounts = await rs.db.query('SELECT 1 FROM account WHERE patient_key = $1', [plain.body.id]);
      expect(accounts.rows).toHaveLength(0);
      const ins = newIns().value;
      const noContact = await fhir(rs, pro('pharmacist'), 'POST', 'Patient', { body: { ...creation(ins), extension: [{ url: ACCOUNT, valueBoolean: true }] } });
      expect(noContact.status).toBe(422);
      const found = await fhir<Bundle>(rs, pro('pharmacist'), 'GET', `Patient?identifier=${INS}|${ins}`);
      expect(found.body.total).toBe(0);
    });
  });
});
