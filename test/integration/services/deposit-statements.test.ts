// What a deposit sends the store (issue 13): one transaction and nothing outside it when the
// caller names the patient by identifier (ITI-41): the record is looked up by the statement that
// loads and locks it, and the submission's rows go with their trace row in one statement. The rules around it are unchanged: an unknown patient is refused before
// anything is written or traced, a refused submission leaves nothing but its failure's trace row
// on the record, and a stored one its document.submit row, in the same transaction. A deposit that
// replaces a registered document reads it once, locked, and does not read its own new version back.
import { beforeAll, expect, it } from '@jest/globals';
import { CarnetError } from '../../../src/domain/errors.js';
import { verifyTrace } from '../../../src/store/trace-verify.js';
import { countedDb } from '../../support/counted-db.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, newIns, patientCaller, proActor, submission, type World } from '../../support/world.js';

describeEachStore('a deposit naming its patient by identifier: one transaction, the record looked up in it', (db) => {
  let w: World;
  let counted: ReturnType<typeof countedDb>;
  beforeAll(async () => {
    counted = countedDb(db());
    w = await makeWorld(counted.db);
  });

  const doctor = as(proActor('doctor'));
  const traceRows = async (chainKey: string | null) =>
    (
      await db().query<{ action: string; outcome: string; reason: string | null }>(
        `SELECT action, outcome, reason FROM access_trace WHERE action LIKE 'document.%' ${chainKey ? 'AND chain_key = $1' : ''} ORDER BY occurred_at, lane, seq`,
        chainKey ? [chainKey] : [],
      )
    ).rows;
  const stored = async (patientKey: string) => (await w.services.documents.find(patientCaller(patientKey), { patientKey }, { countTotal: true })).total;

  it('DOC-02, TRACE-01: every statement in the deposit\'s transaction, the first the record loaded and locked by its INS; the document stored and traced there', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const before = (await traceRows(patientKey)).length;
    counted.sent.length = 0;
    const result = await w.services.submissions.submit(doctor, submission(ins, [{}]));
    const sent = [...counted.sent];
    expect(result.patientKey).toBe(patientKey);
    expect(sent.every((s) => s.inTransaction)).toBe(true);
    expect(sent.filter((s) => s.sql === 'BEGIN')).toHaveLength(1);
    expect(sent[1]!.sql).toMatch(/FROM patient_identifier n JOIN dmp d[\s\S]*FOR UPDATE OF d$/);
    // then the uniqueIds checked, and the rows written with their trace row in one statement
    expect(sent).toHaveLength(4);
    expect(sent[3]!.sql).toMatch(/^WITH w0 AS \(INSERT INTO submission_set[\s\S]*INSERT INTO document_entry[\s\S]*INSERT INTO access_trace /);
    expect(await stored(patientKey)).toBe(1);
    expect((await traceRows(patientKey)).slice(before)).toEqual([{ action: 'document.submit', outcome: 'success', reason: null }]);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it('DOC-02: an INS no record has is refused as before (unknown_patient, on the submission set), nothing written or traced', async () => {
    const ins = newIns();
    const sub = submission(ins, [{}]);
    const before = (await traceRows(null)).length;
    const err = await w.services.submissions.submit(doctor, sub).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CarnetError);
    expect(err).toMatchObject({ code: 'unknown_patient', message: `no DMP for patient ${ins.value}`, location: sub.submissionSet.id });
    expect((await traceRows(null)).length).toBe(before);
    const unique = await db().query('SELECT 1 FROM registry_unique_id WHERE unique_id = $1', [sub.documents[0]!.metadata.uniqueId]);
    expect(unique.rows).toHaveLength(0);
  });

  it('DOC-03, TRACE-01: a refused submission by INS stores nothing, and its failure is traced on the record the INS names', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const before = (await traceRows(patientKey)).length;
    const bad = submission(ins, [{}, { hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' }]);
    await expect(w.services.submissions.submit(doctor, bad)).rejects.toMatchObject({ code: 'invalid_content_metadata' });
    expect(await stored(patientKey)).toBe(0);
    expect((await traceRows(patientKey)).slice(before)).toEqual([{ action: 'document.submit', outcome: 'failure', reason: 'invalid_content_metadata' }]);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  /** the statements that read document entries by their entryUUIDs (the decision's columns) */
  const entryReads = () => counted.sent.filter((s) => /^SELECT d\.patient_key::text, d\.entry_uuid::text[\s\S]* FROM document_entry d WHERE d\.patient_key = \$1 AND d\.entry_uuid = (ANY\(\$2::uuid\[\]\)|\$2)/.test(s.sql));

  it('DOC-05, ACC-09: an RPLC deposit reads the document it replaces once, locked in its transaction, and not its own new version back; the versions are joined', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const first = await w.services.submissions.submit(doctor, submission(ins, [{}]));
    const replaced = first.assignedIds.Document1!;
    const sub = submission(ins, [{}]);
    sub.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: replaced });
    counted.sent.length = 0;
    const second = await w.services.submissions.submit(doctor, sub);
    const reads = entryReads();
    expect(reads.map((s) => ({ rows: s.rows, locked: s.sql.endsWith('FOR UPDATE OF d'), inTransaction: s.inTransaction }))).toEqual([{ rows: 1, locked: true, inTransaction: true }]);
    // the new version carries the replaced one's lineage: both read as one document's versions
    const versions = await db().query<{ status: string; lineage: boolean }>(
      `SELECT d.status, d.lineage_id = (SELECT n.lineage_id FROM document_entry n WHERE n.patient_key = d.patient_key AND n.entry_uuid = $3) AS lineage
         FROM document_entry d WHERE d.patient_key = $1 AND d.entry_uuid = $2`,
      [patientKey, replaced.replace('urn:uuid:', ''), second.assignedIds.Document1!.replace('urn:uuid:', '')],
    );
    expect(versions.rows).toEqual([{ status: 'Deprecated', lineage: true }]);
  });
});
