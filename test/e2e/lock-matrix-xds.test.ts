// The lock on every path (ACC-03, ACC-08, ACC-09, TRACE-05): every actor x every member of a
// lineage (current version, old version, replaced predecessor, replacement) x every way of hiding
// it (MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX, the matrix, a blocked author,
// the author's structure blocked, and nothing) x every path, through real HTTP (FHIR) and real
// SOAP (XDS.b). A member is
// visible exactly where the rules say (lock-world.ts `expected`); otherwise it is absent, and
// where it is named by its id the answer is the unknown id's, byte for byte but the request id.
// One server and one seeded world per store and file (test/support/lock-matrix.ts); each path is
// one table-driven test. This file holds the XDS.b paths; lock-matrix.test.ts the others.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { NS } from '../../src/xml/index.js';
import { answered, associationEnds, registryErrors, unknownId, type LockClients } from '../support/lock-clients.js';
import { MEMBERS, type ActorName, type LockWorld } from '../support/lock-world.js';
import { LATEST, useLockMatrix } from '../support/lock-matrix.js';
import { storeKinds } from '../support/stores.js';
import { cx } from '../support/xds-client.js';

const EVERY_STATUS = `('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved','urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated','urn:asip:ci-sis:2010:StatusType:Archived','urn:asip:ci-sis:2010:StatusType:Deleted')`;
const RPLC = "('urn:ihe:iti:2007:AssociationType:RPLC')";

for (const kind of storeKinds()) {
  describe(`ACC-03 / ACC-08 / ACC-09 / TRACE-05: every path, every actor, every member, every hiding [${kind}]`, () => {
    const m = useLockMatrix(kind);
    let world: LockWorld;
    let c: LockClients;
    beforeAll(() => {
      ({ world, c } = m);
    });
    const { records, hidingsOf, visible, readsRecord, idsOf, visibleIds, hiddenIds, professionals, bare } = m;

    describe('XDS.b', () => {
      const each = async (fn: (name: ActorName, actor: ProfessionalActor, r: LockWorld['blocked']) => Promise<void>) => {
        for (const name of professionals()) for (const r of records()) await fn(name, world.actors[name] as ProfessionalActor, r);
      };
      const memberUuids = (patientKey: string) => idsOf(patientKey, MEMBERS, () => true).map((id) => `urn:uuid:${id}`);

      it('ACC-09: FindDocuments with every status returns the latest visible members, and nothing else', async () => {
        await each(async (name, actor, r) => {
          const got = answered(await c.query(actor, r.ins, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(r.ins), $XDSDocumentEntryStatus: EVERY_STATUS }));
          const want = readsRecord(name, r.patientKey) ? visibleIds(name, r.patientKey, LATEST) : 'refused';
          expect({ name, got: got === 'refused' ? got : got.documents.map(bare).sort() }).toEqual({ name, got: want });
        });
      }, 120_000);

      it('ACC-09: GetDocuments and GetDocumentsAndAssociations by the id of every member answer the visible ones, as if the others did not exist', async () => {
        await each(async (name, actor, r) => {
          const ids = `(${[...memberUuids(r.patientKey), `urn:uuid:${unknownId()}`].map((u) => `'${u}'`).join(',')})`;
          const docs = answered(await c.query(actor, r.ins, Q.GetDocuments, { $XDSDocumentEntryEntryUUID: ids }));
          const want = visibleIds(name, r.patientKey);
          expect({ name, got: docs === 'refused' ? docs : docs.documents.map(bare).sort() }).toEqual({ name, got: want });
          const withAssociations = await c.query(actor, r.ins, Q.GetDocumentsAndAssociations, { $XDSDocumentEntryEntryUUID: ids });
          const dna = answered(withAssociations);
          expect({ name, got: dna === 'refused' ? dna : dna.documents.map(bare).sort() }).toEqual({ name, got: want });
          const hidden = new Set(hiddenIds(name, r.patientKey));
          const touching = associationEnds(withAssociations).filter((a) => hidden.has(bare(a.source)) || hidden.has(bare(a.target)));
          expect({ name, touching }).toEqual({ name, touching: [] });
        });
      }, 120_000);

      it('ACC-09: GetAssociations and GetRelatedDocuments show a replacement only between members the reader sees', async () => {
        await each(async (name, actor, r) => {
          const ids = `(${memberUuids(r.patientKey).map((u) => `'${u}'`).join(',')})`;
          const assoc = await c.query(actor, r.ins, Q.GetAssociations, { $uuid: ids });
          const hidden = new Set(hiddenIds(name, r.patientKey));
          expect({ name, touching: associationEnds(assoc).filter((a) => hidden.has(bare(a.source)) || hidden.has(bare(a.target))) }).toEqual({ name, touching: [] });
          const related = hidingsOf(r.patientKey).flatMap((h) => {
            const l = world.lineages[h];
            const replacements = associationEnds(assoc).filter((a) => a.type === 'RPLC' && bare(a.source) === l.ids.replacement && bare(a.target) === l.ids.predecessor);
            expect({ name, h, rplc: replacements.length }).toEqual({ name, h, rplc: visible(name, h) ? 1 : 0 });
            // asked from the replaced document: the relation leads to the replacement, and back
            return [l.ids.predecessor].map(async (from) => {
              const got = answered(await c.query(actor, r.ins, Q.GetRelatedDocuments, { $XDSDocumentEntryEntryUUID: `'urn:uuid:${from}'`, $AssociationTypes: RPLC }));
              return { name, h, from, got: got === 'refused' ? got : got.documents.map(bare).sort() };
            });
          });
          expect(await Promise.all(related)).toEqual(
            hidingsOf(r.patientKey).flatMap((h) => {
              const l = world.lineages[h];
              return [{ name, h, from: l.ids.predecessor, got: visible(name, h) ? [l.ids.predecessor, l.ids.replacement].sort() : [] }];
            }),
          );
        });
      }, 120_000);

      it('ACC-09: GetSubmissionSetAndContents and GetFolderAndContents hold only the members the reader sees', async () => {
        await each(async (name, actor, r) => {
          const sets = hidingsOf(r.patientKey).map(async (h) => {
            const got = answered(await c.query(actor, r.ins, Q.GetSubmissionSetAndContents, { $XDSSubmissionSetEntryUUID: `'urn:uuid:${world.lineages[h].replacementSet}'` }));
            return { name, h, got: got === 'refused' ? got : { sets: got.submissionSets.map(bare), documents: got.documents.map(bare) } };
          });
          expect(await Promise.all(sets)).toEqual(
            hidingsOf(r.patientKey).map((h) => {
              const l = world.lineages[h];
              return { name, h, got: visible(name, h) ? { sets: [l.replacementSet], documents: [l.ids.replacement] } : { sets: [], documents: [] } };
            }),
          );
          if (r !== world.main) return;
          const folder = answered(await c.query(actor, r.ins, Q.GetFolderAndContents, { $XDSFolderEntryUUID: `'urn:uuid:${world.main.folder}'` }));
          // the folder holds the first version and the predecessor it was given, and the replacement that joined it
          expect({ name, got: folder === 'refused' ? folder : folder.documents.map(bare).sort() }).toEqual({ name, got: visibleIds(name, r.patientKey, ['old', 'predecessor', 'replacement']) });
        });
      }, 120_000);

      it('ACC-08 / ACC-09: ITI-43 retrieves the visible documents; a hidden uniqueId answers as an unknown one', async () => {
        await each(async (name, actor, r) => {
          const asked = hidingsOf(r.patientKey).flatMap((h) => {
            const u = world.lineages[h].uniqueIds;
            return [u.versions, u.predecessor, u.replacement].map((uid) => ({ h, uid }));
          });
          const unknown = `1.2.250.1.999.404.${Date.now()}`;
          const res = await c.retrieve(actor, r.ins, [...asked.map((a) => a.uid), unknown]);
          const found = Array.from(res.doc.getElementsByTagNameNS(NS.xdsb, 'DocumentResponse')).map((d) => d.getElementsByTagNameNS(NS.xdsb, 'DocumentUniqueId')[0]?.textContent ?? '');
          expect({ name, found: found.sort() }).toEqual({ name, found: asked.filter((a) => visible(name, a.h)).map((a) => a.uid).sort() });
          const errors = registryErrors(res);
          const asUnknown = errors.find((e) => e.location === unknown)!;
          expect(asUnknown.errorCode).toBe('XDSDocumentUniqueIdError');
          for (const a of asked.filter((x) => !visible(name, x.h))) {
            expect({ name, h: a.h, error: { ...errors.find((e) => e.location === a.uid), location: '' } }).toEqual({ name, h: a.h, error: { ...asUnknown, location: '' } });
          }
          expect(errors).toHaveLength(asked.filter((a) => !visible(name, a.h)).length + 1);
        });
      }, 120_000);
    });
  });
}
