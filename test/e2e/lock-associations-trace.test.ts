// TRACE-01 where ACC-08 answers as an unknown id: a change naming an id the caller may not know
// of (a document hidden from them, an association linking one, a submission set holding only such)
// is answered word for word as an id the registry never held, and is still an access of the
// record its submission set names: it leaves its row there (denied for a caller the record
// refuses, failure for one it admits), the same row for a hidden id as for an unknown one, so the
// patient sees the attempt in their history. On a real port, XDS.b ITI-57 and ITI-41.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import type { Services } from '../../src/services/index.js';
import type { RunningApp } from '../support/app.js';
import { describeEachLockServer } from '../support/lock-clients.js';
import { adultRecordAllowing } from '../support/lock-records.js';
import { associationBetween, registryUpdate, registryWords, statusChange as statusChangeOf } from '../support/lock-xds.js';
import { as, patientCaller, proActor, submission } from '../support/world.js';
import { postSoap, provideAndRegister, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

const A = XDS_ACTIONS;

describeEachLockServer('TRACE-01 / ACC-08: a change answered as naming an unknown id is traced on the record it names', (lock) => {
  const db = () => lock().db;
  let server: RunningApp;
  let services: Services;
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
    server = lock().server;
    services = server.app.services;
    ({ ins, patientKey } = await adultRecordAllowing(services, [author, colleague], [blocked]));
    const patient = patientCaller(patientKey);
    const v = await services.submissions.submit(as(author), submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]));
    id.V = v.assignedIds.Document1!;
    id['V\'s association'] = await associationBetween(db(), patientKey, v.assignedIds.SubmissionSet01!, id.V);
    const h = await services.submissions.submit(as(author), submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]));
    id.H = (await services.metadata.setVisibility(patient, { entryUuid: h.assignedIds.Document1! }, 'MASQUE_PS', true)).entryUuid;
  }, 120_000);

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
    const requestId = randomUUID();
    const answer = await postSoap(`${server.baseUrl}/xds/registry`, A['ITI-57'], registryUpdate(ins, statusChangeOf(target)), { assertion: vihfFor(actor), requestId });
    return { words: registryWords(answer, target), rows: await rowsOf(requestId), requestId };
  }

  /** ITI-41 by `actor`: a new document of theirs appending to `target`. */
  async function appendTo(actor: ProfessionalActor, target: string) {
    const sub: SubmissionRequest = submission(ins, [{ authorId: actor.idNatPs, authorStructure: actor.structureId }]);
    sub.associations.push({ id: 'rel', type: 'APND', sourceId: 'Document1', targetId: target });
    const { body, attachments } = provideAndRegister(sub);
    const requestId = randomUUID();
    const answer = await postSoap(`${server.baseUrl}/xds/repository`, A['ITI-41'], body, { assertion: vihfFor(actor), attachments, requestId });
    return { words: registryWords(answer, target), rows: await rowsOf(requestId), requestId };
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
    const history = await services.history.read(patientCaller(patientKey), patientKey, { limit: 500, offset: 0 });
    const seen = new Set(history.rows.map((r) => r.request_id));
    expect(attempts.filter((r) => !seen.has(r))).toEqual([]);
    // and the blocked professional cannot read that history (TRACE-04, ACC-06)
    await expect(services.history.read(as(blocked), patientKey, { limit: 10, offset: 0 })).rejects.toMatchObject({ code: 'forbidden' });
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
