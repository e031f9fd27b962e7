// A deposit attacked where its rows now go with its first trace row in one statement and its record
// is looked up by INS inside the locking statement (submit.ts, guard.ts, submission-store.ts): ids a
// submitter chooses, uniqueIds another deposit takes at the same moment, and records the rules keep
// deposits out of. Whatever is refused is refused as a clear error, with nothing of the deposit
// written: no row, no uniqueId, no trace row of the document.
import { beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CarnetError, CarnetErrors } from '../../../src/domain/errors.js';
import type { SubmissionRequest } from '../../../src/domain/submission.js';
import { verifyTrace } from '../../../src/store/trace-verify.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

/** `sub` with its documents' ids replaced by `ids` (their HasMember links with them). */
function withDocumentIds(sub: SubmissionRequest, ids: string[]): SubmissionRequest {
  const rename = new Map(sub.documents.map((d, i) => [d.id, ids[i]!]));
  return {
    ...sub,
    documents: sub.documents.map((d) => ({ ...d, id: rename.get(d.id)! })),
    associations: sub.associations.map((a) => ({ ...a, targetId: rename.get(a.targetId) ?? a.targetId })),
  };
}

describeEachStore('a deposit attacked: chosen ids, uniqueIds taken meanwhile, closed records', (db, kind) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });
  const doctor = as(proActor('doctor'));
  const documentRows = async (patientKey: string) => Number((await db().query<{ n: string }>('SELECT count(*) AS n FROM document_entry WHERE patient_key = $1', [patientKey])).rows[0]!.n);
  const uniqueIdStored = async (uniqueId: string) => (await db().query('SELECT 1 FROM registry_unique_id WHERE unique_id = $1', [uniqueId])).rows.length;
  const submitTraces = async (patientKey: string) =>
    (await db().query<{ outcome: string; reason: string | null }>("SELECT outcome, reason FROM access_trace WHERE chain_key = $1 AND action = 'document.submit' ORDER BY occurred_at, lane, seq", [patientKey])).rows;
  const failure = (e: unknown) => (e instanceof CarnetErrors ? e.problems : [e]) as CarnetError[];

  it('DOC-03: two objects of one submission whose UUIDs differ only in case are one id used twice: refused as such, nothing written', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const id = randomUUID();
    const sub = withDocumentIds(submission(ins, [{}, {}]), [`urn:uuid:${id.toUpperCase()}`, `urn:uuid:${id}`]);
    const err = await w.services.submissions.submit(doctor, sub).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CarnetError);
    expect(failure(err).map((e) => e.message)).toContainEqual(expect.stringMatching(/used twice in the submission/));
    expect(await documentRows(patientKey)).toBe(0);
    for (const d of sub.documents) expect(await uniqueIdStored(d.metadata.uniqueId)).toBe(0);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it("ACC-09: a new document's chosen entryUUID equal to a stored document's logical id (any case, any record) is refused; the lineage stays the stored document's", async () => {
    const { patientKey, ins } = await adultRecord(w);
    const first = await w.services.submissions.submit(doctor, submission(ins, [{}]));
    const logicalId = first.assignedIds.Document1!.replace(/^urn:uuid:/, '');
    const other = await adultRecord(w);
    for (const [target, forged] of [
      [{ patientKey, ins }, `urn:uuid:${logicalId}`],
      [{ patientKey, ins }, `urn:uuid:${logicalId.toUpperCase()}`],
      [other, `urn:uuid:${logicalId}`],
    ] as const) {
      const sub = withDocumentIds(submission(target.ins, [{}]), [forged]);
      const err = await w.services.submissions.submit(doctor, sub).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CarnetError);
      expect(failure(err).map((e) => e.message)).toContainEqual(expect.stringMatching(/already exists in the registry/));
      expect(await uniqueIdStored(sub.documents[0]!.metadata.uniqueId)).toBe(0);
    }
    expect(await documentRows(patientKey)).toBe(1);
    expect(await documentRows(other.patientKey)).toBe(0);
    const lineage = await db().query<{ lineage_id: string; lineage_generation: number; lineage_shared: boolean }>(
      'SELECT lineage_id::text, lineage_generation, lineage_shared FROM document_entry WHERE patient_key = $1',
      [patientKey],
    );
    expect(lineage.rows).toEqual([{ lineage_id: logicalId, lineage_generation: 1, lineage_shared: false }]);
  });

  it('DMP-05, DOC-02: a deposit by INS on a closed record is refused (record_closed) and traced there; nothing stored', async () => {
    const { patientKey, ins } = await adultRecord(w);
    await w.services.records.close(patientCaller(patientKey), patientKey, 'patient-demande');
    const sub = submission(ins, [{}]);
    await expect(w.services.submissions.submit(doctor, sub)).rejects.toMatchObject({ code: 'record_closed' });
    expect(await documentRows(patientKey)).toBe(0);
    expect(await uniqueIdStored(sub.documents[0]!.metadata.uniqueId)).toBe(0);
    expect(await submitTraces(patientKey)).toEqual([{ outcome: 'denied', reason: 'record_closed' }]);
  });

  // Two connections: an embedded store has one, and runs its transactions one after another.
  (kind === 'postgres' ? it : it.skip)(
    "DOC-04: a uniqueId another record's deposit takes while this deposit is being written answers as a uniqueId taken, not as a fault; nothing of this deposit stays",
    async () => {
      const a = await adultRecord(w);
      const b = await adultRecord(w);
      const sub = submission(b.ins, [{}]);
      const uniqueId = sub.documents[0]!.metadata.uniqueId;
      // The other deposit: its uniqueId row written, not yet committed, when this one writes its own.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let written!: () => void;
      const isWritten = new Promise<void>((resolve) => (written = resolve));
      const otherDeposit = db().transaction(async (tx) => {
        await tx.query("INSERT INTO registry_unique_id (unique_id, patient_key, object_type, logical_id) VALUES ($1, $2, 'DocumentEntry', $3)", [uniqueId, a.patientKey, randomUUID()]);
        written();
        await released;
      });
      await isWritten;
      const deposit = w.services.submissions.submit(doctor, sub).then(
        (v) => ({ ok: true as const, v }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      // this deposit waits on the other's uncommitted uniqueId row (no sleep: its wait is seen)
      for (;;) {
        // (the activity's text is cut at 1 KB: the deposit's statement is known by its start)
        const waiting = await db().query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH w0 AS (INSERT INTO submission_set%'");
        if (waiting.rows.length) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      release();
      await otherDeposit;
      const outcome = await deposit;
      expect(outcome.ok).toBe(false);
      const err = (outcome as { e: unknown }).e;
      expect(err).toBeInstanceOf(CarnetError);
      expect(failure(err).map((e) => e.code)).toContain('duplicate_unique_id');
      expect(await documentRows(b.patientKey)).toBe(0);
      expect((await verifyTrace(db(), 2000, b.patientKey)).broken).toEqual([]);
      expect((await submitTraces(b.patientKey)).every((t) => t.outcome !== 'success')).toBe(true);
    },
  );
});
