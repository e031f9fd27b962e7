// One lock, two doors: for every kind of reader, ITI-67 through the FHIR door answers exactly the
// documents services.documents.find answers for the same actor, and refuses when it refuses
// (ACC-08: the door adds no rule and loses none).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { as, makeWorld, newIns, proActor, submission, type World } from '../support/world.js';

const doctor = proActor('doctor');
const doctor2 = proActor('doctor2');

for (const kind of storeKinds()) {
  describe(`ACC-08: one lock, two doors [${kind}]`, () => {
    let db: Db;
    let server: RunningApp;
    let w: World;
    let patientKey: string;
    let representativeId: string;

    beforeAll(async () => {
      db = await openTestDb(kind);
      server = await startTestApp(db);
      w = await makeWorld(db);
      // A minor's record, so that the legal representative is a reader too.
      const created = await w.services.records.create(
        { actor: { kind: 'support', agentId: 'agent-1' }, channel: 'test' },
        {
          identifiers: [newIns()],
          given: 'Léo',
          family: 'Durand',
          birthDate: '2014-03-02',
          representatives: [{ relationship: 'parent', given: 'Jeanne', family: 'Durand' }],
          consent: { givenBy: 'legal_representative', representativeIndex: 0 },
        },
      );
      patientKey = created.patientKey;
      representativeId = created.representativeIds[0];
      const ins = (await w.services.records.identifiersOf(patientKey))[0];
      // A minor's choices are made by the legal representative.
      const me = as({ kind: 'legal_representative', patientKey, representativeId });
      for (const p of [doctor, doctor2, proActor('podiatrist'), proActor('dentist')]) {
        await w.services.consent.addGrant(me, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
      }
      await w.services.consent.addGrant(me, patientKey, { subjectKind: 'professional', subjectId: proActor('dentist').idNatPs, effect: 'deny' });
      await w.services.submissions.submit(
        as(doctor),
        submission(ins, [
          { typeCode: '11488-4', authorId: doctor.idNatPs },
          { typeCode: '34112-3', authorId: doctor.idNatPs },
          { typeCode: '11488-4', authorId: doctor.idNatPs, confidentiality: ['N', 'MASQUE_PS'] },
          { typeCode: '11502-2', authorId: doctor.idNatPs, confidentiality: ['N', 'INVISIBLE_PATIENT'] },
          { typeCode: '11488-4', authorId: doctor.idNatPs, confidentiality: ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX'] },
        ]),
      );
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });

    const readers: Array<[string, () => Actor]> = [
      ['authorised doctor', () => doctor2],
      ['author of the masked document', () => doctor],
      ['podiatrist (matrix)', () => proActor('podiatrist')],
      ['blocked professional', () => proActor('dentist')],
      ['bris de glace', () => proActor('pharmacist', { mode: 'bris_de_glace' })],
      ['patient', () => ({ kind: 'patient', patientKey })],
      ['legal representative', () => ({ kind: 'legal_representative', patientKey, representativeId })],
    ];

    for (const [label, actorOf] of readers) {
      it(`${label}: ITI-67 ids = documents.find ids`, async () => {
        const actor = actorOf();
        const viaService = await w.services.documents
          .find(as(actor), { patientKey }, { countTotal: true, limit: 100 })
          .then((p) => ({ ok: true as const, ids: p.entries.map((e) => e.entryUuid.slice(9)).sort(), total: p.total }))
          .catch((e: { code: string }) => ({ ok: false as const, code: e.code }));
        const res = await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=Patient/${patientKey}&_count=100`, {
          headers: { authorization: `Bearer ${await server.tokenFor(actor)}` },
        });
        if (viaService.ok) {
          expect(res.status).toBe(200);
          const b = (await res.json()) as Bundle;
          expect((b.entry ?? []).map((e) => e.resource?.id as string).sort()).toEqual(viaService.ids);
          expect(b.total).toBe(viaService.total);
        } else {
          expect(res.status).toBe(viaService.code === 'not_found' ? 404 : 403);
        }
      });
    }

    it('the readers do not all see the same thing (the matrix test is not vacuous)', async () => {
      const counts = new Set<number>();
      for (const [, actorOf] of readers) {
        const n = await w.services.documents
          .find(as(actorOf()), { patientKey }, { countTotal: true, limit: 100 })
          .then((p) => p.total ?? -1)
          .catch(() => -1);
        counts.add(n);
      }
      expect(counts.size).toBeGreaterThanOrEqual(3);
    });
  });
}
