// One JSON Patch is one change: one decision over all its operations and one transaction. Every
// combination of the operations a PATCH may carry (the three visibility flags, archiving,
// deletion) is sent by the patient, the author and another authorised doctor, on a real port;
// a refused one leaves the document byte-identical (same rows, same number of versions), an
// accepted one makes at most one new version carrying all of it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DocumentReference } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import { EXT_IS_ARCHIVED } from '../../src/fhir/mhd/document-reference.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';

const TRE_A07 = 'https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument';
const flag = (code: string) => ({ op: 'add', path: '/securityLabel/-', value: { coding: [{ system: TRE_A07, code }] } });
const OPERATIONS = {
  MASQUE_PS: flag('MASQUE_PS'),
  INVISIBLE_PATIENT: flag('INVISIBLE_PATIENT'),
  INVISIBLE_REPRESENTANTS_LEGAUX: flag('INVISIBLE_REPRESENTANTS_LEGAUX'),
  archive: { op: 'add', path: '/extension', value: [{ url: EXT_IS_ARCHIVED, valueBoolean: true }] },
  delete: { op: 'replace', path: '/status', value: 'entered-in-error' },
} as const;
type Operation = keyof typeof OPERATIONS;
const NAMES = Object.keys(OPERATIONS) as Operation[];
/** every non-empty combination of the operations */
const COMBINATIONS: Operation[][] = Array.from({ length: 2 ** NAMES.length - 1 }, (_, i) => NAMES.filter((_, b) => ((i + 1) >> b) & 1));

const doctor = proActor('doctor');
const doctor2 = proActor('doctor2');

for (const kind of storeKinds()) {
  describe(`PATCH is all or nothing [${kind}]`, () => {
    let db: Db;
    let server: RunningApp;
    let w: World;
    let patientKey: string;
    let ins: Awaited<ReturnType<typeof adultRecord>>['ins'];

    beforeAll(async () => {
      db = await openTestDb(kind);
      server = await startTestApp(db);
      w = await makeWorld(db);
      ({ patientKey, ins } = await adultRecord(w));
      for (const p of [doctor, doctor2]) {
        await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
      }
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });

    async function deposit(): Promise<{ id: string; logicalId: string }> {
      const r = await w.services.submissions.submit(as(doctor), submission(ins, [{ authorId: doctor.idNatPs }]));
      const id = r.assignedIds.Document1!.slice(9);
      return { id, logicalId: id };
    }

    /** Every stored version of the document and the submission sets of the record, as bytes. */
    async function snapshot(logicalId: string): Promise<string> {
      const versions = await db.query(
        `SELECT entry_uuid::text, version, is_latest, status, confidentiality, metadata::text, lineage_id::text, lineage_generation
         FROM document_entry WHERE patient_key = $1 AND logical_id = $2 ORDER BY version`,
        [patientKey, logicalId],
      );
      const sets = await db.query('SELECT count(*)::int AS n FROM submission_set WHERE patient_key = $1', [patientKey]);
      return JSON.stringify({ versions: versions.rows, submissionSets: sets.rows });
    }

    async function versionCount(logicalId: string): Promise<number> {
      return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM document_entry WHERE patient_key = $1 AND logical_id = $2', [patientKey, logicalId])).rows[0].n;
    }

    async function patch(actor: Actor, id: string, ops: Operation[]): Promise<{ status: number; body: DocumentReference & { issue?: unknown[] } }> {
      const res = await fetch(`${server.baseUrl}/fhir/DocumentReference/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${await server.tokenFor(actor)}`, 'content-type': 'application/json-patch+json' },
        body: JSON.stringify(ops.map((o) => OPERATIONS[o])),
      });
      return { status: res.status, body: (await res.json()) as DocumentReference & { issue?: unknown[] } };
    }

    it('the two combinations seen refused yet half applied are now refused whole', async () => {
      // the patient may mask but not hide from herself: nothing is stored, not even the mask
      const a = await deposit();
      const before = await snapshot(a.logicalId);
      expect((await patch({ kind: 'patient', patientKey }, a.id, ['MASQUE_PS', 'INVISIBLE_PATIENT'])).status).toBe(403);
      expect(await snapshot(a.logicalId)).toBe(before);
      // on an adult's document a doctor may not hide from representatives: the patient still sees it
      const b = await deposit();
      const beforeB = await snapshot(b.logicalId);
      const refused = await patch(doctor, b.id, ['INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX']);
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).toContain('not a minor');
      expect(await snapshot(b.logicalId)).toBe(beforeB);
      const seen = await w.services.documents.find(patientCaller(patientKey), { patientKey }, { logicalIds: [`urn:uuid:${b.logicalId}`] });
      expect(seen.entries.map((e) => e.entryUuid)).toEqual([`urn:uuid:${b.id}`]);
    });

    const readers: Array<{ label: string; actor: () => Actor; allowed: Operation[] }> = [
      { label: 'the patient', actor: () => ({ kind: 'patient', patientKey }), allowed: ['MASQUE_PS', 'archive'] },
      // an adult's record: no representative to hide from (MASK-03)
      { label: 'the author', actor: () => doctor, allowed: ['INVISIBLE_PATIENT', 'delete'] },
      { label: 'another authorised doctor', actor: () => doctor2, allowed: ['INVISIBLE_PATIENT'] },
    ];

    for (const reader of readers) {
      it(`every combination of operations by ${reader.label}: all of it or nothing (${COMBINATIONS.length} patches)`, async () => {
        let doc = await deposit();
        let accepted = 0;
        for (const ops of COMBINATIONS) {
          const before = await snapshot(doc.logicalId);
          const count = await versionCount(doc.logicalId);
          const res = await patch(reader.actor(), doc.id, ops);
          const expected = ops.every((o) => reader.allowed.includes(o));
          expect({ ops, status: res.status }).toEqual({ ops, status: expected ? 200 : 403 });
          if (!expected) {
            expect({ ops, after: await snapshot(doc.logicalId) }).toEqual({ ops, after: before });
            continue;
          }
          accepted++;
          // one new version for all the flags, none for a status change alone
          const flags = ops.filter((o) => !['archive', 'delete'].includes(o));
          expect(await versionCount(doc.logicalId)).toBe(count + (flags.length ? 1 : 0));
          const codes = (res.body.securityLabel ?? []).flatMap((s) => (s.coding ?? []).map((c) => c.code));
          for (const f of flags) expect(codes).toContain(f);
          if (ops.includes('delete')) expect(res.body.status).toBe('entered-in-error');
          if (ops.includes('archive')) expect(res.body.extension?.some((e) => e.url === EXT_IS_ARCHIVED && e.valueBoolean === true)).toBe(true);
          doc = await deposit();
        }
        expect(accepted).toBe(2 ** reader.allowed.length - 1);
      }, 120_000);
    }
  });
}
