// Every FHIR write is held to its published profile by the same validation as `$validate`: for
// Consent create and update, DMP creation (Patient), the result of a DocumentReference PATCH and
// a personal selection (List), a write that breaks the profile is refused with the very problems
// `$validate` reports for the same resource.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Consent, DocumentReference, List, OperationOutcome, OperationOutcomeIssue, Patient, Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import { adultRecord, deposit, emergencyConsent, fhir, patientActor, pro, startRecordServer, type RecordServer, creationPatient } from '../support/fhir-record.js';

const SUPPORT: Actor = { kind: 'support', agentId: 'agent-7' };
const ACCESS_MODE = 'https://carnet.example/fhir/CodeSystem/dmp-access-mode';

/** Each problem `$validate` finds, as [where, what]. */
async function validated(rs: RecordServer, actor: Actor, resource: Resource, profile?: string): Promise<string[][]> {
  const q = profile ? `?profile=${encodeURIComponent(profile)}` : '';
  const res = await fhir<OperationOutcome>(rs, actor, 'POST', `${resource.resourceType}/$validate${q}`, { body: resource });
  expect(res.status).toBe(200);
  return res.body.issue.filter((i) => i.severity === 'error').map((i) => [i.expression?.[0] ?? '', i.details?.text ?? '']);
}

/** Each problem of a refused write, as [where, what]. */
function refusedWith(outcome: OperationOutcome): string[][] {
  return outcome.issue.map((i: OperationOutcomeIssue) => [i.expression?.[0] ?? '', i.diagnostics ?? '']);
}

describe('one validation for every FHIR write', () => {
  let rs: RecordServer;
  let patientKey: string;
  let documentId: string;
  beforeAll(async () => {
    rs = await startRecordServer();
    const rec = await adultRecord(rs);
    patientKey = rec.patientKey;
    documentId = await deposit(rs, pro('doctor'), rec.ins);
  });
  afterAll(async () => {
    await rs?.close();
  });

  const badMode = (c: Consent): Consent => ({ ...c, provision: { ...c.provision, purpose: [{ system: ACCESS_MODE, code: 'teleportation' }] } });

  it('Consent create: an access mode outside the rules is refused as $validate reports it', async () => {
    const me = patientActor(patientKey);
    const body = badMode(emergencyConsent(patientKey, 'centre_15', 'deny'));
    const expected = await validated(rs, me, body);
    expect(expected).toEqual([['Consent.provision.purpose[0]', expect.stringContaining('carnet-access-modes')]]);
    const res = await fhir<OperationOutcome>(rs, me, 'POST', 'Consent', { body });
    expect(res.status).toBe(400);
    expect(refusedWith(res.body)).toEqual(expected);
  });

  it('Consent update: an emergency Consent without its mode is refused as $validate reports it', async () => {
    const me = patientActor(patientKey);
    const id = `${patientKey.replace(/-/g, '')}-bris-de-glace`;
    const body: Consent = { ...emergencyConsent(patientKey, 'bris_de_glace', 'deny'), id };
    delete body.provision!.purpose;
    const expected = await validated(rs, me, body);
    expect(expected.some(([, what]) => what.includes('carnet-consent-1'))).toBe(true);
    const res = await fhir<OperationOutcome>(rs, me, 'PUT', `Consent/${id}`, { body });
    expect(res.status).toBe(400);
    expect(refusedWith(res.body)).toEqual(expected);
    // and a valid update still goes through
    expect((await fhir(rs, me, 'PUT', `Consent/${id}`, { body: { ...emergencyConsent(patientKey, 'bris_de_glace', 'deny'), id } })).status).toBe(200);
  });

  it('Patient create (DMP creation): a person without an INS is refused as $validate reports it', async () => {
    const body: Patient = creationPatient({ family: 'Martin', given: 'Paul', birthDate: '1970-01-01', identifierSystem: 'urn:oid:1.2.250.1.999' });
    const expected = await validated(rs, SUPPORT, body);
    expect(expected.some(([, what]) => what.includes('carnet-pat-1'))).toBe(true);
    const res = await fhir<OperationOutcome>(rs, SUPPORT, 'POST', 'Patient', { body });
    expect(res.status).toBe(400);
    expect(refusedWith(res.body)).toEqual(expected);
  });

  it('DocumentReference PATCH: a visibility flag from another code system is refused as $validate reports the patched document', async () => {
    const me = patientActor(patientKey);
    const before = (await fhir<DocumentReference>(rs, me, 'GET', `DocumentReference/${documentId}`)).body;
    const patch = [{ op: 'add', path: '/securityLabel/-', value: { coding: [{ system: 'urn:oid:1.2.250.1.999.404', code: 'MASQUE_PS' }] } }];
    const after = { ...before, securityLabel: [...(before.securityLabel ?? []), patch[0].value] };
    const profile = (before.meta?.profile ?? []).some((p) => p.includes('Minimal')) ? undefined : 'https://carnet.example/fhir/StructureDefinition/carnet-document-reference';
    const expected = await validated(rs, me, after, profile);
    expect(expected).toContainEqual([`DocumentReference.securityLabel[${before.securityLabel?.length ?? 0}]`, expect.stringContaining('JDV-J58')]);
    const res = await fetch(`${rs.fhirBase}/DocumentReference/${documentId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${await rs.server.tokenFor(me)}`, 'content-type': 'application/json-patch+json', accept: 'application/fhir+json' },
      body: JSON.stringify(patch),
    });
    expect(res.status).toBe(400);
    expect(refusedWith((await res.json()) as OperationOutcome)).toEqual(expected);
    // nothing was masked: the patched version is still the document's latest, unchanged
    const now = await fhir<Bundle>(rs, me, 'GET', `DocumentReference?patient=Patient/${patientKey}&_count=100`);
    const latest = (now.body.entry ?? []).map((e) => e.resource as DocumentReference).find((d) => d.id === documentId);
    expect(latest?.securityLabel).toEqual(before.securityLabel);
  });

  it('List (personal selection): an entry that names no document is refused as $validate reports it', async () => {
    const me = patientActor(patientKey);
    const body: List = {
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      title: 'À revoir',
      code: { coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-list-type', code: 'carnet-selection' }] },
      subject: { reference: `Patient/${patientKey}` },
      entry: [{ item: { display: 'the last report' } }],
    };
    const expected = await validated(rs, me, body);
    expect(expected.some(([, what]) => what.includes('carnet-sel-1'))).toBe(true);
    const res = await fhir<OperationOutcome>(rs, me, 'POST', 'List', { body });
    expect(res.status).toBe(400);
    expect(refusedWith(res.body)).toEqual(expected);
  });
});
