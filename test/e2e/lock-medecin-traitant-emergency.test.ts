// MASK-01 / ACC-06 with ACC-05: the médecin traitant's view of masked documents belongs to an
// authorised doctor. A doctor still named médecin traitant whose authorisation the patient
// withdrew (or who was authorised through a structure they no longer act for) may still come in
// by an emergency mode, like any professional; masking then applies to them as to everyone else.
// On a real port, by FHIR and by XDS.b.
import { beforeAll, expect, it } from '@jest/globals';
import type { Patient } from '@medplum/fhirtypes';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { answered, describeEachLockServer, type LockClients } from '../support/lock-clients.js';
import { adultRecordAllowing } from '../support/lock-records.js';
import { as, patientCaller, proActor, submission } from '../support/world.js';
import { cx } from '../support/xds-client.js';

const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";

describeEachLockServer('MASK-01 / ACC-06: a médecin traitant no longer authorised reads masked documents no more', (lock) => {
  let c: LockClients;
  /** the author of every document */
  const author = proActor('doctor');
  /** médecin traitant authorised in person, whose authorisation is then withdrawn */
  const withdrawn = proActor('doctor2');
  /** médecin traitant authorised through the structure the directory names for them, then acting for another structure */
  const moved = proActor('doctor2');
  /** a doctor who was never médecin traitant nor authorised, for comparison */
  const stranger = proActor('dentist', { profession: '10', specialty: 'SM26', structureId: '1690000098' });
  const records: Record<'withdrawn' | 'moved', { ins: PatientIdentifier; patientKey: string; visible: string; masked: string; maskedUid: string }> = {} as never;

  beforeAll(async () => {
    c = lock().c;
    const services = lock().server.app.services;
    for (const name of ['withdrawn', 'moved'] as const) {
      const { ins, patientKey } = await adultRecordAllowing(services, [author, ...(name === 'withdrawn' ? [withdrawn] : [])]);
      const patient = patientCaller(patientKey);
      if (name === 'moved') await services.consent.addGrant(patient, patientKey, { subjectKind: 'structure', subjectId: moved.structureId!, effect: 'permit' });
      await services.consent.designateMedecinTraitant(patient, patientKey, (name === 'withdrawn' ? withdrawn : moved).idNatPs);
      const sub = submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }, { authorId: author.idNatPs, authorStructure: author.structureId }]);
      const ids = (await services.submissions.submit(as(author), sub)).assignedIds;
      const masked = (await services.metadata.setVisibility(patient, { entryUuid: ids.Document2! }, 'MASQUE_PS', true)).entryUuid;
      if (name === 'withdrawn') {
        const grant = (await services.consent.read(patient, patientKey)).grants.find((g) => g.subject_id === withdrawn.idNatPs)!;
        await services.consent.revokeGrant(patient, patientKey, grant.grant_id);
      }
      const bare = (id: string) => id.replace(/^urn:uuid:/, '');
      records[name] = { ins, patientKey, visible: bare(ids.Document1!), masked: bare(masked), maskedUid: sub.documents[1]!.metadata.uniqueId };
    }
  }, 120_000);

  /** What `actor` reaches of the record by each door: the ids it finds, and whether the masked one reads. */
  async function reach(actor: ProfessionalActor, name: 'withdrawn' | 'moved') {
    const r = records[name];
    const search = await c.searchAll(actor, `DocumentReference?patient=Patient/${r.patientKey}`);
    const read = await c.fhir(actor, `DocumentReference/${r.masked}`);
    const binary = await c.fhir(actor, `Binary/${r.masked}`, { accept: '*/*' });
    const find = answered(await c.query(actor, r.ins, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(r.ins), $XDSDocumentEntryStatus: APPROVED }));
    const get = answered(await c.query(actor, r.ins, Q.GetDocuments, { $XDSDocumentEntryEntryUUID: `('urn:uuid:${r.masked}')` }));
    const retrieve = await c.retrieve(actor, r.ins, [r.maskedUid]);
    const bare = (ids: string[]) => ids.map((i) => i.replace(/^urn:uuid:/, '')).sort();
    return {
      search: search.ids.sort(),
      read: read.status,
      binary: binary.status,
      find: find === 'refused' ? 'refused' : bare(find.documents),
      get: get === 'refused' ? 'refused' : bare(get.documents),
      retrieve: /:Document>/.test(retrieve.xml) ? 'document' : 'none',
    };
  }

  it('MASK-01 / ACC-05 / ACC-06: a médecin traitant whose authorisation was withdrawn, in bris de glace, sees of the masked document what any professional in emergency sees: nothing', async () => {
    const r = records.withdrawn;
    const asStranger = await reach({ ...stranger, mode: 'bris_de_glace' }, 'withdrawn');
    expect(asStranger.search).toEqual([r.visible]);
    expect(await reach({ ...withdrawn, mode: 'bris_de_glace' }, 'withdrawn')).toEqual(asStranger);
    // and the Patient no longer tells them that they act as médecin traitant, nor as authorised
    const standing = await c.fhir(withdrawn, `Patient/${r.patientKey}`);
    expect(standing.status).toBe(200);
    const flags = ((standing.json as Patient).extension ?? []).filter((e) => /dmp-medecin-traitant$/.test(e.url)).map((e) => e.valueBoolean);
    expect(flags).toEqual([false]);
    // TRACE-04: nor do they read the access history, in either mode
    for (const mode of ['normal', 'bris_de_glace'] as const) {
      expect({ mode, status: (await c.fhir({ ...withdrawn, mode }, `AuditEvent?patient=Patient/${r.patientKey}`)).status }).toEqual({ mode, status: 403 });
    }
  });

  it('MASK-01 / ACC-05 / ACC-06: a médecin traitant authorised through a structure, coming in by bris de glace for another structure, sees nothing of the masked document', async () => {
    const r = records.moved;
    const elsewhere: ProfessionalActor = { ...moved, structureId: '1690000099', mode: 'bris_de_glace' };
    const asStranger = await reach({ ...stranger, mode: 'bris_de_glace' }, 'moved');
    expect(asStranger.search).toEqual([r.visible]);
    expect(await reach(elsewhere, 'moved')).toEqual(asStranger);
    // acting for the authorised structure, the médecin traitant reads it (MASK-01), in normal mode
    expect((await reach(moved, 'moved')).search).toEqual([r.visible, r.masked].sort());
  });
});
