// ITI-41 attacked on a real port where a deposit finds its record by INS inside the locking
// statement, takes its new document's logical id from its own entryUUID without looking a lineage
// up, and writes its rows in the statement of its first trace row (submit.ts, guard.ts,
// submission-store.ts). Each attack answers an XDS code of the IHE table (never the internal
// XDSRegistryError, never a 500), and a refused submission leaves nothing: no row, no uniqueId,
// no success in the trace, the record's chain whole.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { verifyTrace } from '../../src/store/trace-verify.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, newIns, patientCaller, proActor, submission, type World } from '../support/world.js';
import { errorCodes, postSoap, responseStatus, vihfFor, XDS_ACTIONS, type XdsAnswer, provideAndRegister } from '../support/xds-client.js';

/** `sub` with its documents' ids replaced by `ids` (their links with them). */
function withDocumentIds(sub: SubmissionRequest, ids: string[]): SubmissionRequest {
  const rename = new Map(sub.documents.map((d, i) => [d.id, ids[i]!]));
  const renamed = (id: string) => rename.get(id) ?? id;
  return {
    ...sub,
    documents: sub.documents.map((d) => ({ ...d, id: renamed(d.id) })),
    associations: sub.associations.map((a) => ({ ...a, sourceId: renamed(a.sourceId), targetId: renamed(a.targetId) })),
  };
}

describeEachStore('ITI-41 attacked: chosen ids, replacements across records, a late failure, concurrent deposits', (db) => {
  let server: RunningApp;
  let w: World;
  let repository: string;
  const doctor = proActor('doctor');

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    repository = `${server.baseUrl}/xds/repository`;
  });
  afterAll(async () => {
    await server?.close();
  });

  async function authorisedRecord() {
    const rec = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    return rec;
  }

  function deposit(sub: SubmissionRequest, actor: ProfessionalActor = doctor, requestId?: string): Promise<XdsAnswer> {
    const { body, attachments } = provideAndRegister(sub);
    return postSoap(repository, XDS_ACTIONS['ITI-41'], body, { assertion: vihfFor(actor), attachments, requestId });
  }

  const rowsOf = async (patientKey: string) => Number((await db().query<{ n: string }>('SELECT count(*) AS n FROM document_entry WHERE patient_key = $1', [patientKey])).rows[0]!.n);
  /** The submission's uniqueIds the registry holds, but those it held before (`already`). */
  const uniqueIdsKept = async (sub: SubmissionRequest, already: string[] = []) => {
    const ids = [sub.submissionSet.uniqueId, ...sub.documents.map((d) => d.metadata.uniqueId)].filter((u) => !already.includes(u));
    return (await db().query('SELECT 1 FROM registry_unique_id WHERE unique_id = ANY($1)', [ids])).rows.length;
  };
  const tracedBy = async (requestId: string) =>
    (await db().query<{ outcome: string }>('SELECT outcome FROM access_trace WHERE request_id = $1', [requestId])).rows.map((r) => r.outcome);

  /** A refused deposit: Failure with `code`, nothing of it kept, no success traced, the chain whole. */
  async function refused(a: XdsAnswer, code: string, sub: SubmissionRequest, patientKey: string, rowsBefore: number, requestId: string, already: string[] = []) {
    expect(a.status).toBe(200);
    expect(responseStatus(a)).toBe('Failure');
    expect(errorCodes(a)).toContain(code);
    expect(a.xml).not.toMatch(/internal error/i);
    expect(await rowsOf(patientKey)).toBe(rowsBefore);
    expect(await uniqueIdsKept(sub, already)).toBe(0);
    expect(await tracedBy(requestId)).not.toContain('success');
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  }

  it("ACC-09: an entryUUID equal to a later version's entryUUID (not its logical id), in this record or another, in any case: XDSRegistryMetadataError, nothing kept", async () => {
    const a = await authorisedRecord();
    const b = await authorisedRecord();
    const first = await w.services.submissions.submit(as(doctor), submission(a.ins, [{ authorId: doctor.idNatPs }]));
    // a second metadata version: a new entryUUID on the same logical document
    const masked = await w.services.metadata.setVisibility(patientCaller(a.patientKey), { entryUuid: first.assignedIds.Document1! }, 'MASQUE_PS', true);
    const later = masked.entryUuid.replace(/^urn:uuid:/, '');
    expect(later).not.toBe(masked.logicalId.replace(/^urn:uuid:/, ''));
    for (const [target, forged] of [
      [a, `urn:uuid:${later}`],
      [a, `urn:uuid:${later.toUpperCase()}`],
      [b, `urn:uuid:${later.toUpperCase()}`],
    ] as const) {
      const sub = withDocumentIds(submission(target.ins, [{ authorId: doctor.idNatPs }]), [forged]);
      const before = await rowsOf(target.patientKey);
      const requestId = `forged-${randomUUID()}`;
      await refused(await deposit(sub, doctor, requestId), 'XDSRegistryMetadataError', sub, target.patientKey, before, requestId);
    }
  });

  it("DOC-05: a replacement (RPLC) of another record's document: XDSPatientIdDoesNotMatch, the other record's document untouched", async () => {
    const a = await authorisedRecord();
    const b = await authorisedRecord();
    const theirs = (await w.services.submissions.submit(as(doctor), submission(b.ins, [{ authorId: doctor.idNatPs }]))).assignedIds.Document1!;
    const sub = submission(a.ins, [{ authorId: doctor.idNatPs }]);
    sub.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: theirs });
    const requestId = `rplc-${randomUUID()}`;
    await refused(await deposit(sub, doctor, requestId), 'XDSPatientIdDoesNotMatch', sub, a.patientKey, 0, requestId);
    const stored = await db().query<{ status: string }>('SELECT status FROM document_entry WHERE patient_key = $1', [b.patientKey]);
    expect(stored.rows).toEqual([{ status: 'Approved' }]);
  });

  it('DOC-03: a submission whose third document fails (its uniqueId already registered, its class against its type) keeps nothing of the two before it', async () => {
    const a = await authorisedRecord();
    const taken = submission(a.ins, [{ authorId: doctor.idNatPs }]);
    await w.services.submissions.submit(as(doctor), taken);
    const rowsBefore = await rowsOf(a.patientKey);
    const late = submission(a.ins, [{ authorId: doctor.idNatPs }, { authorId: doctor.idNatPs }, { authorId: doctor.idNatPs }]);
    late.documents[2]!.metadata.uniqueId = taken.documents[0]!.metadata.uniqueId;
    let requestId = `third-${randomUUID()}`;
    await refused(await deposit(late, doctor, requestId), 'XDSNonIdenticalHash', late, a.patientKey, rowsBefore, requestId, [taken.documents[0]!.metadata.uniqueId]);
    const mismatch = submission(a.ins, [{ authorId: doctor.idNatPs }, { authorId: doctor.idNatPs }, { authorId: doctor.idNatPs, typeCode: '34112-3', classCode: '11' }]);
    requestId = `third-${randomUUID()}`;
    await refused(await deposit(mismatch, doctor, requestId), 'XDSRegistryMetadataError', mismatch, a.patientKey, rowsBefore, requestId);
  });

  it('DMP-04: a deposit for an INS with no record: XDSUnknownPatientId, nothing kept', async () => {
    const sub = submission(newIns(), [{ authorId: doctor.idNatPs }]);
    const a = await deposit(sub);
    expect(responseStatus(a)).toBe('Failure');
    expect(errorCodes(a)).toEqual(['XDSUnknownPatientId']);
    expect(await uniqueIdsKept(sub)).toBe(0);
  });

  it('DOC-03, TRACE-02: eight deposits on one record at once are all kept, each whole, and the chain stays whole', async () => {
    const a = await authorisedRecord();
    const subs = Array.from({ length: 8 }, () => submission(a.ins, [{ authorId: doctor.idNatPs }, { authorId: doctor.idNatPs }]));
    const answers = await Promise.all(subs.map((s) => deposit(s)));
    expect(answers.map(responseStatus)).toEqual(subs.map(() => 'Success'));
    expect(await rowsOf(a.patientKey)).toBe(16);
    const traced = await db().query<{ n: string }>("SELECT count(*) AS n FROM access_trace WHERE chain_key = $1 AND action = 'document.submit' AND outcome = 'success'", [a.patientKey]);
    expect(Number(traced.rows[0]!.n)).toBeGreaterThanOrEqual(8);
    expect((await verifyTrace(db(), 2000, a.patientKey)).broken).toEqual([]);
  });

  it('ACC-09: one chosen entryUUID in deposits sent at once to one record and to another: one kept, the others answer XDSRegistryMetadataError, never a fault', async () => {
    const a = await authorisedRecord();
    const b = await authorisedRecord();
    const chosen = `urn:uuid:${randomUUID()}`;
    const subs = [a, b, a, b].map((r, i) => withDocumentIds(submission(r.ins, [{ authorId: doctor.idNatPs }]), [i % 2 ? chosen.toUpperCase() : chosen]));
    const answers = await Promise.all(subs.map((s) => deposit(s)));
    expect(answers.map(responseStatus).filter((s) => s === 'Success')).toHaveLength(1);
    for (const x of answers.filter((x) => responseStatus(x) !== 'Success')) {
      expect(x.status).toBe(200);
      expect(errorCodes(x)).toEqual(['XDSRegistryMetadataError']);
    }
    expect((await rowsOf(a.patientKey)) + (await rowsOf(b.patientKey))).toBe(1);
    for (const r of [a, b]) expect((await verifyTrace(db(), 2000, r.patientKey)).broken).toEqual([]);
  });

  it('ACC-08, ACC-09: a replacement or an addendum of a document hidden from the sender answers as one of an id not in the registry; nothing kept, the hidden document untouched', async () => {
    const a = await authorisedRecord();
    const colleague = proActor('doctor2');
    await w.services.consent.addGrant(patientCaller(a.patientKey), a.patientKey, { subjectKind: 'professional', subjectId: colleague.idNatPs, effect: 'permit' });
    const hidden = (await w.services.submissions.submit(as(doctor), submission(a.ins, [{ authorId: doctor.idNatPs }]))).assignedIds.Document1!;
    // MASK-01: masked by the patient, the document is the author's and the médecin traitant's only
    await w.services.metadata.setVisibility(patientCaller(a.patientKey), { entryUuid: hidden }, 'MASQUE_PS', true);
    const masked = (await db().query<{ entry_uuid: string }>('SELECT entry_uuid::text FROM document_entry WHERE patient_key = $1 AND is_latest', [a.patientKey])).rows[0]!.entry_uuid;
    const answers: Record<string, string[]> = {};
    for (const type of ['RPLC', 'APND'] as const) {
      for (const [name, target] of [['hidden', `urn:uuid:${masked}`], ['unknown', `urn:uuid:${randomUUID()}`]] as const) {
        const sub = submission(a.ins, [{ authorId: colleague.idNatPs }]);
        sub.associations.push({ id: 'rel', type, sourceId: 'Document1', targetId: target });
        const requestId = `hidden-${randomUUID()}`;
        const answer = await deposit(sub, colleague, requestId);
        expect(responseStatus(answer)).toBe('Failure');
        answers[`${type} ${name}`] = errorCodes(answer);
        // the message names the id as sent, the same words for both
        expect(answer.xml.replace(target.toLowerCase(), '<id>')).toMatch(/refers to <id>, which is not in the registry/);
        expect(await uniqueIdsKept(sub)).toBe(0);
      }
      expect(answers[`${type} hidden`]).toEqual(answers[`${type} unknown`]);
    }
    const rows = await db().query<{ status: string }>('SELECT status FROM document_entry WHERE patient_key = $1 AND is_latest', [a.patientKey]);
    expect(rows.rows).toEqual([{ status: 'Approved' }]);
  });
});
