// ACC-09 where the lock matrix's world does not look: lineages whose hidden member is not the
// current one. A document masked by the patient, then unmasked (MASK-05: three versions, the middle
// one masked); a document masked, then replaced by its author with a readable replacement; and an
// addendum written by a colleague to a document the patient masked afterwards. An authorised
// colleague (MASK-01: masked documents are not theirs to see) reads the readable members, and the
// hidden ones answer, on every path that names them, as ids the registry never held. On a real
// port, FHIR and XDS.b, both stores. These held when tried: the test keeps them so.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DocumentReference } from '@medplum/fhirtypes';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { answered, associationEnds, startLockServer, type LockServer } from '../support/lock-clients.js';
import { bare as bareId } from '../support/lock-xds.js';
import { storeKinds } from '../support/stores.js';
import { as, newIns, proActor, submission } from '../support/world.js';

const EVERY_STATUS = `('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved','urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated')`;
const RELATIONS = "('urn:ihe:iti:2007:AssociationType:RPLC','urn:ihe:iti:2007:AssociationType:APND')";

for (const kind of storeKinds()) {
  describe(`ACC-09: a hidden member that is not the lineage's current one [${kind}]`, () => {
    let s: LockServer;
    const author = proActor('doctor');
    const colleague = proActor('doctor2');
    let ins: PatientIdentifier;
    /** bare entryUUIDs: v1 v2 v3 (v2 masked), p1 p2 (p2 masked) replaced by r, t1 t2 (t2 masked) appended by a */
    const id: Record<string, string> = {};
    const readable = ['v1', 'v3', 'r', 'a'];
    const hidden = ['v2', 'p1', 'p2', 't1', 't2'];

    beforeAll(async () => {
      s = await startLockServer(kind);
      const sv = s.server.app.services;
      ins = newIns();
      const { patientKey } = await sv.records.create(as({ kind: 'support', agentId: 'agent-1' }), { identifiers: [ins], given: 'Rose', family: 'Lemaire', birthDate: '1970-05-06', consent: { givenBy: 'patient' } });
      const patient = as({ kind: 'patient', patientKey });
      for (const p of [author, colleague]) await sv.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
      const by = (p: typeof author) => ({ authorId: p.idNatPs, authorStructure: p.structureId });
      const deposit = async (content: string) => (await sv.submissions.submit(as(author), submission(ins, [{ ...by(author), content }]))).assignedIds.Document1!;
      id.v1 = await deposit('v');
      id.v2 = (await sv.metadata.setVisibility(patient, { entryUuid: id.v1 }, 'MASQUE_PS', true)).entryUuid;
      id.v3 = (await sv.metadata.setVisibility(patient, { entryUuid: id.v2 }, 'MASQUE_PS', false)).entryUuid;
      id.p1 = await deposit('p');
      id.p2 = (await sv.metadata.setVisibility(patient, { entryUuid: id.p1 }, 'MASQUE_PS', true)).entryUuid;
      const rplc = submission(ins, [{ ...by(author), content: 'r' }]);
      rplc.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: id.p2 });
      id.r = (await sv.submissions.submit(as(author), rplc)).assignedIds.Document1!;
      id.t1 = await deposit('t');
      const apnd = submission(ins, [{ ...by(colleague), content: 'a' }]);
      apnd.associations.push({ id: 'apnd', type: 'APND', sourceId: 'Document1', targetId: id.t1 });
      id.a = (await sv.submissions.submit(as(colleague), apnd)).assignedIds.Document1!;
      id.t2 = (await sv.metadata.setVisibility(patient, { entryUuid: id.t1 }, 'MASQUE_PS', true)).entryUuid;
      for (const k of Object.keys(id)) id[k] = bareId(id[k]!);
    }, 120_000);
    afterAll(async () => s?.close());

    const named = (uuids: string[]) => uuids.map((u) => Object.keys(id).find((k) => id[k] === bareId(u)) ?? 'other').sort();

    it('ACC-09: FHIR read and Binary of each member: the readable ones with relatesTo naming nothing hidden, the hidden ones as an unknown id', async () => {
      const unknown = randomUUID();
      const [unknownRead, unknownBinary] = await Promise.all([s.c.fhir(colleague, `DocumentReference/${unknown}`), s.c.fhir(colleague, `Binary/${unknown}`, { accept: '*/*' })]);
      for (const k of [...readable, ...hidden]) {
        const [read, binary] = await Promise.all([s.c.fhir(colleague, `DocumentReference/${id[k]}`), s.c.fhir(colleague, `Binary/${id[k]}`, { accept: '*/*' })]);
        if (readable.includes(k)) {
          const related = ((read.json as DocumentReference).relatesTo ?? []).map((x) => x.target?.reference ?? '');
          expect({ k, read: read.status, binary: binary.status, related }).toEqual({ k, read: 200, binary: 200, related: [] });
        } else {
          expect({ k, read: read.status, same: read.body.toString().replace(id[k]!, unknown) === unknownRead.body.toString(), binary: binary.status, sameBinary: binary.body.equals(unknownBinary.body) }).toEqual({
            k,
            read: 404,
            same: true,
            binary: 404,
            sameBinary: true,
          });
        }
      }
    }, 60_000);

    it('ACC-09: ITI-18 by entryUUID, by logical id at each metadata level, with every status, and through the relations lists the readable members only', async () => {
      const all = `(${Object.values(id).map((u) => `'urn:uuid:${u}'`).join(',')})`;
      const documents = (a: Awaited<ReturnType<typeof s.c.query>>) => {
        const got = answered(a);
        return got === 'refused' ? ['refused'] : named(got.documents);
      };
      expect(documents(await s.c.query(colleague, ins, Q.GetDocuments, { $XDSDocumentEntryEntryUUID: all }))).toEqual([...readable].sort());
      for (const level of ['1', '2']) {
        const logical = `('urn:uuid:${id.v1}','urn:uuid:${id.p1}','urn:uuid:${id.t1}')`;
        expect({ level, got: documents(await s.c.query(colleague, ins, Q.GetDocuments, { $XDSDocumentEntryLogicalID: logical, $MetadataLevel: level })) }).toEqual({ level, got: ['v1', 'v3'] });
      }
      const withAssociations = await s.c.query(colleague, ins, Q.GetAssociations, { $uuid: all, $XDSAssociationStatus: EVERY_STATUS });
      const touching = associationEnds(withAssociations).filter((e) => hidden.some((k) => [bareId(e.source), bareId(e.target)].includes(id[k]!)));
      expect(touching).toEqual([]);
      for (const from of ['r', 'a']) {
        const related = await s.c.query(colleague, ins, Q.GetRelatedDocuments, { $XDSDocumentEntryEntryUUID: `'urn:uuid:${id[from]}'`, $AssociationTypes: RELATIONS });
        expect({ from, got: documents(related), links: associationEnds(related).length }).toEqual({ from, got: [], links: 0 });
      }
      // and the author, who reads every member, is shown the relations (the comparison is not vacuous)
      const byAuthor = await s.c.query(author, ins, Q.GetRelatedDocuments, { $XDSDocumentEntryEntryUUID: `'urn:uuid:${id.r}'`, $AssociationTypes: RELATIONS });
      expect(documents(byAuthor)).toEqual(['p2', 'r']);
    }, 60_000);
  });
}
