// ITI-65 (MHD Provide Document Bundle) names its subject before the submission: the FHIR door
// resolves it (patientResolver), the services holding a bound caller to its patient (ACC-10),
// then hands the record it found to submit(). That subject is resolved once: the record's
// identifiers are read once for a Patient/<key> reference, not again by the submission.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import { patientResolver } from '../../../src/fhir/routes/patients.js';
import { countedDb } from '../../support/counted-db.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, proActor, submission, type World } from '../../support/world.js';

const BY_KEY = 'SELECT system, value FROM patient_identifier WHERE patient_key = $1 ORDER BY system, value';
const BY_IDENTIFIER = 'SELECT patient_key::text FROM patient_identifier WHERE system = $1 AND value = $2';

describeEachStore('ITI-65: the subject a bound caller names, resolved once', (db) => {
  let w: World;
  let counted: ReturnType<typeof countedDb>;
  beforeAll(async () => {
    counted = countedDb(db());
    w = await makeWorld(counted.db);
  });

  /** the door's ITI-65 path (routes/provide.ts): the subject resolved, then the submission given its record */
  const provide = async (caller: ReturnType<typeof as>, reference: string) => {
    const resolve = patientResolver(w.services, caller);
    const id = await resolve({ reference, path: 'DocumentReference.subject' });
    if (!id) return null;
    const recordKey = resolve.recordKeyOf(id);
    return w.services.submissions.submit(caller, submission(id), recordKey ? { recordKey } : {});
  };
  const lookups = () => ({
    byKey: counted.sent.filter((s) => s.sql === BY_KEY).length,
    byIdentifier: counted.sent.filter((s) => s.sql === BY_IDENTIFIER).length,
  });

  it("ACC-10: a caller bound to the patient deposits on Patient/<key>, the record's identifiers read once and its key looked up by no identifier", async () => {
    const { patientKey, ins } = await adultRecord(w);
    const caller = as(proActor('doctor', { boundPatient: ins }));
    counted.sent.length = 0;
    const result = await provide(caller, `Patient/${patientKey}`);
    expect(result?.patientKey).toBe(patientKey);
    expect(lookups()).toEqual({ byKey: 1, byIdentifier: 0 });
  });

  it('ACC-10: a caller bound to another patient is refused on Patient/<key>, whether the key is a record or not, and the refusal is traced', async () => {
    const { patientKey } = await adultRecord(w);
    const other = await adultRecord(w);
    const caller = as(proActor('doctor', { boundPatient: other.ins }));
    for (const key of [patientKey, randomUUID()]) {
      await expect(provide(caller, `Patient/${key}`)).rejects.toMatchObject({ code: 'forbidden' });
    }
    const traced = await db().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM access_trace WHERE chain_key = $1 AND action = 'document.submit' AND outcome = 'denied' AND reason = 'other_patient'",
      [patientKey],
    );
    expect(traced.rows[0]!.n).toBe(1);
  });
});
