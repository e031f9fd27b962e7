// ITI-67 answered from the DocumentReferences' JSON held by entry and row version
// (src/fhir/routes/document-json-cache.ts) must be the very bytes the door writes without it, for
// every reader, whatever another reader asked before — masked documents, documents invisible to
// the patient, relatesTo whose target one reader may not see — and a row changed in place (a new
// row version) must be answered as it now is, at once. Two servers on one store: one holds
// entries (the default), the other holds none (CARNET_ENTRY_CACHE_BYTES=0, the door's plain path).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';

const doctor = proActor('doctor');

/** Where two answers first differ, with some context (empty when they are the same). */
function firstDifference(a: string, b: string): string {
  if (a === b) return '';
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 80), i + 80))} / ${JSON.stringify(b.slice(Math.max(0, i - 80), i + 80))}`;
}
const doctor2 = proActor('doctor2');
const nurse = proActor('nurse');

for (const kind of storeKinds()) {
  describe(`ITI-67 from DocumentReferences held by row version [${kind}]`, () => {
    let db: Db;
    let cached: RunningApp;
    let plain: RunningApp;
    let w: World;
    let patientKey: string;
    let patient: Actor;
    const ids: Record<string, string> = {};

    async function body(server: RunningApp, actor: Actor, query: string): Promise<string> {
      const res = await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=Patient/${patientKey}&${query}`, {
        headers: { authorization: `Bearer ${await server.tokenFor(actor)}`, accept: 'application/fhir+json' },
      });
      expect(res.status).toBe(200);
      // the two servers listen on ports of their own: their searchsets' links and fullUrls differ by that alone
      return (await res.text()).replaceAll(server.baseUrl, 'BASE');
    }

    const idsOf = (text: string) => ((JSON.parse(text) as Bundle<DocumentReference>).entry ?? []).map((e) => e.resource!.id!);

    /** The page as the caching server answers it twice (made, then held) and as the plain one does. */
    async function samePage(actor: Actor, query: string): Promise<string> {
      const first = await body(cached, actor, query);
      const again = await body(cached, actor, query);
      const without = await body(plain, actor, query);
      expect(firstDifference(first, without)).toBe('');
      expect(firstDifference(again, without)).toBe('');
      return without;
    }

    beforeAll(async () => {
      db = await openTestDb(kind);
      cached = await startTestApp(db);
      plain = await startTestApp(db, { CARNET_ENTRY_CACHE_BYTES: '0' });
      w = await makeWorld(db);
      const record = await adultRecord(w);
      patientKey = record.patientKey;
      patient = patientCaller(patientKey).actor;
      for (const pro of [doctor, doctor2, nurse]) {
        await w.services.consent.addGrant(as(patient), patientKey, { subjectKind: 'professional', subjectId: pro.idNatPs, effect: 'permit' });
      }
      const deposit = async (confidentiality?: string[], replaces?: string) => {
        const s = submission(record.ins, [{ authorId: doctor.idNatPs, ...(confidentiality ? { confidentiality } : {}) }]);
        if (replaces) s.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: replaces });
        return (await w.services.submissions.submit(as(doctor), s)).assignedIds.Document1;
      };
      ids.plain = await deposit();
      ids.masked = await deposit(['N', 'MASQUE_PS']);
      ids.invisible = await deposit(['N', 'INVISIBLE_PATIENT']);
      ids.replacesVisible = await deposit(undefined, ids.plain);
      ids.hiddenOld = await deposit(['N', 'INVISIBLE_PATIENT']);
      ids.replacesHidden = await deposit(undefined, ids.hiddenOld);
      for (const k of Object.keys(ids)) ids[k] = ids[k].slice('urn:uuid:'.length);
    }, 120_000);
    afterAll(async () => {
      await cached?.close();
      await plain?.close();
      await db?.close();
    });

    it('ACC-08 MASK-01 MASK-02: every reader gets the bytes the door writes without held entries, whoever read first', async () => {
      // the author of the masked document reads first: what it was shown is held
      const byAuthor = idsOf(await samePage(doctor, '_count=50'));
      expect(byAuthor).toContain(ids.masked);
      // MASK-01: another doctor and the nurse do not see it, from the same held entries
      for (const pro of [doctor2, nurse]) {
        const seen = idsOf(await samePage(pro, '_count=50'));
        expect(seen).not.toContain(ids.masked);
        expect(seen).toContain(ids.plain);
      }
      // MASK-02: the patient sees neither the invisible document nor, in relatesTo, the hidden one
      const own = await samePage(patient, '_count=50');
      expect(idsOf(own)).not.toContain(ids.invisible);
      expect(own).not.toContain(ids.hiddenOld);
      const replacing = (JSON.parse(own) as Bundle<DocumentReference>).entry!.find((e) => e.resource!.id === ids.replacesHidden)!.resource!;
      expect(replacing.relatesTo).toBeUndefined();
      // the doctor, read again after them, still sees both relations
      const again = await samePage(doctor, '_count=50');
      expect(again).toContain(`DocumentReference/${ids.hiddenOld}`);
      expect(again).toContain(`DocumentReference/${ids.plain}`);
      // other pages and orders of the same held entries
      for (const query of ['_count=2&_offset=1', '_sort=author', 'status=superseded', '_count=0']) {
        for (const reader of [doctor, nurse, patient]) await samePage(reader, query);
      }
    });

    it('DOC-07: a document archived in place (a new version of its row) is answered as it now is, at once', async () => {
      const before = await samePage(doctor, '_count=50');
      expect(idsOf(before)).toContain(ids.replacesVisible);
      await w.services.metadata.setArchived(as(patient), { entryUuid: `urn:uuid:${ids.replacesVisible}` }, true);
      const archived = await samePage(doctor, 'isArchived=true');
      const dr = (JSON.parse(archived) as Bundle<DocumentReference>).entry!.find((e) => e.resource!.id === ids.replacesVisible)!.resource!;
      expect(dr.extension).toEqual([{ url: expect.stringContaining('pdsm-ext-is-archived'), valueBoolean: true }]);
      expect(dr.meta?.versionId).not.toBe((JSON.parse(before) as Bundle<DocumentReference>).entry!.find((e) => e.resource!.id === ids.replacesVisible)!.resource!.meta?.versionId);
      expect(idsOf(await samePage(doctor, '_count=50'))).not.toContain(ids.replacesVisible);
    });
  });
}
