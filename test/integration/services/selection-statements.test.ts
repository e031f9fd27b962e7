// What a holder's change of a selection (DOC-07) reads: the documents it names and the former
// members, once, in its transaction (ACC-08: each judged as the holder reads it); what the change
// touched is among them, and is not read again to name it in the history (TRACE-05).
import { beforeAll, expect, it } from '@jest/globals';
import { countedDb } from '../../support/counted-db.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

describeEachStore('a selection saved again: the documents it touches read once', (db) => {
  let w: World;
  let counted: ReturnType<typeof countedDb>;
  beforeAll(async () => {
    counted = countedDb(db());
    w = await makeWorld(counted.db);
  });

  it('DOC-07, TRACE-05: replacing the members reads the former and the named documents in one statement, and the history row names a document the change touched', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const deposit = await w.services.submissions.submit(as(proActor('doctor')), submission(ins, [{}, {}, {}]));
    const [a, b, c] = ['Document1', 'Document2', 'Document3'].map((id) => deposit.assignedIds[id]!.replace('urn:uuid:', ''));
    const me = patientCaller(patientKey);
    const selectionId = await w.services.selections.save(me, patientKey, { name: 'Suivi', logicalIds: [a!, b!] });
    counted.sent.length = 0;
    await w.services.selections.save(me, patientKey, { selectionId, name: 'Suivi', logicalIds: [b!, c!] });
    const documentReads = counted.sent.filter((s) => /FROM document_entry d WHERE/.test(s.sql));
    // the documents named (namedDocuments: b and c), then the members before and after, as the holder reads them (a, b, c)
    expect(documentReads.map((s) => ({ rows: s.rows, inTransaction: s.inTransaction }))).toEqual([
      { rows: 2, inTransaction: true },
      { rows: 3, inTransaction: true },
    ]);
    const [saved] = (await w.services.selections.view(me, patientKey)).filter((x) => x.selection_id === selectionId);
    expect(saved!.members.map((m) => m.logicalId.replace('urn:uuid:', ''))).toEqual([b, c]);
    // TRACE-05: the history row of the change names one of the documents it touched (c added, a removed)
    const traced = await db().query<{ doc: string }>(
      "SELECT document_logical_id::text AS doc FROM access_trace WHERE chain_key = $1 AND action = 'selection.manage' AND document_logical_id IS NOT NULL",
      [patientKey],
    );
    expect(traced.rows).toHaveLength(1);
    expect([c, a]).toContain(traced.rows[0]!.doc);
  });
});
