// The insurer's feed of reimbursement data ("données de remboursement", issue 16 item 9b), through
// both doors on a real port: an ITI-65 Bundle with a bearer token, an ITI-41 with a VIHF whose
// structure is a configured insurer. It deposits that one type into open records (DOC-02), any
// other type is refused (DOC-01's table decides the class), and it reads nothing (ACC-01).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { InsurerActor, ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle, type DocSpec } from '../support/mhd-bundle.js';
import { describeEachStore } from '../support/stores.js';
import { newVersion, registryUpdate } from '../support/lock-xds.js';
import { adultRecord, entryMetadata, INS_SYSTEM, makeWorld, patientCaller, submission, type World } from '../support/world.js';
import { adhocQuery, cx, errorCodes, postSoap, responseStatus, vihfFor, XDS_ACTIONS, provideAndRegister } from '../support/xds-client.js';

const INSURER_STRUCTURE = '3180000000001';
const insurer: InsurerActor = { kind: 'insurer', insurerId: INSURER_STRUCTURE };
/** The insurer's automated flow as its VIHF says it: the person responsible, acting for the insurer's structure. */
const insurerFlow: ProfessionalActor = { kind: 'professional', idNatPs: '810000099999', profession: '10', structureId: INSURER_STRUCTURE, mode: 'normal', family: 'Flux remboursement' };
const REMB: DocSpec = { typeCode: 'REMB', typeSystem: 'urn:oid:1.2.250.1.213.1.1.4.12', classCode: '60', content: 'Consultations remboursées en 2026' };
const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";

describeEachStore('the insurer deposits reimbursement data and nothing else', (db) => {
  let server: RunningApp;
  let w: World;
  let record: { patientKey: string; ins: PatientIdentifier };

  const fhir = async (actor: InsurerActor, path: string, init: RequestInit = {}) =>
    fetch(`${server.baseUrl}/fhir${path}`, { ...init, headers: { authorization: `Bearer ${await server.tokenFor(actor)}`, 'content-type': 'application/fhir+json', ...(init.headers ?? {}) } });
  /** An ITI-65 Bundle naming the patient by INS, as a sender that knows no Patient id does. */
  function bundleFor(ins: PatientIdentifier, doc: DocSpec): Bundle {
    const patientUrl = `urn:uuid:${randomUUID()}`;
    const bundle = provideBundle({ patient: patientUrl, docs: [doc] });
    bundle.entry!.push({ fullUrl: patientUrl, resource: { resourceType: 'Patient', identifier: [{ system: `urn:oid:${ins.system}`, value: ins.value }] }, request: { method: 'POST', url: 'Patient' } });
    return bundle;
  }
  const depositXds = (sub: SubmissionRequest, requestId?: string) => {
    const { body, attachments } = provideAndRegister(sub);
    return postSoap(`${server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion: vihfFor(insurerFlow), attachments, requestId });
  };
  const patientTypes = async (patientKey = record.patientKey) => (await w.services.documents.find(patientCaller(patientKey), { patientKey }, { latestOnly: false })).entries.map((e) => e.typeCode?.code).sort();

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db(), { CARNET_INSURER_STRUCTURES: INSURER_STRUCTURE });
    w = { db: db(), clock: undefined as never, services: server.app.services };
    record = await adultRecord(w);
  });
  afterAll(async () => {
    await server.close();
  });

  it('DOC-02: through MHD (ITI-65), the insurer deposits reimbursement data into an open record without any authorisation; the patient sees it; it is traced as the insurer', async () => {
    const res = await fhir(insurer, '', { method: 'POST', body: JSON.stringify(bundleFor(record.ins, REMB)) });
    expect(res.status).toBe(200);
    expect((await res.json()) as Bundle).toMatchObject({ type: 'transaction-response' });
    expect(await patientTypes()).toEqual(['REMB']);
    const trace = await db().query<{ actor_kind: string; actor_id: string; outcome: string }>(
      "SELECT actor_kind, actor_id, outcome FROM access_trace WHERE chain_key = $1 AND actor_kind = 'insurer'",
      [record.patientKey],
    );
    expect(trace.rows).toEqual([expect.objectContaining({ actor_kind: 'insurer', actor_id: INSURER_STRUCTURE, outcome: 'success' })]);
  });

  it('DOC-01: through MHD, the insurer deposits no other type of document: the Bundle is refused whole', async () => {
    const res = await fhir(insurer, '', { method: 'POST', body: JSON.stringify(bundleFor(record.ins, { typeCode: '11488-4', classCode: '10' })) });
    expect(res.status).toBe(400);
    const outcome = (await res.json()) as OperationOutcome;
    expect(outcome.issue.map((i) => i.diagnostics).join(' ')).toContain('typeCode 11488-4 is not reimbursement data (class 60), the only documents the insurer deposits');
    expect(await patientTypes()).toEqual(['REMB']);
  });

  it('ACC-01: the insurer reads nothing through the FHIR door, not even what it deposited', async () => {
    const search = await fhir(insurer, `/DocumentReference?patient.identifier=${encodeURIComponent(`urn:oid:${INS_SYSTEM}|${record.ins.value}`)}`);
    expect(search.status).toBe(403);
    const mine = (await w.services.documents.find(patientCaller(record.patientKey), { patientKey: record.patientKey }, { latestOnly: false })).entries[0]!;
    const read = await fhir(insurer, `/DocumentReference/${mine.entryUuid}`);
    expect(read.status).toBe(404);
    expect((await fhir(insurer, `/Binary/${mine.entryUuid}`)).status).toBe(404);
  });

  it('DOC-02: through XDS (ITI-41), a VIHF of the configured insurer structure deposits reimbursement data, and no other type', async () => {
    const ok = await depositXds(submission(record.ins, [{ typeCode: 'REMB', classCode: '60', content: 'Remboursements, mars 2026' }]));
    expect(responseStatus(ok)).toBe('Success');
    const refused = await depositXds(submission(record.ins, [{ typeCode: '11488-4', classCode: '10' }]));
    expect(responseStatus(refused)).toBe('Failure');
    expect(errorCodes(refused)).toEqual(['XDSRegistryMetadataError']);
    expect(refused.xml).toContain('is not reimbursement data');
    expect(await patientTypes()).toEqual(['REMB', 'REMB']);
  });

  it('ACC-01: through XDS (ITI-18), the insurer finds nothing', async () => {
    const answer = await postSoap(`${server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-18'], adhocQuery(Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(record.ins), $XDSDocumentEntryStatus: APPROVED }), { assertion: vihfFor(insurerFlow) });
    expect([responseStatus(answer), errorCodes(answer)]).toEqual(['Failure', ['XDSRegistryError']]);
    expect(answer.xml).not.toContain('Remboursements');
  });

  it('DOC-05: the insurer replaces its own reimbursement data (RPLC through XDS, relatesTo through MHD): the old version is superseded; a professional\'s document or another insurer\'s it cannot replace', async () => {
    const own = await adultRecord(w);
    const first = submission(own.ins, [{ typeCode: 'REMB', classCode: '60', content: 'Remboursements, avril 2026' }]);
    expect(responseStatus(await depositXds(first))).toBe('Success');
    const entryOf = async (uniqueId: string) =>
      (await w.services.documents.find(patientCaller(own.patientKey), { patientKey: own.patientKey }, { latestOnly: false })).entries.find((e) => e.uniqueId === uniqueId)!;
    const old = await entryOf(first.documents[0]!.metadata.uniqueId);
    const replacing = (target: string, content: string) => {
      const next = submission(own.ins, [{ typeCode: 'REMB', classCode: '60', content }]);
      next.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: target });
      return next;
    };
    const corrected = replacing(old.entryUuid, 'Remboursements, avril 2026 (corrigé)');
    expect(responseStatus(await depositXds(corrected))).toBe('Success');
    expect((await entryOf(old.uniqueId)).availabilityStatus).toBe('Deprecated');
    expect((await entryOf(corrected.documents[0]!.metadata.uniqueId)).availabilityStatus).toBe('Approved');
    // the same through MHD: relatesTo replaces, in an ITI-65 Bundle
    const current = await entryOf(corrected.documents[0]!.metadata.uniqueId);
    const mhd = await fhir(insurer, '', { method: 'POST', body: JSON.stringify(bundleFor(own.ins, { ...REMB, content: 'Remboursements, avril 2026 (second correctif)', replaces: current.entryUuid.replace(/^urn:uuid:/, '') })) });
    expect(mhd.status).toBe(200);
    expect((await entryOf(current.uniqueId)).availabilityStatus).toBe('Deprecated');

    // a doctor's report, and another insurer's deposit, stay as they are
    const doctor = { kind: 'professional' as const, idNatPs: '810000000002', profession: '10', specialty: 'SM26', structureId: '1690000002', mode: 'normal' as const };
    const report = submission(own.ins, [{ typeCode: '11488-4', classCode: '10' }]);
    await w.services.submissions.submit({ actor: doctor, channel: 'test' }, report);
    const other = submission(own.ins, [{ typeCode: 'REMB', classCode: '60', content: 'Remboursements, régime complémentaire' }]);
    await w.services.submissions.submit({ actor: { kind: 'insurer', insurerId: '3180000000002' }, channel: 'test' }, other);
    for (const target of [report, other]) {
      const refused = await depositXds(replacing((await entryOf(target.documents[0]!.metadata.uniqueId)).entryUuid, 'remplacement indu'));
      expect(responseStatus(refused)).toBe('Failure');
      expect((await entryOf(target.documents[0]!.metadata.uniqueId)).availabilityStatus).toBe('Approved');
    }
  });

  it("ACC-10: an insurer token about one patient (person_id) deposits into no other record: refused (403 other_patient), nothing stored, traced there — as its VIHF's resource-id binds it", async () => {
    const named = await adultRecord(w);
    const other = await adultRecord(w);
    const bound: InsurerActor = { ...insurer, boundPatient: named.ins };
    const count = async (patientKey: string) => (await w.services.documents.find(patientCaller(patientKey), { patientKey }, { latestOnly: false })).entries.length;
    const refusedOn = async (patientKey: string) =>
      (await db().query<{ n: number }>("SELECT count(*)::int AS n FROM access_trace WHERE chain_key = $1 AND outcome = 'denied' AND reason = 'other_patient'", [patientKey])).rows[0]!.n;
    const res = await fhir(bound, '', { method: 'POST', body: JSON.stringify(bundleFor(other.ins, REMB)) });
    expect(res.status).toBe(403);
    expect(await count(other.patientKey)).toBe(0);
    expect(await refusedOn(other.patientKey)).toBe(1);
    // its own patient: deposited as usual
    const own = await fhir(bound, '', { method: 'POST', body: JSON.stringify(bundleFor(named.ins, REMB)) });
    expect(own.status).toBe(200);
    expect(await count(named.patientKey)).toBe(1);
  });

  it('MASK-01/MASK-02: the insurer sets no visibility flag on what it deposits (not INVISIBLE_PATIENT, not MASQUE_PS), through MHD or XDS; the patient and professionals keep seeing its data', async () => {
    const own = await adultRecord(w);
    const count = async () => (await w.services.documents.find(patientCaller(own.patientKey), { patientKey: own.patientKey }, { latestOnly: false })).entries.length;
    for (const flag of ['INVISIBLE_PATIENT', 'MASQUE_PS', 'INVISIBLE_REPRESENTANTS_LEGAUX']) {
      const res = await fhir(insurer, '', { method: 'POST', body: JSON.stringify(bundleFor(own.ins, { ...REMB, confidentiality: ['N', flag] })) });
      expect([flag, res.status]).toEqual([flag, 400]);
      expect(((await res.json()) as OperationOutcome).issue.map((i) => i.diagnostics).join(' ')).toContain('the insurer sets no visibility flag');
      const xds = await depositXds(submission(own.ins, [{ typeCode: 'REMB', classCode: '60', confidentiality: ['N', flag] }]));
      expect([flag, responseStatus(xds), errorCodes(xds)]).toEqual([flag, 'Failure', ['XDSRegistryMetadataError']]);
    }
    expect(await count()).toBe(0);
    // the usual confidentiality codes stay its own to give
    expect(responseStatus(await depositXds(submission(own.ins, [{ typeCode: 'REMB', classCode: '60', confidentiality: ['N'] }])))).toBe('Success');
    expect(await count()).toBe(1);
  });

  it('DOC-01 / MASK-01/02: an ITI-57 new version of its reimbursement data keeps it reimbursement data, flagged by nobody: another type, or a visibility flag, is refused', async () => {
    const own = await adultRecord(w);
    const first = submission(own.ins, [{ typeCode: 'REMB', classCode: '60', content: 'Remboursements, mai 2026' }]);
    expect(responseStatus(await depositXds(first))).toBe('Success');
    const was = (await w.services.documents.find(patientCaller(own.patientKey), { patientKey: own.patientKey })).entries[0]!;
    const update = (typeCode: string, classCode: string, confidentiality = ['N']) => {
      const v = `urn:uuid:${randomUUID()}`;
      const md = { ...entryMetadata(own.ins, { uniqueId: was.uniqueId, typeCode, classCode, confidentiality }), hash: was.hash!, size: was.size!, repositoryUniqueId: was.repositoryUniqueId!, logicalId: was.logicalId, entryUuid: v };
      return postSoap(`${server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-57'], registryUpdate(own.ins, newVersion(md, v, 1)), { assertion: vihfFor(insurerFlow) });
    };
    const retyped = await update('11488-4', '10');
    expect([responseStatus(retyped), errorCodes(retyped)]).toEqual(['Failure', ['XDSRegistryMetadataError']]);
    expect(retyped.xml).toContain('is not reimbursement data');
    const hidden = await update('REMB', '60', ['N', 'INVISIBLE_PATIENT']);
    expect(responseStatus(hidden)).toBe('Failure');
    expect(await patientTypes(own.patientKey)).toEqual(['REMB']);
    // not vacuous: a new version that stays reimbursement data is taken
    expect(responseStatus(await update('REMB', '60'))).toBe('Success');
  });

  it('DMP-05: a closed record takes no reimbursement data either', async () => {
    const closed = await adultRecord(w);
    await w.services.records.close(patientCaller(closed.patientKey), closed.patientKey, 'test');
    const res = await fhir(insurer, '', { method: 'POST', body: JSON.stringify(bundleFor(closed.ins, REMB)) });
    expect([res.status, ((await res.json()) as OperationOutcome).issue[0]?.diagnostics]).toEqual([403, 'the record is closed']);
    const xds = await depositXds(submission(closed.ins, [{ typeCode: 'REMB', classCode: '60' }]));
    expect([responseStatus(xds), errorCodes(xds)]).toEqual(['Failure', expect.arrayContaining([expect.any(String)])]);
    expect(xds.xml).toContain('the record is closed');
  });
});
