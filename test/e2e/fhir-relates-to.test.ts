// DocumentReference.relatesTo on ITI-67 and read: the associations of the record (RPLC here) come
// back as relatesTo of the new document, and only when the caller may see the target (ACC-08:
// a relation never reveals a hidden document).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { adultRecord, as, makeWorld, proActor, submission, type World } from '../support/world.js';

const doctor = proActor('doctor');

for (const kind of storeKinds()) {
  describe(`relatesTo of DocumentReference [${kind}]`, () => {
    let db: Db;
    let server: RunningApp;
    let w: World;
    let patientKey: string;
    let oldId: string;
    let newId: string;
    let hiddenOldId: string;
    let overHiddenId: string;

    /** Deposits one document, then its replacement; returns both FHIR ids. */
    async function replaced(ins: Parameters<typeof submission>[0], confidentiality?: string[]): Promise<[string, string]> {
      const first = await w.services.submissions.submit(as(doctor), submission(ins, [{ authorId: doctor.idNatPs, ...(confidentiality ? { confidentiality } : {}) }]));
      const old = first.assignedIds.Document1;
      const next = submission(ins, [{ authorId: doctor.idNatPs }]);
      next.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: old });
      const second = await w.services.submissions.submit(as(doctor), next);
      return [old.slice(9), second.assignedIds.Document1.slice(9)];
    }

    async function get<T>(actor: Actor, path: string): Promise<T> {
      const res = await fetch(`${server.baseUrl}/fhir/${path}`, { headers: { authorization: `Bearer ${await server.tokenFor(actor)}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    }

    beforeAll(async () => {
      db = await openTestDb(kind);
      server = await startTestApp(db);
      w = await makeWorld(db);
      const record = await adultRecord(w);
      patientKey = record.patientKey;
      await w.services.consent.addGrant(as({ kind: 'patient', patientKey }), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
      [oldId, newId] = await replaced(record.ins);
      [hiddenOldId, overHiddenId] = await replaced(record.ins, ['N', 'INVISIBLE_PATIENT']);
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });

    it('the replacement says it replaces the old version, on read and on ITI-67', async () => {
      const read = await get<DocumentReference>(doctor, `DocumentReference/${newId}`);
      expect(read.relatesTo).toEqual([{ code: 'replaces', target: { reference: `DocumentReference/${oldId}` } }]);
      const page = await get<Bundle<DocumentReference>>(doctor, `DocumentReference?patient=Patient/${patientKey}&_count=50`);
      const found = page.entry?.find((e) => e.resource?.id === newId)?.resource;
      expect(found?.relatesTo).toEqual([{ code: 'replaces', target: { reference: `DocumentReference/${oldId}` } }]);
      const old = await get<DocumentReference>(doctor, `DocumentReference/${oldId}`);
      expect(old.relatesTo).toBeUndefined();
    });

    it('ACC-08: a replaced document hidden from the patient is not named to the patient', async () => {
      const patient: Actor = { kind: 'patient', patientKey };
      expect((await get<DocumentReference>(doctor, `DocumentReference/${overHiddenId}`)).relatesTo?.[0]?.target?.reference).toBe(`DocumentReference/${hiddenOldId}`);
      expect((await get<DocumentReference>(patient, `DocumentReference/${overHiddenId}`)).relatesTo).toBeUndefined();
      expect((await get<DocumentReference>(patient, `DocumentReference/${newId}`)).relatesTo?.[0]?.code).toBe('replaces');
    });

    it('ACC-08: nor on the patient\'s ITI-67 page, which reads the relations in the page\'s own statement', async () => {
      const patient: Actor = { kind: 'patient', patientKey };
      const onPage = async (who: Actor, id: string) =>
        (await get<Bundle<DocumentReference>>(who, `DocumentReference?patient=Patient/${patientKey}&_count=50`)).entry?.find((e) => e.resource?.id === id)?.resource;
      expect((await onPage(doctor, overHiddenId))?.relatesTo?.[0]?.target?.reference).toBe(`DocumentReference/${hiddenOldId}`);
      const seen = await onPage(patient, overHiddenId);
      expect(seen).toBeDefined();
      expect(seen?.relatesTo).toBeUndefined();
      expect((await onPage(patient, newId))?.relatesTo).toEqual([{ code: 'replaces', target: { reference: `DocumentReference/${oldId}` } }]);
    });
  });
}
