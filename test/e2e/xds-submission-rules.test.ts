// XDS.b submissions and updates held to the letter on a real port: the submission set's HasMember
// needs its SubmissionSetStatus (ITI-41, ITI-42, ITI-57), an ITI-57 version never changes the
// registered content's attributes, and a document sent again says which entry it already is —
// to a caller who may read that entry only (DOC-04, ACC-08). The same path through ITI-65.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle } from '@medplum/fhirtypes';
import type { Actor, ProfessionalActor } from '../../src/domain/actor.js';
import type { DocumentEntryMetadata, StoredDocumentEntry } from '../../src/domain/model.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { writeDocumentEntry, writeSubmitObjectsRequest } from '../../src/xds/ebrim/write.js';
import { NS } from '../../src/xml/index.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { patientActor } from '../support/fhir-record.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { errorCodes, postSoap, responseStatus, vihfFor, XDS_ACTIONS, type XdsAnswer, provideAndRegister } from '../support/xds-client.js';

const A = XDS_ACTIONS;
const HAS_MEMBER = 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember';
const TRE_A05 = 'https://mos.esante.gouv.fr/NOS/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire';

/** The RegistryError entries of an answer, as attributes. */
function registryErrors(a: XdsAnswer): Array<{ errorCode: string; codeContext: string; location: string; severity: string }> {
  return Array.from(a.doc.getElementsByTagNameNS(NS.rs, 'RegistryError')).map((e) => ({
    errorCode: e.getAttribute('errorCode') ?? '',
    codeContext: e.getAttribute('codeContext') ?? '',
    location: e.getAttribute('location') ?? '',
    severity: (e.getAttribute('severity') ?? '').replace(/^.*:/, ''),
  }));
}

describeEachStore('XDS submission rules: SubmissionSetStatus, ITI-57 content attributes, resubmission', (db) => {
  let server: RunningApp;
  let w: World;
  let reposUrl: string;
  let regUrl: string;
  const doctor = proActor('doctor');
  const doctor2 = proActor('doctor2');
  const podiatrist = proActor('podiatrist');

  async function authorisedRecord() {
    const rec = await adultRecord(w);
    for (const p of [doctor, doctor2, podiatrist]) {
      await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    }
    return rec;
  }

  function submit(sub: SubmissionRequest, actor: ProfessionalActor = doctor) {
    const { body, attachments } = provideAndRegister(sub);
    return postSoap(reposUrl, A['ITI-41'], body, { assertion: vihfFor(actor), attachments });
  }

  /** Every version of every document of the record, as the patient sees them. */
  async function allVersions(patientKey: string): Promise<StoredDocumentEntry[]> {
    return (await w.services.documents.find(patientCaller(patientKey), { patientKey }, { latestOnly: false })).entries;
  }

  /** An ITI-57 body: `md` as the version after `previousVersion`, with the HasMember's slots. */
  function updateBody(ins: SubmissionRequest['submissionSet']['patientId'], md: DocumentEntryMetadata & { entryUuid: string }, slots: Record<string, string>): string {
    const ss = submission(ins, []).submissionSet;
    const slotXml = Object.entries(slots)
      .map(([name, value]) => `<rim:Slot name="${name}"><rim:ValueList><rim:Value>${value}</rim:Value></rim:ValueList></rim:Slot>`)
      .join('');
    const assoc = `<rim:Association id="urn:uuid:${randomUUID()}" associationType="${HAS_MEMBER}" sourceObject="${ss.id}" targetObject="${md.entryUuid}">${slotXml}</rim:Association>`;
    return writeSubmitObjectsRequest({ submissionSet: ss, documents: [], folders: [], associations: [] }).replace('</rim:RegistryObjectList>', `${writeDocumentEntry(md, md.entryUuid)}${assoc}</rim:RegistryObjectList>`);
  }

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    reposUrl = `${server.baseUrl}/xds/repository`;
    regUrl = `${server.baseUrl}/xds/registry`;
  });
  afterAll(async () => {
    await server.close();
  });

  it('ITI TF-3 §4.2.2.1: a HasMember from the SubmissionSet to a DocumentEntry without SubmissionSetStatus is refused in ITI-41 and ITI-42 (XDSRegistryMetadataError), nothing stored', async () => {
    const rec = await authorisedRecord();
    const pnrSub = submission(rec.ins, [{ content: 'no status' }]);
    delete pnrSub.associations[0]!.submissionSetStatus;
    const viaPnr = await submit(pnrSub);
    expect(responseStatus(viaPnr)).toBe('Failure');
    expect(registryErrors(viaPnr)).toEqual([expect.objectContaining({ errorCode: 'XDSRegistryMetadataError', location: 'assoc1', severity: 'Error' })]);
    expect(registryErrors(viaPnr)[0]!.codeContext).toContain('SubmissionSetStatus');

    const regSub = submission(rec.ins, [{ hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', size: 0 }]);
    regSub.documents[0]!.content = null;
    regSub.documents[0]!.metadata.repositoryUniqueId = '1.2.250.1.999.3.1';
    delete regSub.associations[0]!.submissionSetStatus;
    const viaRegister = await postSoap(regUrl, A['ITI-42'], writeSubmitObjectsRequest(regSub), { assertion: vihfFor(doctor) });
    expect(responseStatus(viaRegister)).toBe('Failure');
    expect(errorCodes(viaRegister)).toEqual(['XDSRegistryMetadataError']);
    expect(await allVersions(rec.patientKey)).toEqual([]);
    // the same submissions with the slot are accepted: the slot alone made the difference
    pnrSub.associations[0]!.submissionSetStatus = 'Original';
    expect(responseStatus(await submit(pnrSub))).toBe('Success');
  });

  it('ITI TF-3 §4.2.2.1 and ITI-57: a new version whose HasMember has no SubmissionSetStatus is refused (XDSMetadataUpdateOperationError), no version written', async () => {
    const rec = await authorisedRecord();
    await submit(submission(rec.ins, [{ authorId: doctor.idNatPs }]));
    const [entry] = await allVersions(rec.patientKey);
    const md = { ...entry!, title: 'changed', entryUuid: `urn:uuid:${randomUUID()}` };
    const res = await postSoap(regUrl, A['ITI-57'], updateBody(rec.ins, md, { PreviousVersion: '1' }), { assertion: vihfFor(doctor) });
    expect(responseStatus(res)).toBe('Failure');
    expect(errorCodes(res)).toEqual(['XDSMetadataUpdateOperationError']);
    expect(res.xml).toContain('SubmissionSetStatus');
    const versions = await allVersions(rec.patientKey);
    expect(versions.map((v) => [v.version, v.title])).toEqual([[1, entry!.title]]);
  });

  it('ITI-57: a new version changing hash, size, repositoryUniqueId or mimeType is refused whole (XDSMetadataUpdateError), and ITI-43 serves the registered type', async () => {
    const rec = await authorisedRecord();
    const sub = submission(rec.ins, [{ authorId: doctor.idNatPs, content: '<p>compte rendu</p>' }]);
    sub.documents[0]!.metadata.mimeType = 'text/xml';
    expect(responseStatus(await submit(sub))).toBe('Success');
    const [entry] = await allVersions(rec.patientKey);
    const changes: Array<[string, Partial<DocumentEntryMetadata>]> = [
      ['hash', { hash: 'e543712c0e10501972de13a5bfcbe826c49feb96' }],
      ['size', { size: (entry!.size ?? 0) + 1 }],
      ['repositoryUniqueId', { repositoryUniqueId: '1.2.250.1.999.3.1' }],
      ['mimeType', { mimeType: 'text/plain' }],
    ];
    for (const [name, change] of changes) {
      // with a title change beside it: neither may be applied
      const md = { ...entry!, ...change, title: `changed ${name}`, entryUuid: `urn:uuid:${randomUUID()}` };
      const res = await postSoap(regUrl, A['ITI-57'], updateBody(rec.ins, md, { SubmissionSetStatus: 'Original', PreviousVersion: '1' }), { assertion: vihfFor(doctor) });
      expect({ name, status: responseStatus(res), codes: errorCodes(res) }).toEqual({ name, status: 'Failure', codes: ['XDSMetadataUpdateError'] });
      expect(res.xml).toContain(`cannot change ${name}`);
    }
    const versions = await allVersions(rec.patientKey);
    expect(versions.map((v) => [v.version, v.title, v.mimeType, v.hash, v.size])).toEqual([[1, entry!.title, 'text/xml', entry!.hash, entry!.size]]);
    const retrieve =
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}"><xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${server.app.config.repositoryUniqueId}</xdsb:RepositoryUniqueId>` +
      `<xdsb:DocumentUniqueId>${entry!.uniqueId}</xdsb:DocumentUniqueId></xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`;
    const got = await postSoap(reposUrl, A['ITI-43'], retrieve, { assertion: vihfFor(doctor) });
    expect(got.xml).toContain('<xdsb:mimeType>text/xml</xdsb:mimeType>');
    // the same request with only the title changed goes through
    const md = { ...entry!, title: 'only the title', entryUuid: `urn:uuid:${randomUUID()}` };
    const ok = await postSoap(regUrl, A['ITI-57'], updateBody(rec.ins, md, { SubmissionSetStatus: 'Original', PreviousVersion: '1' }), { assertion: vihfFor(doctor) });
    expect(responseStatus(ok)).toBe('Success');
  });

  it('DOC-04: the same uniqueId with the same content again answers Success with a Warning naming the registered entry, and registers no second entry', async () => {
    const rec = await authorisedRecord();
    const first = submission(rec.ins, [{ authorId: doctor.idNatPs, content: 'une seule fois' }]);
    expect(responseStatus(await submit(first))).toBe('Success');
    const [entry] = await allVersions(rec.patientKey);
    const again = submission(rec.ins, [{ authorId: doctor.idNatPs, content: 'une seule fois', uniqueId: entry!.uniqueId }]);
    const res = await submit(again);
    expect(responseStatus(res)).toBe('Success');
    const [warning, ...more] = registryErrors(res);
    expect(more).toEqual([]);
    expect(warning).toEqual(expect.objectContaining({ errorCode: 'XDSDuplicateUniqueIdInRegistry', severity: 'Warning', location: 'Document1' }));
    expect(warning!.codeContext).toContain(entry!.entryUuid);
    expect(warning!.codeContext).toContain(entry!.uniqueId);
    expect((await allVersions(rec.patientKey)).map((v) => v.entryUuid)).toEqual([entry!.entryUuid]);
  });

  it('ACC-08 and DOC-04: a document sent again over a registered one the sender may not see answers as a uniqueId taken outside their view — no entry id, no content comparison — through XDS', async () => {
    const rec = await authorisedRecord();
    const other = await authorisedRecord();
    // three registered documents the senders below may not see: masked by the patient (MASK-01),
    // outside a podiatrist's matrix (ACC-02), and one in another patient's record
    const masked = submission(rec.ins, [{ authorId: doctor.idNatPs, content: 'masqué' }]);
    const report = submission(rec.ins, [{ authorId: doctor.idNatPs, typeCode: '34112-3', classCode: '10', content: 'compte rendu' }]);
    const elsewhere = submission(other.ins, [{ authorId: doctor.idNatPs, content: 'ailleurs' }]);
    for (const s of [masked, report, elsewhere]) expect(responseStatus(await submit(s))).toBe('Success');
    const maskedEntry = (await allVersions(rec.patientKey)).find((e) => e.uniqueId === masked.documents[0]!.metadata.uniqueId)!;
    await w.services.metadata.setVisibility(patientCaller(rec.patientKey), { entryUuid: maskedEntry.entryUuid }, 'MASQUE_PS', true);
    const before = (await allVersions(rec.patientKey)).map((e) => e.entryUuid).sort();

    const resend = async (actor: ProfessionalActor, original: SubmissionRequest, content: string) => {
      const d = original.documents[0]!.metadata;
      const sub = submission(rec.ins, [{ typeCode: d.typeCode?.code, classCode: d.classCode?.code, content, uniqueId: d.uniqueId }]);
      const res = await submit(sub, actor);
      return { status: responseStatus(res), errors: registryErrors(res), xml: res.xml };
    };
    const cases: Array<[string, ProfessionalActor, SubmissionRequest]> = [
      ['masked, same content', doctor2, masked],
      ['masked, other content', doctor2, masked],
      ['outside the matrix, same content', podiatrist, report],
      ['outside the matrix, other content', podiatrist, report],
    ];
    // the answer for a uniqueId registered in another patient's record, which nobody here may see
    const reference = await resend(doctor2, elsewhere, 'ailleurs');
    expect(reference.status).toBe('Failure');
    const shape = (r: typeof reference, uniqueId: string) => r.errors.map((e) => ({ ...e, codeContext: e.codeContext.replace(uniqueId, 'U') }));
    for (const [name, actor, original] of cases) {
      const content = name.endsWith('same content') ? new TextDecoder().decode(original.documents[0]!.content!) : `autre ${randomUUID()}`;
      const got = await resend(actor, original, content);
      const uniqueId = original.documents[0]!.metadata.uniqueId;
      expect({ name, got: shape(got, uniqueId) }).toEqual({ name, got: shape(reference, elsewhere.documents[0]!.metadata.uniqueId) });
      expect(got.xml).not.toContain('XDSNonIdenticalHash');
      for (const e of await allVersions(rec.patientKey)) expect(got.xml).not.toContain(e.entryUuid);
    }
    expect((await allVersions(rec.patientKey)).map((e) => e.entryUuid).sort()).toEqual(before);
    // the author still sees the masked document (MASK-01): to the author, the clash is named
    const byAuthor = await resend(doctor, masked, 'autre contenu');
    expect(byAuthor.errors.map((e) => e.errorCode)).toEqual(['XDSNonIdenticalHash']);
  });

  it('ACC-08 and DOC-04 through ITI-65: a visible document sent again is a 200 entry with a warning naming it; a masked one, or one invisible to the patient, answers as a uniqueId of another record', async () => {
    const rec = await authorisedRecord();
    const other = await authorisedRecord();
    const fhir = `${server.baseUrl}/fhir`;
    const post = async (actor: Actor, bundle: Bundle) => {
      const res = await fetch(fhir, { method: 'POST', headers: { authorization: `Bearer ${await server.tokenFor(actor)}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
      return { status: res.status, body: (await res.json()) as Bundle };
    };
    const author = { idNatPs: doctor.idNatPs, family: 'Martin', given: 'Alice' };
    const uniqueId = `1.2.250.1.999.12.${Date.now()}`;
    const first = await post(doctor, provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ uniqueId, content: 'même contenu', author }] }));
    expect(first.status).toBe(200);
    const id = first.body.entry!.find((e) => e.response?.location?.startsWith('DocumentReference/'))!.response!.location!.split('/')[1]!;

    const again = await post(doctor2, provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ uniqueId, content: 'même contenu', author }] }));
    expect(again.status).toBe(200);
    const docEntry = again.body.entry!.find((e) => e.response?.location?.startsWith('DocumentReference/'))!.response!;
    expect(docEntry.status).toBe('200 OK');
    expect(docEntry.location).toBe(`DocumentReference/${id}`);
    expect(JSON.stringify(docEntry.outcome)).toContain(uniqueId);

    // the patient masks it: doctor2 (neither author nor médecin traitant) may no longer see it
    await w.services.metadata.setVisibility(patientCaller(rec.patientKey), { entryUuid: `urn:uuid:${id}` }, 'MASQUE_PS', true);
    const hidden = await post(doctor2, provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ uniqueId, content: 'même contenu', author }] }));
    const otherUid = `1.2.250.1.999.13.${Date.now()}`;
    expect((await post(doctor, provideBundle({ patient: `Patient/${other.patientKey}`, docs: [{ uniqueId: otherUid, content: 'ailleurs', author }] }))).status).toBe(200);
    const elsewhere = await post(doctor2, provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ uniqueId: otherUid, content: 'ailleurs', author }] }));
    const shape = (r: typeof hidden, u: string) => ({ status: r.status, body: JSON.stringify(r.body).split(u).join('U') });
    expect(shape(hidden, uniqueId)).toEqual(shape(elsewhere, otherUid));
    expect(JSON.stringify(hidden.body)).not.toContain(id);
    const seen = await w.services.documents.find(as(doctor), { patientKey: rec.patientKey }, { latestOnly: false });
    expect(seen.entries.filter((e) => e.uniqueId === uniqueId)).toHaveLength(2); // the version 1 and the masked version 2, nothing more

    // MASK-02: a document invisible to the patient, whose uniqueId and bytes the patient holds
    // (a copy handed over): the patient's own deposit of it answers as another record's uniqueId
    const invisibleUid = `1.2.250.1.999.14.${Date.now()}`;
    expect((await post(doctor, provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ uniqueId: invisibleUid, content: 'à expliquer', author, confidentiality: ['N', 'INVISIBLE_PATIENT'] }] }))).status).toBe(200);
    const patient = patientActor(rec.patientKey);
    const own = (u: string, content: string) => {
      const bundle = provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ typeCode: 'EXPPAT_2', classCode: '90', uniqueId: u, content }] });
      // "Expression libre" (DOC-08): a patient type outside LOINC (TRE_A05)
      for (const e of bundle.entry ?? []) if (e.resource?.resourceType === 'DocumentReference') e.resource.type = { coding: [{ system: TRE_A05, code: 'EXPPAT_2' }] };
      return bundle;
    };
    const byPatient = await post(patient, own(invisibleUid, 'à expliquer'));
    const patientElsewhere = await post(patient, own(otherUid, 'ailleurs'));
    expect(shape(byPatient, invisibleUid)).toEqual(shape(patientElsewhere, otherUid));
    expect({ status: byPatient.status, body: byPatient.status === 409 ? 'refused' : byPatient.body }).toEqual({ status: 409, body: 'refused' });
  }, 240_000);
});

describeEachStore('ACC-08, ACC-09: an association to a hidden document, every type, ITI-41 and ITI-65', (db) => {
  let server: RunningApp;
  let w: World;
  const doctor = proActor('doctor');
  const colleague = proActor('doctor2');

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
  });
  afterAll(async () => {
    await server.close();
  });

  /** The answer with the target written `<id>` and every other id `<uuid>`: what is left must not depend on the target. */
  const sameWords = (text: string, target: string) =>
    text
      .split(target)
      .join('<id>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
      .replace(/1\.2\.250\.1\.999\.\d+(\.\d+)*/g, '<oid>');

  it('ACC-08, ACC-09: a masked document, and an earlier version of one, linked by any association type (RPLC, APND, XFRM, XFRM_RPLC, signs, HasMember from the submission set or a folder) or by any relatesTo of ITI-65, answer word for word as an id the registry never held', async () => {
    const rec = await adultRecord(w);
    for (const p of [doctor, colleague]) {
      await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    }
    const first = (await w.services.submissions.submit(as(doctor), submission(rec.ins, [{ authorId: doctor.idNatPs }]))).assignedIds.Document1!;
    // MASK-01: masked by the patient, the document is the author's and the médecin traitant's only (a new version, MASK-05)
    await w.services.metadata.setVisibility(patientCaller(rec.patientKey), { entryUuid: first }, 'MASQUE_PS', true);
    const latest = (await db().query<{ e: string }>('SELECT entry_uuid::text AS e FROM document_entry WHERE patient_key = $1 AND is_latest', [rec.patientKey])).rows[0]!.e;
    const hiddenTargets = { 'the masked version': latest, 'its earlier version': first.replace(/^urn:uuid:/, '') };

    const xds = async (type: string, target: string) => {
      const sub = submission(rec.ins, [{ authorId: colleague.idNatPs }]);
      if (type === 'HasMember folder') {
        sub.folders = [{ id: 'Folder01', metadata: { uniqueId: `1.2.250.1.999.31.${Date.now()}`, patientId: rec.ins, codeList: [{ code: 'F', system: '1.2.250.1.999.7' }] } }];
        sub.associations.push({ id: 'ssf', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' });
        sub.associations.push({ id: 'rel', type: 'HasMember', sourceId: 'Folder01', targetId: target });
      } else if (type === 'HasMember') sub.associations.push({ id: 'rel', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: target, submissionSetStatus: 'Reference' });
      else sub.associations.push({ id: 'rel', type: type as 'RPLC', sourceId: 'Document1', targetId: target });
      const { body, attachments } = provideAndRegister(sub);
      const answer = await postSoap(`${server.baseUrl}/xds/repository`, A['ITI-41'], body, { assertion: vihfFor(colleague), attachments });
      expect(responseStatus(answer)).toBe('Failure');
      const doc = answer.xml.slice(answer.xml.indexOf('<rs:RegistryResponse'));
      return sameWords(doc, target.toLowerCase());
    };
    for (const type of ['RPLC', 'APND', 'XFRM', 'XFRM_RPLC', 'signs', 'HasMember', 'HasMember folder']) {
      const unknownTarget = `urn:uuid:${randomUUID()}`;
      const unknown = await xds(type, unknownTarget);
      for (const [name, hidden] of Object.entries(hiddenTargets)) {
        expect({ type, name, answer: await xds(type, `urn:uuid:${hidden}`) }).toEqual({ type, name, answer: unknown });
      }
    }

    const fhir = async (code: string, target: string) => {
      const bundle = provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ replaces: target, author: { idNatPs: colleague.idNatPs, family: 'Roux', given: 'Paul' } }] });
      for (const e of bundle.entry ?? []) if (e.resource?.resourceType === 'DocumentReference') e.resource.relatesTo![0]!.code = code as 'replaces';
      const res = await fetch(`${server.baseUrl}/fhir`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await server.tokenFor(colleague)}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(bundle),
      });
      return { status: res.status, body: sameWords(await res.text(), target) };
    };
    for (const code of ['replaces', 'appends', 'transforms', 'signs']) {
      const unknown = await fhir(code, randomUUID());
      expect(unknown.status).toBeGreaterThanOrEqual(400);
      for (const [name, hidden] of Object.entries(hiddenTargets)) {
        expect({ code, name, answer: await fhir(code, hidden) }).toEqual({ code, name, answer: unknown });
      }
    }
    // nothing kept: the masked document is the record's only one, untouched
    const rows = await db().query<{ status: string }>('SELECT status FROM document_entry WHERE patient_key = $1 AND is_latest', [rec.patientKey]);
    expect(rows.rows).toEqual([{ status: 'Approved' }]);
  }, 120_000);

  it("ACC-08, DOC-02: a professional the patient has not authorised, who may still deposit, linking another author's document by any association type, answers word for word as an id the registry never held; their own document they may still append to", async () => {
    const rec = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    const others = (await w.services.submissions.submit(as(doctor), submission(rec.ins, [{ authorId: doctor.idNatPs }]))).assignedIds.Document1!;
    // DOC-02: the colleague, not authorised on this record, deposits all the same
    const own = (await w.services.submissions.submit(as(colleague), submission(rec.ins, [{ authorId: colleague.idNatPs }]))).assignedIds.Document1!;
    const deposit = async (type: string, target: string) => {
      const sub = submission(rec.ins, [{ authorId: colleague.idNatPs }]);
      sub.associations.push({ id: 'rel', type: type as 'RPLC', sourceId: 'Document1', targetId: target });
      const { body, attachments } = provideAndRegister(sub);
      const answer = await postSoap(`${server.baseUrl}/xds/repository`, A['ITI-41'], body, { assertion: vihfFor(colleague), attachments });
      return { status: responseStatus(answer), words: sameWords(answer.xml.slice(answer.xml.indexOf('<rs:RegistryResponse')), target.toLowerCase()) };
    };
    for (const type of ['RPLC', 'APND', 'XFRM', 'signs']) {
      const unknown = await deposit(type, `urn:uuid:${randomUUID()}`);
      expect(unknown.status).toBe('Failure');
      expect({ type, answer: await deposit(type, others) }).toEqual({ type, answer: unknown });
    }
    expect((await deposit('APND', own)).status).toBe('Success');
    // the other author's document untouched: still the record's current version, nothing appended to it
    const rows = await db().query<{ n: number }>("SELECT count(*)::int AS n FROM association WHERE patient_key = $1 AND target_uuid = $2 AND type <> 'HasMember'", [rec.patientKey, others.replace(/^urn:uuid:/, '')]);
    expect(rows.rows[0]!.n).toBe(0);
  }, 120_000);
});
