// ACC-08 / MASK-01 / MASK-02 and the accent-folded string search: a search by an author's name
// must not tell a reader that a document hidden from them exists — not by its entries, its total,
// a count alone, nor by which submission sets match. Walked on a real port by FHIR (ITI-67
// author.family, ITI-66 source.family) and XDS.b (ITI-18 FindDocuments authorPerson,
// FindSubmissionSets authorPerson), as the pharmacist the patient masked a document from and as
// the patient a document was made invisible to; a visible document by a name of the same start
// shows that each search does find what the reader may see.
import { beforeAll, expect, it } from '@jest/globals';
import type { Bundle } from '@medplum/fhirtypes';
import type { Author, PatientIdentifier } from '../../src/domain/model.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { answered, describeEachLockServer, type LockClients } from '../support/lock-clients.js';
import { adultRecordAllowing } from '../support/lock-records.js';
import { as, patientCaller, proActor, submission } from '../support/world.js';
import { cx } from '../support/xds-client.js';
import { bare } from '../support/lock-xds.js';
import { readZip } from '../support/zip.js';

const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";

/** An author by name, as XDS and FHIR both carry it (the XCN and its parts). */
function author(idNatPs: string, family: string, given: string): Author {
  return {
    person: { id: idNatPs, idSystem: '1.2.250.1.71.4.2.1', family, given, raw: `${idNatPs}^${family}^${given}^^^^^^&1.2.250.1.71.4.2.1&ISO` },
    institutions: [],
    roles: [],
    specialties: [],
    telecoms: [],
  };
}

describeEachLockServer('ACC-08: a search by author name tells nothing of a hidden document', (lock) => {
  let c: LockClients;
  const doctor = proActor('doctor');
  const pharmacist = proActor('pharmacist');
  let ins: PatientIdentifier;
  let patientKey: string;
  /** the visible control, by "Lefort", and the hidden ones by "Lefèvre" (masked) and "Garçon" (invisible to the patient) */
  let visible: string;
  let masked: string;
  let invisible: string;
  /** its logical id (the deposit's entryUUID) */
  let invisibleLogical: string;

  beforeAll(async () => {
    const services = lock().server.app.services;
    c = lock().c;
    ({ ins, patientKey } = await adultRecordAllowing(services, [doctor, pharmacist]));
    const deposit = async (family: string, given: string) => {
      const sub = submission(ins, [{}]);
      sub.documents[0]!.metadata.authors = [author(doctor.idNatPs, family, given)];
      sub.submissionSet.authors = [author(doctor.idNatPs, family, given)];
      return (await services.submissions.submit(as(doctor), sub)).assignedIds.Document1!.replace(/^urn:uuid:/, '');
    };
    visible = await deposit('Lefort', 'Alice');
    masked = (await services.metadata.setVisibility(patientCaller(patientKey), { entryUuid: await deposit('Lefèvre', 'Élise') }, 'MASQUE_PS', true)).entryUuid.replace(/^urn:uuid:/, '');
    invisibleLogical = await deposit('Garçon', 'Noé');
    invisible = (await services.metadata.setVisibility(as(doctor), { entryUuid: invisibleLogical }, 'INVISIBLE_PATIENT', true)).entryUuid.replace(/^urn:uuid:/, '');
  }, 120_000);

  const fhirTotals = async (actor: Parameters<LockClients['fhir']>[0], resource: string, param: string, value: string) => {
    const base = `${resource}?patient=Patient/${patientKey}&${param}=${encodeURIComponent(value)}`;
    const page = await c.fhir(actor, base);
    const count = await c.fhir(actor, `${base}&_summary=count`);
    const bundle = page.json as Bundle;
    return { total: bundle.total, ids: (bundle.entry ?? []).map((e) => e.resource?.id), count: (count.json as Bundle).total };
  };

  it('ACC-08 / MASK-01: the pharmacist searching the masked document’s author by name (folded, exact, by start) finds nothing, by FHIR and ITI-18; the visible one is found', async () => {
    for (const name of ['Lefèvre', 'lefevre', 'LEFE']) {
      expect([name, await fhirTotals(pharmacist, 'DocumentReference', 'author.family', name)]).toEqual([name, { total: 0, ids: [], count: 0 }]);
    }
    expect(await fhirTotals(pharmacist, 'DocumentReference', 'author.family:exact', 'Lefèvre')).toEqual({ total: 0, ids: [], count: 0 });
    expect(await fhirTotals(pharmacist, 'DocumentReference', 'author.given', 'elise')).toEqual({ total: 0, ids: [], count: 0 });
    expect(await fhirTotals(pharmacist, 'DocumentReference', 'author.family', 'lef')).toEqual({ total: 1, ids: [visible], count: 1 });
    const found = async (pattern: string) => {
      const a = answered(await c.query(pharmacist, ins, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: APPROVED, $XDSDocumentEntryAuthorPerson: `('${pattern}')` }));
      return a === 'refused' ? 'refused' : a.documents.map((d) => d.replace(/^urn:uuid:/, ''));
    };
    expect(await found('%Lefèvre%')).toEqual([]);
    expect(await found('%Lef%')).toEqual([visible]);
    // the doctor, its author, finds it: the names are there to be found
    expect((await fhirTotals(doctor, 'DocumentReference', 'author.family', 'lefevre')).ids).toEqual([masked]);
  });

  it('ACC-08 / MASK-01: the pharmacist’s ITI-66 and ITI-18 searches of submission sets by the masked document’s author find no set', async () => {
    expect(await fhirTotals(pharmacist, 'List', 'source.family', 'lefevre')).toEqual({ total: 0, ids: [], count: 0 });
    expect((await fhirTotals(pharmacist, 'List', 'source.family', 'lef')).total).toBe(1);
    const sets = async (pattern: string) => {
      const a = answered(await c.query(pharmacist, ins, Q.FindSubmissionSets, { $XDSSubmissionSetPatientId: cx(ins), $XDSSubmissionSetStatus: APPROVED, $XDSSubmissionSetAuthorPerson: `'${pattern}'` }));
      return a === 'refused' ? 'refused' : a.submissionSets.length;
    };
    expect(await sets('%Lefèvre%')).toBe(0);
    expect(await sets('%Lefort%')).toBe(1);
  });

  it('ACC-08 / MASK-02: the patient searching by the name of the author of a document made invisible to them finds neither it nor its submission set', async () => {
    const patient = { kind: 'patient' as const, patientKey };
    expect(await fhirTotals(patient, 'DocumentReference', 'author.family', 'garcon')).toEqual({ total: 0, ids: [], count: 0 });
    expect(await fhirTotals(patient, 'DocumentReference', 'author.given', 'NOE')).toEqual({ total: 0, ids: [], count: 0 });
    expect(await fhirTotals(patient, 'List', 'source.family', 'Garçon')).toEqual({ total: 0, ids: [], count: 0 });
    // the masked one is the patient's to see, and is found
    expect((await fhirTotals(patient, 'DocumentReference', 'author.family', 'lefevre')).ids).toEqual([masked]);
    expect((await fhirTotals(doctor, 'DocumentReference', 'author.family', 'garcon')).ids).toEqual([invisible]);
  });

  it('TRACE-05 / MASK-02: the doctor reading the submission set that holds only the invisible document is a row of the patient’s history (AuditEvent, archive) that names neither the set nor the document', async () => {
    const found = await c.fhir(doctor, `List?patient=Patient/${patientKey}&source.family=garcon`);
    const setId = (found.json as Bundle).entry![0]!.resource!.id!;
    expect((await c.fhir(doctor, `List/${setId}`)).status).toBe(200);
    const patient = { kind: 'patient' as const, patientKey };
    const audit = await c.fhir(patient, `AuditEvent?patient=Patient/${patientKey}&_count=100`);
    expect(audit.status).toBe(200);
    const archive = await c.fhir(patient, `Patient/${patientKey}/$download?parts=history`, { accept: '*/*' });
    expect(archive.status).toBe(200);
    const history = readZip(archive.body).find((e) => e.name === 'history.json')!.data.toString();
    for (const text of [audit.body.toString(), history]) {
      for (const id of [setId, invisible, invisibleLogical]) expect(text.includes(bare(id))).toBe(false);
    }
    // the read itself is there, as a read of the record's lists by the doctor
    const entries = ((audit.json as Bundle).entry ?? []).map((e) => JSON.stringify(e.resource));
    expect(entries.some((e) => e.includes('record.read') && e.includes(doctor.idNatPs))).toBe(true);
  });
});
