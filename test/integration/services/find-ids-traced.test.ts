// TRACE-01 for ITI-18 FindDocuments answered as ObjectRef: its entryUUIDs and its trace row are
// read and written in one statement outside a transaction block (src/services/traced-read.ts),
// both or neither; whenever that statement cannot answer for certain, the search takes its
// transaction as before. These tests count the statements a search sends, and look at the rows it
// leaves in the record's trace lanes.
import { beforeAll, expect, it } from '@jest/globals';
import type { TraceEntry } from '../../../src/store/trace-repo.js';
import { verifyTrace } from '../../../src/store/trace-verify.js';
import { countedDb } from '../../support/counted-db.js';
import { describeEachStore } from '../../support/stores.js';
import { holdTraceLane } from '../../support/trace-hold.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, uid, type World } from '../../support/world.js';

describeEachStore('ITI-18 FindDocuments as ObjectRef, read and traced in one statement (TRACE-01)', (db, kind) => {
  let w: World;
  let counted: ReturnType<typeof countedDb>;
  beforeAll(async () => {
    counted = countedDb(db());
    w = await makeWorld(counted.db);
  });

  const author = proActor('doctor');
  /** A record holding `n` documents, searched once by its patient (its trace begun). */
  const recordWithDocuments = async (n: number) => {
    const { patientKey, ins } = await adultRecord(w);
    await w.services.submissions.submit(as(author), submission(ins, Array.from({ length: n }, () => ({}))));
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    return { patientKey, ins };
  };
  const ids = async (patientKey: string) => (await w.services.documents.findIds(patientCaller(patientKey), { patientKey }, { statuses: ['Approved'] })).toArray();
  /** The record's trace rows of its searches, oldest first in each lane. */
  const searchRows = async (patientKey: string) =>
    (
      await db().query<{ lane: number; outcome: string; reason: string | null }>(
        "SELECT lane::int AS lane, outcome, reason FROM access_trace WHERE chain_key = $1 AND action = 'record.read' AND details ? 'search' ORDER BY lane, seq",
        [patientKey],
      )
    ).rows;

  it('TRACE-01: the ids and their trace row come in one statement outside a transaction, after the record\'s load; the ids find() reads, the row in lane 0', async () => {
    const { patientKey } = await recordWithDocuments(3);
    const rowsBefore = (await searchRows(patientKey)).length;
    counted.sent.length = 0;
    const found = await ids(patientKey);
    const sent = [...counted.sent];
    // the record loaded by its key (the patient is bound to no other by ACC-10: nothing to look
    // up first), then the ids with their trace row
    expect(sent.map((s) => s.inTransaction)).toEqual([false, false]);
    expect(sent[0]!.sql).toMatch(/FROM dmp d WHERE d.patient_key = \$1\) s LEFT JOIN access_trace_head h/);
    expect(sent[1]!.sql).toMatch(/^WITH found AS MATERIALIZED[\s\S]*INSERT INTO access_trace /);
    const page = await w.services.documents.find(patientCaller(patientKey), { patientKey }, { statuses: ['Approved'] });
    expect(found).toEqual(page.entries.map((e) => e.entryUuid));
    expect(found).toHaveLength(3);
    const rows = await searchRows(patientKey);
    expect(rows.length - rowsBefore).toBe(2);
    expect(rows.every((r) => r.lane === 0 && r.outcome === 'success')).toBe(true);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it('TRACE-01, ACC-08, MASK: a professional naming the patient by INS: the record loaded by it (no look-up of its own), then the ids with their row; a masked document is not among them', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const reader = proActor('doctor2');
    const sub = submission(ins, [{}, { confidentiality: ['N', 'MASQUE_PS'], authorId: author.idNatPs }, {}]);
    await w.services.submissions.submit(as(author), sub);
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: reader.idNatPs, effect: 'permit' });
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    const before = (await searchRows(patientKey)).length;
    counted.sent.length = 0;
    const found = (await w.services.documents.findIds(as(reader), ins, { statuses: ['Approved'] })).toArray();
    const sent = [...counted.sent];
    expect(sent.map((s) => s.inTransaction)).toEqual([false, false]);
    expect(sent[0]!.sql).toMatch(/^SELECT s\.\*, row_to_json\(s\)[\s\S]*FROM patient_identifier n JOIN dmp d/);
    expect(sent[1]!.sql).toMatch(/^WITH found AS MATERIALIZED[\s\S]*INSERT INTO access_trace /);
    // traced once, on the record the INS names, as the transaction's way traces it
    expect((await searchRows(patientKey)).slice(before)).toEqual([{ lane: 0, outcome: 'success', reason: null }]);
    // the same ids as the page read in a transaction, the masked one left out of both
    const page = await w.services.documents.find(as(reader), { patientKey }, { statuses: ['Approved'] });
    expect(found).toEqual(page.entries.map((e) => e.entryUuid));
    expect(found).toHaveLength(2);
    const all = await ids(patientKey);
    const masked = (await w.services.documents.find(patientCaller(patientKey), { patientKey }, { statuses: ['Approved'] })).entries.find((e) => e.uniqueId === sub.documents[1]!.metadata.uniqueId)!;
    expect(all).toContain(masked.entryUuid);
    expect(found).not.toContain(masked.entryUuid);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it("TRACE-01: a lane's next search is one statement, decided on the lane's last load, which that statement checks is still the record's state", async () => {
    const { patientKey } = await recordWithDocuments(3);
    const first = await ids(patientKey);
    const before = (await searchRows(patientKey)).length;
    counted.sent.length = 0;
    expect(await ids(patientKey)).toEqual(first);
    const sent = [...counted.sent];
    expect(sent.map((s) => s.inTransaction)).toEqual([false]);
    expect(sent[0]!.sql).toMatch(/^WITH record_state_now AS \(SELECT row_to_json\(s\)::text AS record_state FROM \(/);
    expect(sent[0]!.sql).toMatch(/INSERT INTO access_trace /);
    expect((await searchRows(patientKey)).slice(before)).toEqual([{ lane: 0, outcome: 'success', reason: null }]);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it('ACC-03, ACC-01, TRACE-01: a block or a withdrawn authorisation written by another server between two searches (the lane untouched) refuses the next search, traced as refused; none is read on the remembered load', async () => {
    for (const change of ['block', 'revoke'] as const) {
      const { patientKey, ins } = await adultRecord(w);
      const reader = proActor('doctor2', { idNatPs: change === 'block' ? '810000000021' : '810000000022' });
      await w.services.submissions.submit(as(author), submission(ins, [{}, {}]));
      await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: reader.idNatPs, effect: 'permit' });
      const search = () => w.services.documents.findIds(as(reader), ins, { statuses: ['Approved'] }).then((l) => l.toArray());
      expect(await search()).toHaveLength(2);
      // the second search decided on the lane's remembered load
      counted.sent.length = 0;
      expect(await search()).toHaveLength(2);
      expect(counted.sent).toHaveLength(1);
      // another server's change, written straight into the store: this process has no word of it
      // and the lane's head does not move, so only the record's state says it changed
      const head = async () => (await db().query<{ seq: string }>('SELECT seq::text AS seq FROM access_trace_head WHERE chain_key = $1 AND lane = 0', [patientKey])).rows[0]!.seq;
      const headBefore = await head();
      if (change === 'block') {
        await db().query(
          "INSERT INTO access_grant (patient_key, grant_id, subject_kind, subject_id, effect, created_at, created_by) VALUES ($1, gen_random_uuid(), 'professional', $2, 'deny', now(), 'another server')",
          [patientKey, reader.idNatPs],
        );
      } else {
        await db().query("UPDATE access_grant SET revoked_at = now(), revoked_by = 'another server' WHERE patient_key = $1 AND subject_id = $2", [patientKey, reader.idNatPs]);
      }
      expect(await head()).toBe(headBefore);
      const rowsBefore = (await searchRows(patientKey)).length;
      await expect(search()).rejects.toMatchObject({ code: expect.stringMatching(/forbidden|denied|not_authori[sz]ed/) });
      const after = (await searchRows(patientKey)).slice(rowsBefore);
      expect(after.map((r) => r.outcome)).toEqual(['denied']);
      expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
    }
  });

  it('ACC-08, MASK: in every order a search may ask, the ids are those and in the order find() reads for the same reader; hidden ones are in no list', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor2 = proActor('doctor2');
    const nurse = proActor('nurse');
    // ties on the creation time (the order falls to stored_at, then entry_uuid), types a nurse's
    // role may not read, masked documents by the reader's own hand and by another's
    const maskedUniqueId = uid();
    const docs = [
      { creationTime: '20250301080000' },
      { creationTime: '20250301080000', typeCode: '34133-9', classCode: '11' },
      { creationTime: '20240115120000', confidentiality: ['N', 'MASQUE_PS'], authorId: author.idNatPs, uniqueId: maskedUniqueId },
      { creationTime: '20260101000000', typeCode: 'REMB', classCode: '60' },
      { creationTime: '20250301080000', confidentiality: ['N', 'MASQUE_PS'], authorId: doctor2.idNatPs },
      { creationTime: '20230610101010', typeCode: 'EXPPAT_2', classCode: '90' },
      { creationTime: '20260101000000' },
    ];
    await w.services.submissions.submit(as(author), submission(ins, docs.slice(0, 4)));
    await w.services.submissions.submit(as(author), submission(ins, docs.slice(4)));
    for (const p of [doctor2, nurse]) {
      await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    }
    const everything = (await w.services.documents.find(patientCaller(patientKey), { patientKey }, { statuses: ['Approved'] })).entries;
    expect(everything).toHaveLength(docs.length);
    // masked by another author than the readers: hidden from both professionals
    const maskedByAnother = everything.find((e) => e.uniqueId === maskedUniqueId)!;
    expect(maskedByAnother).toBeDefined();
    for (const sort of ['date-desc', 'date-asc', 'author', 'stored-desc'] as const) {
      for (const [reader, caller] of [['patient', patientCaller(patientKey)], ['doctor2', as(doctor2)], ['nurse', as(nurse)]] as const) {
        const found = (await w.services.documents.findIds(caller, ins, { statuses: ['Approved'], sort })).toArray();
        const page = await w.services.documents.find(caller, { patientKey }, { statuses: ['Approved'], sort });
        expect({ reader, sort, ids: found }).toEqual({ reader, sort, ids: page.entries.map((e) => e.entryUuid) });
        if (reader !== 'patient') expect(found).not.toContain(maskedByAnother.entryUuid);
        // the nurse's role reads no REMB (profiles/matrix.json): one more left out of her list
        if (reader === 'nurse') expect(found).toHaveLength(docs.length - 3);
      }
    }
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it('TRACE-01: an INS that names no record answers no ids and writes no trace row', async () => {
    const before = Number((await db().query<{ n: string }>('SELECT count(*) AS n FROM access_trace')).rows[0]!.n);
    expect((await w.services.documents.findIds(as(author), { system: '1.2.250.1.213.1.4.8', value: '999999999999999' }, {})).toArray()).toEqual([]);
    expect(Number((await db().query<{ n: string }>('SELECT count(*) AS n FROM access_trace')).rows[0]!.n)).toBe(before);
  });

  it('TRACE-01: a record with no document answers no ids, and the search is traced all the same', async () => {
    const { patientKey } = await adultRecord(w);
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    const before = (await searchRows(patientKey)).length;
    expect(await ids(patientKey)).toEqual([]);
    expect((await searchRows(patientKey)).length - before).toBe(1);
  });

  it('TRACE-01: too many ids are neither read nor traced as a success: the search is refused, and its trace holds the failure alone', async () => {
    const small = await makeWorld(db(), undefined, { maxQueryResults: 2 });
    const { patientKey, ins } = await adultRecord(small);
    await small.services.submissions.submit(as(author), submission(ins, [{}, {}, {}]));
    await small.services.documents.find(patientCaller(patientKey), { patientKey }, { limit: 1 });
    const before = (await searchRows(patientKey)).length;
    await expect(small.services.documents.findIds(patientCaller(patientKey), { patientKey }, {})).rejects.toMatchObject({ code: 'too_many_results' });
    expect((await searchRows(patientKey)).slice(before)).toEqual([{ lane: 0, outcome: 'failure', reason: 'too_many_results' }]);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
    // at the limit itself, the ids are answered
    const { patientKey: two, ins: twoIns } = await adultRecord(small);
    await small.services.submissions.submit(as(author), submission(twoIns, [{}, {}]));
    expect((await small.services.documents.findIds(patientCaller(two), { patientKey: two }, {})).toArray()).toHaveLength(2);
  });

  it('TRACE-01, TRACE-02: 24 ObjectRef searches of one record at once each leave one row, and every lane verifies; more than its lanes, they wait for a lane rather than take a transaction', async () => {
    const { patientKey } = await recordWithDocuments(3);
    const before = (await searchRows(patientKey)).length;
    counted.sent.length = 0;
    const answers = await Promise.all(Array.from({ length: 24 }, () => ids(patientKey)));
    const sent = [...counted.sent];
    expect(answers.every((a) => a.length === 3)).toBe(true);
    // none in a transaction block (BEGIN is written down when sent); each lane's first search its
    // load and its ids with their row, the lane's next ones the ids alone, decided on that load
    expect(sent.filter((s) => s.inTransaction)).toEqual([]);
    const loads = sent.filter((s) => /^SELECT s\.\*, row_to_json/.test(s.sql)).length;
    expect(loads).toBeGreaterThanOrEqual(1);
    expect(loads).toBeLessThanOrEqual(8);
    expect(sent).toHaveLength(24 + loads);
    const rows = await searchRows(patientKey);
    expect(rows.length - before).toBe(24);
    expect(rows.slice(before).every((r) => r.outcome === 'success')).toBe(true);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  (kind === 'postgres' ? it : it.skip)('TRACE-01: with lane 0 held by an open transaction, the ids are neither read untraced nor held up: read and traced in another lane, once', async () => {
    const { patientKey } = await recordWithDocuments(3);
    const hold: TraceEntry = { patientKey, occurredAt: new Date(), actor: { kind: 'support', id: 'agent' }, action: 'record.hold', outcome: 'success', channel: 'test' };
    const held = await holdTraceLane(db(), hold);
    try {
      expect(held.lane).toBe(0);
      expect(await ids(patientKey)).toHaveLength(3);
      // the first search in lane 0; this one's row in the first lane no one held
      expect((await searchRows(patientKey)).map((r) => r.lane)).toEqual([0, 1]);
    } finally {
      await held.release();
    }
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });
});
