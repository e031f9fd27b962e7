// Over HTTP, a FHIR write whose body gives an element the wrong JSON type (a string where a list
// is due, a number for an object...) is bad input: a 400 OperationOutcome naming where, never a
// 500, and nothing written. A sample of each write path; every property of an ITI-65 Bundle is
// tried in-process (test/unit/fhir/provide-bundle-shapes.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { replacedAt } from '../support/json-shapes.js';
import { adultRecord, creationPatient, deposit, emergencyConsent, fhir, patientActor, pro, startRecordServer, type RecordServer } from '../support/fhir-record.js';

const SUPPORT: Actor = { kind: 'support', agentId: 'agent-7' };
const DOCTOR = pro('doctor');

/** A 400 OperationOutcome whose issues name `location` (or one below it). */
function refusedAt(res: { status: number; body: unknown }, location: string): void {
  expect(res.status).toBe(400);
  const outcome = res.body as OperationOutcome;
  expect(outcome.resourceType).toBe('OperationOutcome');
  expect(outcome.issue.some((i) => (i.expression ?? []).some((x) => x.startsWith(location)))).toBe(true);
}

describe('a body of the wrong JSON shape is refused whole (400), never a 500', () => {
  let rs: RecordServer;
  let patientKey: string;
  let documentId: string;
  beforeAll(async () => {
    rs = await startRecordServer();
    const rec = await adultRecord(rs);
    patientKey = rec.patientKey;
    documentId = await deposit(rs, DOCTOR, rec.ins);
  });
  afterAll(async () => {
    await rs?.close();
  });

  /** What the record holds, as the patient reads it: its documents and its lists. */
  async function stored(): Promise<string[]> {
    const me = patientActor(patientKey);
    const docs = await fhir<Bundle>(rs, me, 'GET', `DocumentReference?patient=Patient/${patientKey}&_count=100`);
    const lists = await fhir<Bundle>(rs, me, 'GET', `List?patient=Patient/${patientKey}&_count=100`);
    return [...(docs.body.entry ?? []), ...(lists.body.entry ?? [])].map((e) => `${e.resource?.resourceType}/${e.resource?.id}/${e.resource?.meta?.versionId}`).sort();
  }

  const bundle = (): Bundle =>
    provideBundle({
      patient: `Patient/${patientKey}`,
      docs: [{ author: { idNatPs: DOCTOR.idNatPs, family: 'Martin', given: 'Alice' }, replaces: documentId }],
    });
  // [what, path in the Bundle (entry 0 is the SubmissionSet List, entry 1 the DocumentReference), the wrong value]
  const ITI65_CASES: Array<[string, Array<string | number>, unknown]> = [
    ['Bundle.meta.profile', ['meta', 'profile'], 'x'],
    ['List.entry', ['entry', 0, 'resource', 'entry'], 'x'],
    ['List.extension', ['entry', 0, 'resource', 'extension'], 'x'],
    ['List.identifier', ['entry', 0, 'resource', 'identifier'], 'x'],
    ['DocumentReference.contained', ['entry', 1, 'resource', 'contained'], 'x'],
    ['DocumentReference.securityLabel', ['entry', 1, 'resource', 'securityLabel'], 'x'],
    ['DocumentReference.author', ['entry', 1, 'resource', 'author'], 'x'],
    ['DocumentReference.relatesTo', ['entry', 1, 'resource', 'relatesTo'], 'x'],
    ['DocumentReference.content[0].attachment', ['entry', 1, 'resource', 'content', 0, 'attachment'], ['x']],
    ['Bundle.entry[1].fullUrl', ['entry', 1, 'fullUrl'], 7],
    ['Bundle.entry[0].resource', ['entry', 0, 'resource'], null],
    ["DocumentReference._status (a primitive's extensions)", ['entry', 1, 'resource', '_status'], 'x'],
    ['DocumentReference._securityLabel (no primitive)', ['entry', 1, 'resource', '_securityLabel'], ['x']],
  ];

  it('ITI-65: a wrong JSON type anywhere in the Bundle is a 400 naming it, and nothing is stored', async () => {
    const before = await stored();
    for (const [what, path, wrong] of ITI65_CASES) {
      const body = replacedAt(bundle(), path, wrong) as Resource;
      const res = await fhir<OperationOutcome>(rs, DOCTOR, 'POST', '', { body });
      expect([what, res.status]).toEqual([what, 400]);
      refusedAt(res, path[0] === 'meta' ? 'Bundle.meta.profile' : `Bundle.${path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1)}`.replace(/\.\[/g, '['));
    }
    expect(await stored()).toEqual(before);
    // and the same Bundle, well formed, is stored (the cases above were refused for their shape)
    expect((await fhir(rs, DOCTOR, 'POST', '', { body: bundle() })).status).toBe(200);
  });

  it('Consent create and update: a string for a list is a 400 naming it', async () => {
    const me = patientActor(patientKey);
    const consent = emergencyConsent(patientKey, 'centre_15', 'deny');
    refusedAt(await fhir(rs, me, 'POST', 'Consent', { body: { ...consent, category: 'x' } as unknown as Resource }), 'Consent.category');
    refusedAt(await fhir(rs, me, 'POST', 'Consent', { body: { ...consent, provision: { ...consent.provision, purpose: 'x' } } as unknown as Resource }), 'Consent.provision.purpose');
    const id = `${patientKey.replace(/-/g, '')}-centre-15`;
    refusedAt(await fhir(rs, me, 'PUT', `Consent/${id}`, { body: { ...consent, id, provision: 7 } as unknown as Resource }), 'Consent.provision');
    refusedAt(await fhir(rs, me, 'PUT', `Consent/${id}`, { body: { ...consent, id, _status: 7 } as unknown as Resource }), 'Consent._status');
  });

  it('Patient create (DMP creation): a string for a list, a list for an object are 400s naming them', async () => {
    const patient = creationPatient({ family: 'Martin', given: 'Paul', birthDate: '1970-01-01' });
    refusedAt(await fhir(rs, SUPPORT, 'POST', 'Patient', { body: { ...patient, identifier: 'x' } as unknown as Resource }), 'Patient.identifier');
    refusedAt(await fhir(rs, SUPPORT, 'POST', 'Patient', { body: { ...patient, name: [{ family: ['Martin'] }] } as unknown as Resource }), 'Patient.name[0].family');
    refusedAt(await fhir(rs, SUPPORT, 'POST', `Patient/${patientKey}/$close`, { body: { resourceType: 'Parameters', parameter: 7 } as unknown as Resource }), 'Parameters.parameter');
  });

  it('List (personal selection): a string for its entries is a 400 naming it', async () => {
    const me = patientActor(patientKey);
    const list = {
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      title: 'À revoir',
      code: { coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-list-type', code: 'carnet-selection' }] },
      subject: { reference: `Patient/${patientKey}` },
      entry: 'x',
    } as unknown as Resource;
    refusedAt(await fhir(rs, me, 'POST', 'List', { body: list }), 'List.entry');
  });

  it('DocumentReference PATCH: operations that leave an element of the wrong JSON type, or are not operations, are 400s; the document is unchanged', async () => {
    const me = patientActor(patientKey);
    const before = await stored();
    const patch = async (ops: unknown) => {
      const res = await fetch(`${rs.fhirBase}/DocumentReference/${documentId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${await rs.server.tokenFor(me)}`, 'content-type': 'application/json-patch+json', accept: 'application/fhir+json' },
        body: JSON.stringify(ops),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    refusedAt(await patch([{ op: 'replace', path: '/securityLabel', value: 'x' }]), 'DocumentReference.securityLabel');
    refusedAt(await patch([{ op: 'add', path: '/extension', value: 7 }]), 'DocumentReference.extension');
    refusedAt(await patch([{ op: 'replace', path: '/status', value: ['entered-in-error'] }]), 'DocumentReference.status');
    for (const ops of [[null], [{ op: 7, path: '/status', value: 'entered-in-error' }], [{ op: 'replace', path: 7, value: 'x' }], { op: 'replace' }]) {
      const res = await patch(ops);
      expect([ops, res.status]).toEqual([ops, 400]);
      expect((res.body as OperationOutcome).resourceType).toBe('OperationOutcome');
    }
    expect(await stored()).toEqual(before);
  });
});
