// ACC-08 and the cost of an ITI-57 request naming objects of many records: whether the caller
// knows of each (a hidden one answers as an unknown id) is decided record by record, each record
// read for it; the request is answered by its first id the caller does not know of, or its first
// object of a second patient, and the records past that are not read. A professional may deposit
// in any record (DOC-02), so anyone can hold ids of their own documents in many records.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import type { PatientIdentifier } from '../../../src/domain/model.js';
import { countedDb } from '../../support/counted-db.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, proActor, submission, type World } from '../../support/world.js';

describeEachStore('ACC-08: an ITI-57 request naming documents of many records', (db) => {
  let w: World;
  let counted: ReturnType<typeof countedDb>;
  /** never authorised by anyone: deposits (DOC-02), and knows of what they wrote */
  const stranger = proActor('dentist', { profession: '10', specialty: 'SM26' });
  const records: Array<{ ins: PatientIdentifier; doc: string }> = [];

  beforeAll(async () => {
    counted = countedDb(db());
    w = await makeWorld(counted.db);
    for (let i = 0; i < 24; i++) {
      const { ins } = await adultRecord(w);
      const doc = (await w.services.submissions.submit(as(stranger), submission(ins, [{ authorId: stranger.idNatPs, authorStructure: stranger.structureId }]))).assignedIds.Document1!;
      records.push({ ins, doc });
    }
  }, 120_000);

  /** The statements of a request deprecating the documents of the first `n` records, and its answer. */
  async function deprecate(n: number, first: 'hidden' | 'own' = 'own') {
    const ss = submission(records[0]!.ins, []).submissionSet;
    const targets = records.slice(0, n).map((r) => r.doc);
    if (first === 'hidden') targets.unshift(`urn:uuid:${randomUUID()}`);
    counted.sent.length = 0;
    const answer = await w.services.metadata
      .applyUpdate(as(stranger), {
        submissionSet: { ...ss, id: `urn:uuid:${randomUUID()}` },
        documents: [],
        folders: [],
        associations: [],
        statusChanges: targets.map((targetId) => ({ id: `urn:uuid:${randomUUID()}`, targetId, from: 'Approved', to: 'Deprecated' })),
      })
      .then(
        () => 'done',
        (e: Error) => e.message,
      );
    return { answer, statements: counted.sent.length };
  }

  it('ACC-08: documents of 3 records or of 24 are refused alike, and cost the same statements: the records past the second are not read', async () => {
    const few = await deprecate(3);
    const many = await deprecate(24);
    expect([few.answer, many.answer]).toEqual(['the request concerns objects of more than one patient', 'the request concerns objects of more than one patient']);
    expect(many.statements).toBe(few.statements);
  });

  it('ACC-08: an unknown id named first answers before any record of the ids after it is read', async () => {
    const few = await deprecate(3, 'hidden');
    const many = await deprecate(24, 'hidden');
    expect(few.answer).toMatch(/is not in the registry$/);
    expect(many.statements).toBe(few.statements);
  });
});
