// TRACE-01 where ACC-08 answers as an unknown id: a change naming an id the caller may not know
// of (a document hidden from them, an association linking one, a submission set holding only such)
// is answered word for word as an id the registry never held, and is still an access of the
// record its submission set names: it leaves its row there (denied for a caller the record
// refuses, failure for one it admits), the same row for a hidden id as for an unknown one, so the
// patient sees the attempt in their history. On a real port, XDS.b ITI-57 and ITI-41.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { writeSubmitObjectsRequest } from '../../src/xds/ebrim/write.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { sameWords } from '../support/lock-clients.js';
import { postSoap, provideAndRegister, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

const A = XDS_ACTIONS;
const ITI_ASSOCIATION = 'urn:ihe:iti:2010:AssociationType:';
const bare = (id: string) => id.replace(/^urn:uuid:/i, '').toLowerCase();

describeEachStore('TRACE-01 / ACC-08: a change answered as naming an unknown id is traced on the record it names', (db) => {
  let server: RunningApp;
  let w: World;
  const author = proActor('doctor');
  /** authorised; H is masked from them */
  const colleague = proActor('doctor2');
  /** never authorised: reads nothing, may still deposit (DOC-02) */
  const stranger = proActor('dentist', { profession: '10', specialty: 'SM26' });
  /** blocked by the patient (ACC-03) */
  const blocked = proActor('pharmacist');
  let ins: PatientIdentifier;
  let patientKey: string;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    const rec = await adultRecord(w);
    ins = rec.ins;
    patientKey = rec.patientKey;
    const patient = patientCaller(patientKey);
    for (const p of [author, colleague]) await w.services.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    await w.services.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: blocked.idNatPs, effect: 'deny' });
    const v = await w.services.submissions.submit(as(author), submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]));
    id.V = v.assignedIds.Document1!;
    const h = await w.services.submissions.submit(as(author), submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]));
    id.H = (await w.services.metadata.setVisibility(patient, { entryUuid: h.assignedIds.Document1! }, 'MASQUE_PS', true)).entryUuid;
    const link = await db().query<{ e: string }>('SELECT entry_uuid::text AS e FROM association WHERE patient_key = $1 AND target_uuid = $2', [patientKey, bare(id.V)]);
    id['V\'s association'] = `urn:uuid:${link.rows[0]!.e}`;
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  /** The rows the request left, on any chain. */
  const rowsOf = async (requestId: string) =>
    (
      await db().query<{ chain: string; outcome: string; action: string; reason: string | null; details: unknown; document: string | null }>(
        'SELECT chain_key::text AS chain, outcome, action, reason, details, document_entry_uuid::text AS document FROM access_trace WHERE request_id = $1 ORDER BY occurred_at',
        [requestId],
      )
    ).rows.map((r) => ({ onRecord: r.chain === patientKey, outcome: r.outcome, action: r.action, reason: r.reason, details: r.details, document: r.document }));

  /** ITI-57 by `actor` changing the status of `target`: its words, and the rows it left. */
  async function statusChange(actor: ProfessionalActor, target: string) {
    const ss = submission(ins, []).submissionSet;
    const ssId = `urn:uuid:${randomUUID()}`;
    const change =
      `<rim:Association id="urn:uuid:${randomUUID()}" associationType="${ITI_ASSOCIATION}UpdateAvailabilityStatus" sourceObject="${ssId}" targetObject="${target}">` +
      '<rim:Slot name="OriginalStatus"><rim:ValueList><rim:Value>urn:oasis:names:tc:ebxml-regrep:StatusType:Approved</rim:Value></rim:ValueList></rim:Slot>' +
      '<rim:Slot name="NewStatus"><rim:ValueList><rim:Value>urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated</rim:Value></rim:ValueList></rim:Slot></rim:Association>';
    const body = writeSubmitObjectsRequest({ submissionSet: { ...ss, id: ssId }, documents: [], folders: [], associations: [] }).replace('</rim:RegistryObjectList>', `${change}</rim:RegistryObjectList>`);
    const requestId = randomUUID();
    const answer = await postSoap(`${server.baseUrl}/xds/registry`, A['ITI-57'], body, { assertion: vihfFor(actor), requestId });
    return { words: `${responseStatus(answer)} ${sameWords(answer.xml.slice(answer.xml.indexOf('<rs:RegistryResponse')), target)}`, rows: await rowsOf(requestId), requestId };
  }

  /** ITI-41 by `actor`: a new document of theirs appending to `target`. */
  async function appendTo(actor: ProfessionalActor, target: string) {
    const sub: SubmissionRequest = submission(ins, [{ authorId: actor.idNatPs, authorStructure: actor.structureId }]);
    sub.associations.push({ id: 'rel', type: 'APND', sourceId: 'Document1', targetId: target });
    const { body, attachments } = provideAndRegister(sub);
    const requestId = randomUUID();
    const answer = await postSoap(`${server.baseUrl}/xds/repository`, A['ITI-41'], body, { assertion: vihfFor(actor), attachments, requestId });
    return { words: `${responseStatus(answer)} ${sameWords(answer.xml.slice(answer.xml.indexOf('<rs:RegistryResponse')), target)}`, rows: await rowsOf(requestId), requestId };
  }

  /** what each caller may not know of: a blocked or never authorised professional knows nothing of the record */
  const hiddenFrom = (who: string): string[] => (who === 'colleague' ? ['H'] : ['V', 'H', "V's association"]);

  it('TRACE-01 / ACC-08: ITI-57 naming an id hidden from the caller (blocked, never authorised, or masked from them) answers as an unknown id and leaves the same row on the record as an unknown id does: denied for the blocked one, failure for the others; the patient sees every attempt', async () => {
    const expected = { blocked: 'denied', stranger: 'failure', colleague: 'failure' } as const;
    const wrong: unknown[] = [];
    const attempts: string[] = [];
    for (const [who, actor] of Object.entries({ blocked, stranger, colleague })) {
      const unknown = await statusChange(actor, `urn:uuid:${randomUUID()}`);
      expect(unknown.words.startsWith('Failure')).toBe(true);
      attempts.push(unknown.requestId);
      for (const name of hiddenFrom(who)) {
        const got = await statusChange(actor, id[name]!);
        attempts.push(got.requestId);
        if (got.words !== unknown.words) wrong.push({ who, name, words: got.words, unknown: unknown.words });
        const want = [{ onRecord: true, outcome: expected[who as keyof typeof expected], action: 'document.metadata_update' }];
        const gotShort = got.rows.map(({ onRecord, outcome, action }) => ({ onRecord, outcome, action }));
        if (JSON.stringify(gotShort) !== JSON.stringify(want)) wrong.push({ who, name, rows: got.rows, want });
        if (JSON.stringify(got.rows) !== JSON.stringify(unknown.rows)) wrong.push({ who, name, rows: got.rows, unknownRows: unknown.rows });
      }
    }
    expect(wrong).toEqual([]);
    // TRACE-03: the patient reads each attempt in their history
    const history = await w.services.history.read(patientCaller(patientKey), patientKey, { limit: 500, offset: 0 });
    const seen = new Set(history.rows.map((r) => r.request_id));
    expect(attempts.filter((r) => !seen.has(r))).toEqual([]);
    // and the blocked professional cannot read that history (TRACE-04, ACC-06)
    await expect(w.services.history.read(as(blocked), patientKey, { limit: 10, offset: 0 })).rejects.toMatchObject({ code: 'forbidden' });
  }, 240_000);

  it('TRACE-01 / ACC-08: ITI-41 appending to an id hidden from the caller leaves the same row on the record as appending to an unknown id', async () => {
    const wrong: unknown[] = [];
    for (const [who, actor] of Object.entries({ blocked, stranger, colleague })) {
      const unknown = await appendTo(actor, `urn:uuid:${randomUUID()}`);
      expect(unknown.words.startsWith('Failure')).toBe(true);
      expect(unknown.rows.filter((r) => r.onRecord).length).toBe(1);
      for (const name of hiddenFrom(who)) {
        const got = await appendTo(actor, id[name]!);
        if (got.words !== unknown.words) wrong.push({ who, name, words: got.words, unknown: unknown.words });
        if (JSON.stringify(got.rows) !== JSON.stringify(unknown.rows)) wrong.push({ who, name, rows: got.rows, unknownRows: unknown.rows });
      }
    }
    expect(wrong).toEqual([]);
  }, 240_000);
});
