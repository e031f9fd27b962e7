// DMP-05 walked door by door on a real port: once the patient closes the record, no professional
// reaches it — authorised, médecin traitant, or in an emergency mode (ACC-05) — by FHIR (search,
// read, vread, Binary, List, AuditEvent, ITI-65) or by XDS.b (ITI-18, ITI-43, ITI-41, ITI-57),
// and nothing new is deposited; reopened, the record is as it was. ACC-04 on the same doors:
// administrative staff of an authorised structure reach nothing of an open record.
import { beforeAll, expect, it } from '@jest/globals';
import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { answered, describeEachLockServer, type LockClients } from '../support/lock-clients.js';
import { adultRecordAllowing } from '../support/lock-records.js';
import { registryUpdate, statusChange } from '../support/lock-xds.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { as, patientCaller, proActor, submission } from '../support/world.js';
import { cx, postSoap, provideAndRegister, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';


interface Target {
  ins: PatientIdentifier;
  patientKey: string;
  V: string;
  uniqueId: string;
}

describeEachLockServer('DMP-05 / ACC-04: a closed record, and a record to administrative staff, are closed at every door', (lock) => {
  let c: LockClients;
  let baseUrl: string;
  const author = proActor('doctor');
  const bris = proActor('pharmacist', { mode: 'bris_de_glace' });
  const regulator = proActor('regulator', { mode: 'centre_15', regulationCentre: true });
  let ins: PatientIdentifier;
  let patientKey: string;
  let V: string;
  let uniqueId: string;
  /** the closed record, and an open one whose patient authorised the author's whole structure */
  let closed: Target;
  let open: Target;
  /** ACC-04: a secretary of that structure */
  const secretary = proActor('secretary');

  beforeAll(async () => {
    const { server } = lock();
    c = lock().c;
    baseUrl = server.baseUrl;
    const services = server.app.services;
    ({ ins, patientKey } = await adultRecordAllowing(services, [author]));
    const patient = patientCaller(patientKey);
    await services.consent.designateMedecinTraitant(patient, patientKey, author.idNatPs);
    const sub = submission(ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]);
    uniqueId = sub.documents[0]!.metadata.uniqueId;
    V = (await services.submissions.submit(as(author), sub)).assignedIds.Document1!.replace(/^urn:uuid:/, '');
    await services.records.close(patient, patientKey, 'je ferme');
    closed = { ins, patientKey, V, uniqueId };
    const other = await adultRecordAllowing(services, []);
    await services.consent.addGrant(patientCaller(other.patientKey), other.patientKey, { subjectKind: 'structure', subjectId: secretary.structureId!, effect: 'permit' });
    const sub2 = submission(other.ins, [{ authorId: author.idNatPs, authorStructure: author.structureId }]);
    open = { ...other, uniqueId: sub2.documents[0]!.metadata.uniqueId, V: (await services.submissions.submit(as(author), sub2)).assignedIds.Document1!.replace(/^urn:uuid:/, '') };
  }, 120_000);

  /** What each professional door answered, as a short word per door. */
  async function fhirDoors(actor: ProfessionalActor, t: Target = closed): Promise<Record<string, string>> {
    const search = await c.fhir(actor, `DocumentReference?patient=Patient/${t.patientKey}&_total=accurate`);
    const searchWord = search.status === 200 ? `200 total=${(search.json as Bundle).total} entries=${(search.json as Bundle).entry?.length ?? 0}` : 'refused';
    const read = await c.fhir(actor, `DocumentReference/${t.V}`);
    const vread = await c.fhir(actor, `DocumentReference/${t.V}/_history/1`);
    const binary = await c.fhir(actor, `Binary/${t.V}`, { accept: '*/*' });
    const lists = await c.fhir(actor, `List?patient=Patient/${t.patientKey}`);
    const listWord = lists.status === 200 ? `200 entries=${(lists.json as Bundle).entry?.length ?? 0}` : 'refused';
    const audit = await c.fhir(actor, `AuditEvent?patient=Patient/${t.patientKey}`);
    const home = await c.fhir(actor, `Patient/${t.patientKey}/$home`);
    const provide = await c.fhir(actor, '', {
      method: 'POST',
      body: provideBundle({ patient: `Patient/${t.patientKey}`, docs: [{ author: { idNatPs: actor.idNatPs, family: actor.family ?? 'X', given: actor.given ?? 'Y' } }] }),
    });
    const ok = (s: number) => (s >= 200 && s < 300 ? `${s}` : 'refused');
    return {
      search: searchWord === '200 total=0 entries=0' ? 'refused' : searchWord,
      read: ok(read.status),
      vread: ok(vread.status),
      binary: ok(binary.status),
      lists: listWord === '200 entries=0' ? 'refused' : listWord,
      audit: ok(audit.status),
      home: ok(home.status),
      provide: ok(provide.status),
    };
  }

  async function xdsDoors(actor: ProfessionalActor, t: Target = closed): Promise<Record<string, string>> {
    const find = answered(await c.query(actor, t.ins, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(t.ins), $XDSDocumentEntryStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')" }));
    const get = answered(await c.query(actor, t.ins, Q.GetDocuments, { $XDSDocumentEntryEntryUUID: `('urn:uuid:${t.V}')` }));
    const retrieve = await c.retrieve(actor, t.ins, [t.uniqueId]);
    const { body, attachments } = provideAndRegister(submission(t.ins, [{ authorId: actor.idNatPs, authorStructure: actor.structureId }]));
    const deposit = await postSoap(`${baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion: vihfFor(actor), attachments });
    const update = await postSoap(`${baseUrl}/xds/registry`, XDS_ACTIONS['ITI-57'], registryUpdate(t.ins, statusChange(`urn:uuid:${t.V}`)), { assertion: vihfFor(actor) });
    const none = (a: ReturnType<typeof answered>) => (a === 'refused' || a.documents.length === 0 ? 'refused' : `documents=${a.documents.length}`);
    return {
      find: none(find),
      get: none(get),
      retrieve: retrieve.xml.includes('<xdsb:Document>') || retrieve.xml.includes(':Document>') ? 'document' : 'refused',
      deposit: responseStatus(deposit) === 'Failure' ? 'refused' : `${responseStatus(deposit)}`,
      update: responseStatus(update) === 'Failure' ? 'refused' : `${responseStatus(update)}`,
    };
  }

  const everyDoorRefused = (doors: Record<string, string>) => Object.fromEntries(Object.keys(doors).map((k) => [k, 'refused']));

  it('DMP-05 / ACC-06: the authorised médecin traitant reaches nothing of the closed record by FHIR nor by XDS.b', async () => {
    const fhir = await fhirDoors(author);
    expect(fhir).toEqual(everyDoorRefused(fhir));
    const xds = await xdsDoors(author);
    expect(xds).toEqual(everyDoorRefused(xds));
  });

  it('DMP-05 / ACC-05: neither emergency mode (bris de glace, centre 15) opens a closed record, at either door', async () => {
    for (const actor of [bris, regulator]) {
      const fhir = await fhirDoors(actor);
      expect({ mode: actor.mode, ...fhir }).toEqual({ mode: actor.mode, ...everyDoorRefused(fhir) });
      const xds = await xdsDoors(actor);
      expect({ mode: actor.mode, ...xds }).toEqual({ mode: actor.mode, ...everyDoorRefused(xds) });
    }
  });

  it('ACC-04: a secretary of an authorised structure reaches nothing of the open record by FHIR nor by XDS.b, and deposits nothing; the structure’s doctor does', async () => {
    const fhir = await fhirDoors(secretary, open);
    expect(fhir).toEqual(everyDoorRefused(fhir));
    const xds = await xdsDoors(secretary, open);
    expect(xds).toEqual(everyDoorRefused(xds));
    // not vacuous: the author, authorised through the same structure, reads it by both doors
    expect((await c.fhir(author, `DocumentReference/${open.V}`)).status).toBe(200);
    const found = answered(await c.query(author, open.ins, Q.GetDocuments, { $XDSDocumentEntryEntryUUID: `('urn:uuid:${open.V}')` }));
    expect(found === 'refused' ? 0 : found.documents.length).toBe(1);
  });

  it("DMP-05: the closure's reason is the patient's words — the support desk's existence check (TD0.2) and Patient read show the record closed, not why; the insurer's feed neither; the patient and the doctor still read it", async () => {
    const agent = { kind: 'support' as const, agentId: 'agent-lock11' };
    const reasonOf = (p: unknown) => JSON.stringify(p).includes('raisonFermeture') ? (JSON.stringify(p).includes('je ferme') ? 'je ferme' : 'other') : null;
    const closedOf = (p: unknown) => JSON.stringify(p).includes('dateFermeture');
    for (const actor of [agent, { kind: 'patient' as const, patientKey }, author]) {
      const found = await c.fhir(actor, `Patient?identifier=urn:oid:${ins.system}|${ins.value}`);
      const read = await c.fhir(actor, `Patient/${patientKey}`);
      const expected = actor.kind === 'support' ? null : 'je ferme';
      expect([actor.kind, found.status, closedOf(found.json), reasonOf(found.json)]).toEqual([actor.kind, 200, true, expected]);
      // the author is refused the closed record's Patient read (DMP-05); the others read it
      if (actor.kind !== 'professional') expect([actor.kind, read.status, closedOf(read.json), reasonOf(read.json)]).toEqual([actor.kind, 200, true, expected]);
    }
    const insurer = await lock().server.app.services.records.status({ actor: { kind: 'insurer', insurerId: '3180000000001' }, channel: 'test' }, ins);
    expect([insurer.status, insurer.closureReason ?? null]).toEqual(['closed', null]);
  });

  it('DMP-05: reopened, the record is as it was: the document closed in is read again, nothing was added while closed', async () => {
    await lock().server.app.services.records.reactivate(patientCaller(patientKey), patientKey);
    const search = await c.searchAll(author, `DocumentReference?patient=Patient/${patientKey}`);
    expect(search.ids).toEqual([V]);
    const read = await c.fhir(author, `DocumentReference/${V}`);
    expect(read.status).toBe(200);
    expect((read.json as DocumentReference).status).toBe('current');
  });
});
