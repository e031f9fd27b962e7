// FHIR R4 and MHD details checked clause by clause (issue 12), on a real port: status codes for
// bodies and methods the door does not take, JSON without empty arrays, Bundle.total in ITI-67,
// versions and their headers, conditional create in ITI-65, ITI-66's source search.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, CapabilityStatement } from '@medplum/fhirtypes';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { adultRecord, deposit, patientActor, pro, startRecordServer, type RecordServer } from '../support/fhir-record.js';

/** Every path to an empty array in a JSON value ("$.entry"), for R4 json.html. */
function emptyArrays(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((v, i) => emptyArrays(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => emptyArrays(v, `${path}.${k}`));
  return [];
}

describe('FHIR R4 / MHD 4.2 details (issue 12)', () => {
  let rs: RecordServer;
  let rec: { patientKey: string; ins: PatientIdentifier };
  let documentId: string;
  const doctor = pro('doctor');

  async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const headers = { authorization: `Bearer ${await rs.server.tokenFor(doctor)}`, accept: 'application/fhir+json', ...init.headers };
    return fetch(`${rs.fhirBase}/${path}`, { method: init.method ?? 'GET', headers, body: init.body });
  }

  beforeAll(async () => {
    rs = await startRecordServer();
    rec = await adultRecord(rs);
    await rs.server.app.services.consent.addGrant({ actor: patientActor(rec.patientKey), channel: 'test' }, rec.patientKey, {
      subjectKind: 'professional',
      subjectId: doctor.idNatPs,
      effect: 'permit',
    });
    documentId = await deposit(rs, doctor, rec.ins);
  }, 60_000);
  afterAll(async () => {
    await rs?.close();
  });

  it('item 9 (R4 http.html#2.21.0.3, 415): a body in a type the door does not read is 415, for a resource and for a posted search', async () => {
    const cases = [
      { path: '', type: 'text/csv', body: 'a,b' },
      { path: '', type: 'text/plain', body: '{}' },
      { path: '', type: 'application/octet-stream', body: '{}' },
      { path: 'DocumentReference/_search', type: 'text/plain', body: `patient=Patient/${rec.patientKey}` },
      { path: 'DocumentReference/_search', type: 'application/fhir+json', body: '{}' },
      { path: 'List', type: 'application/x-www-form-urlencoded', body: 'a=b' },
    ];
    for (const c of cases) {
      const res = await call(c.path, { method: 'POST', headers: { 'content-type': c.type }, body: c.body });
      const outcome = (await res.json()) as { resourceType: string; issue: Array<{ code: string }> };
      expect({ ...c, status: res.status, type: outcome.resourceType, code: outcome.issue[0]?.code }).toEqual({ ...c, status: 415, type: 'OperationOutcome', code: 'not-supported' });
    }
    // the form a search is posted in still works
    const form = await call('DocumentReference/_search', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `patient=Patient/${rec.patientKey}` });
    expect(form.status).toBe(200);
  });

  it('item 9 (R4 http.html#2.21.0.3, 405): a method on a path that exists for other methods is 405 with Allow', async () => {
    const cases = [
      { method: 'PUT', path: `DocumentReference/${documentId}`, allow: 'GET, HEAD, PATCH' },
      { method: 'DELETE', path: `Binary/${documentId}`, allow: 'GET, HEAD' },
      { method: 'GET', path: 'DocumentReference/_search', allow: 'POST' },
      { method: 'GET', path: 'List/_search', allow: 'POST' },
      { method: 'DELETE', path: 'metadata', allow: 'GET, HEAD' },
    ];
    for (const c of cases) {
      const res = await call(c.path, { method: c.method });
      expect({ ...c, status: res.status, allowed: res.headers.get('allow') }).toEqual({ ...c, status: 405, allowed: c.allow });
    }
  });

  it('item 6 (R4 json.html: no empty arrays): a search without matches and the CapabilityStatement carry no empty array', async () => {
    const none = await call(`DocumentReference?patient=Patient/${rec.patientKey}&status=entered-in-error`);
    const bundle = (await none.json()) as Bundle;
    expect(bundle.total).toBe(0);
    const metadata = (await (await call('metadata')).json()) as CapabilityStatement;
    const lists = await call(`List?patient=Patient/${rec.patientKey}&code=folder`);
    expect({ search: emptyArrays(bundle), metadata: emptyArrays(metadata), lists: emptyArrays(await lists.json()) }).toEqual({ search: [], metadata: [], lists: [] });
  });

  it('item 6 (MHD ITI-67 §2:3.67.4.2.2): Bundle.total is in every ITI-67 answer, _total=none included', async () => {
    for (const total of ['none', 'estimate', 'accurate']) {
      const res = await call(`DocumentReference?patient=Patient/${rec.patientKey}&_total=${total}&_count=0`);
      expect({ total, value: ((await res.json()) as Bundle).total }).toEqual({ total, value: 1 });
    }
  });
});
