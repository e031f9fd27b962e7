// The lock against ids of another patient's record named in a change of one's own (ACC-08,
// ACC-10), on a real port, XDS.b (ITI-41, ITI-57) and FHIR (ITI-65). Patient B's record holds a
// document in a folder F (submission set S1), and a folder G deposited alone (set S2). A
// professional who may not read B's record at all — never authorised there, or blocked — must get
// for each of B's objects, named from a change of patient A's record, the answer of an id the
// registry never held: "another patient's" says that the id is something in someone's DMP. A
// professional whose assertion is bound to A (ACC-10) gets the same answer for every object of
// B's, and the attempt is traced on B's record.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle } from '@medplum/fhirtypes';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { startLockServer, type LockServer } from '../support/lock-clients.js';
import { ASSOCIATION, bare, ITI_ASSOCIATION, registryUpdate, registryWords, sameWords } from '../support/lock-xds.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { storeKinds } from '../support/stores.js';
import { as, newIns, proActor, submission, uid } from '../support/world.js';
import { postSoap, provideAndRegister, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';

const SUPPORT = as({ kind: 'support', agentId: 'agent-1' });

for (const kind of storeKinds()) {
  describe(`ACC-08 / ACC-10: another patient's objects named in a change of one's own record [${kind}]`, () => {
    let s: LockServer;
    const author = proActor('doctor');
    /** authorised on A only: reads nothing of B */
    const stranger = proActor('dentist', { profession: '10', specialty: 'SM26' });
    /** authorised on A, blocked by B (ACC-03) */
    const blocked = proActor('doctor2');
    const records: Record<'A' | 'B', { patientKey: string; ins: PatientIdentifier }> = {} as never;
    /** A's own document and folder, and B's objects, by name (urn:uuid: form) */
    const a: Record<string, string> = {};
    const b: Record<string, string> = {};

    beforeAll(async () => {
      s = await startLockServer(kind);
      const sv = s.server.app.services;
      for (const name of ['A', 'B'] as const) {
        const ins = newIns();
        const { patientKey } = await sv.records.create(SUPPORT, { identifiers: [ins], given: 'Rose', family: 'Lemaire', birthDate: '1970-05-06', consent: { givenBy: 'patient' } });
        records[name] = { patientKey, ins };
        const patient = as({ kind: 'patient', patientKey });
        await sv.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: author.idNatPs, effect: 'permit' });
        if (name === 'A') for (const p of [stranger, blocked]) await sv.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
        else await sv.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: blocked.idNatPs, effect: 'deny' });
        const first = submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]);
        first.folders = [{ id: 'Folder01', metadata: { uniqueId: uid(), patientId: ins, codeList: [{ code: 'SUIVI', system: '1.2.250.1.999.3' }] } }];
        first.associations.push({ id: 'ssF', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' });
        first.associations.push({ id: 'fD', type: 'HasMember', sourceId: 'Folder01', targetId: 'Document1' });
        const assigned = (await sv.submissions.submit(as(author), first)).assignedIds;
        const objects = name === 'A' ? a : b;
        objects['document'] = assigned.Document1!;
        objects['folder F'] = assigned.Folder01!;
        objects['set S1'] = assigned.SubmissionSet01!;
        if (name === 'B') {
          const link = await s.db.query<{ e: string }>('SELECT entry_uuid::text AS e FROM association WHERE patient_key = $1 AND source_uuid = $2 AND target_uuid = $3', [patientKey, bare(b['folder F']!), bare(b.document!)]);
          b['link F -> document'] = `urn:uuid:${link.rows[0]!.e}`;
          // a folder deposited alone: its set holds no document
          const alone = submission(ins, []);
          alone.folders = [{ id: 'Folder01', metadata: { uniqueId: uid(), patientId: ins, codeList: [{ code: 'SUIVI', system: '1.2.250.1.999.3' }] } }];
          alone.associations.push({ id: 'ssG', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' });
          const g = (await sv.submissions.submit(as(author), alone)).assignedIds;
          b['folder G'] = g.Folder01!;
          b['set S2'] = g.SubmissionSet01!;
          const held = await s.db.query<{ e: string }>('SELECT entry_uuid::text AS e FROM association WHERE patient_key = $1 AND source_uuid = $2', [patientKey, bare(g.SubmissionSet01!)]);
          b['link S2 -> G'] = `urn:uuid:${held.rows[0]!.e}`;
        }
      }
    }, 120_000);
    afterAll(async () => s?.close());

    /** ITI-41 on A by `actor`: a new document, and an association of `kind` between it (or A's set) and `target`. */
    async function provide(actor: ProfessionalActor, kind: string, target: string, bound = false): Promise<string> {
      const sub: SubmissionRequest = submission(records.A.ins, [{ authorId: actor.idNatPs, authorStructure: actor.structureId }]);
      if (kind === 'HasMember') sub.associations.push({ id: 'rel', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: target, submissionSetStatus: 'Reference' });
      else if (kind === 'HasMember from') sub.associations.push({ id: 'rel', type: 'HasMember', sourceId: target, targetId: 'Document1' });
      else sub.associations.push({ id: 'rel', type: kind as 'RPLC', sourceId: 'Document1', targetId: target });
      const { body, attachments } = provideAndRegister(sub);
      const assertion = vihfFor(actor, bound ? { patientId: records.A.ins } : {});
      return registryWords(await postSoap(`${s.server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion, attachments }), target);
    }

    /** ITI-57 on A by `actor`: SubmitAssociation of a HasMember from `source` to `target`. */
    async function link(actor: ProfessionalActor, source: string, target: string, asked: string, bound = false): Promise<string> {
      const id = `urn:uuid:${randomUUID()}`;
      const body = registryUpdate(
        records.A.ins,
        `<rim:Association id="${id}" associationType="${ASSOCIATION}HasMember" sourceObject="${source}" targetObject="${target}"/>` +
          `<rim:Association id="urn:uuid:${randomUUID()}" associationType="${ITI_ASSOCIATION}SubmitAssociation" sourceObject="$SS" targetObject="${id}"/>`,
      );
      const assertion = vihfFor(actor, bound ? { patientId: records.A.ins } : {});
      return registryWords(await postSoap(`${s.server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-57'], body, { assertion }), asked);
    }

    const KINDS = ['HasMember', 'HasMember from', 'RPLC', 'APND', 'XFRM', 'XFRM_RPLC', 'signs'];

    it("ACC-08: another patient's folder, and a submission set holding no document, named by ITI-41 or ITI-57 by a professional who may not read that record (never authorised, blocked) answer word for word as an unknown id", async () => {
      const wrong: unknown[] = [];
      for (const [who, actor] of Object.entries({ stranger, blocked })) {
        for (const kind of KINDS) {
          const unknown = await provide(actor, kind, `urn:uuid:${randomUUID()}`);
          expect(unknown.startsWith('Failure')).toBe(true);
          for (const [name, x] of Object.entries(b)) {
            const got = await provide(actor, kind, x);
            if (got !== unknown) wrong.push({ door: 'ITI-41', who, kind, name, got, unknown });
          }
        }
        for (const [shape, make] of Object.entries({ 'A folder -> x': (x: string) => [a['folder F']!, x], 'x -> A document': (x: string) => [x, a.document!] })) {
          const u = `urn:uuid:${randomUUID()}`;
          const unknown = await link(actor, ...(make(u) as [string, string]), u);
          expect(unknown.startsWith('Failure')).toBe(true);
          for (const [name, x] of Object.entries(b)) {
            const got = await link(actor, ...(make(x) as [string, string]), x);
            if (got !== unknown) wrong.push({ door: 'ITI-57', who, shape, name, got, unknown });
          }
        }
      }
      expect(wrong).toEqual([]);
      // not vacuous: the author, who reads both records, is told they are another patient's
      expect(await provide(author, 'HasMember from', b['folder G']!)).toContain('different patients');
      expect(await link(author, a['folder F']!, b['folder G']!, b['folder G']!)).toContain('more than one patient');
    }, 240_000);

    it("ACC-10: ITI-41 and ITI-65 naming another patient's document, folder, submission set or association under an assertion bound to the caller's patient answer as an unknown id and are traced on that record (other_patient)", async () => {
      const refusedOnB = async () =>
        (await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM access_trace WHERE chain_key = $1 AND outcome = 'denied' AND reason = 'other_patient'", [records.B.patientKey])).rows[0]!.n;
      const wrong: unknown[] = [];
      for (const kind of KINDS) {
        const before = await refusedOnB();
        const unknown = await provide(author, kind, `urn:uuid:${randomUUID()}`, true);
        expect({ kind, traced: (await refusedOnB()) - before }).toEqual({ kind, traced: 0 });
        for (const [name, x] of Object.entries(b)) {
          const start = await refusedOnB();
          const got = await provide(author, kind, x, true);
          const traced = (await refusedOnB()) - start;
          if (got !== unknown || traced !== 1) wrong.push({ door: 'ITI-41', kind, name, traced, got, unknown });
        }
      }
      // ITI-65: a DocumentReference of A that replaces B's document
      const bound = { ...author, boundPatient: records.A.ins };
      const replacing = async (target: string) => {
        const bundle: Bundle = provideBundle({ patient: `Patient/${records.A.patientKey}`, docs: [{ author: { idNatPs: author.idNatPs, family: 'Martin', given: 'Alice' }, replaces: target }] });
        const res = await s.c.fhir(bound, `${s.server.baseUrl}/fhir`, { method: 'POST', body: bundle });
        return `${res.status} ${sameWords(res.body.toString(), target)}`;
      };
      const unknown65 = await replacing(randomUUID());
      expect(unknown65.startsWith('4')).toBe(true);
      const start = await refusedOnB();
      const got65 = await replacing(bare(b.document!));
      const traced65 = (await refusedOnB()) - start;
      if (got65 !== unknown65 || traced65 !== 1) wrong.push({ door: 'ITI-65', traced: traced65, got: got65, unknown: unknown65 });
      expect(wrong).toEqual([]);
      // nothing of B's changed: its document is still the current one, Approved
      const doc = await s.db.query<{ status: string }>('SELECT status FROM document_entry WHERE patient_key = $1 AND is_latest', [records.B.patientKey]);
      expect(doc.rows).toEqual([{ status: 'Approved' }]);
    }, 240_000);
  });
}
