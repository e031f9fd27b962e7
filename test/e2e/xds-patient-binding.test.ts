// ACC-10 through the XDS door, on a real port with real SOAP: a VIHF whose resource-id names
// patient A opens nothing of patient B, by any transaction, and the answer is the one an unknown
// patient or an unknown id gets, so it tells nothing of B's record.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { buildVihfAssertion, signAssertion, subjectDn } from '../../src/auth/vihf-issuer.js';
import { writeDocumentEntry, writeSubmitObjectsRequest } from '../../src/xds/ebrim/write.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { NS } from '../../src/xml/index.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, newIns, patientCaller, proActor, submission, uid, type World } from '../support/world.js';
import { testSigner } from '../support/vihf-keys.js';
import { adhocQuery, cx, errorCodes, isFault, postSoap, queryObjects, responseStatus, vihfFor, XDS_ACTIONS, type XdsAnswer, provideAndRegister } from '../support/xds-client.js';

const A = XDS_ACTIONS;
const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";
const NO_RECORD_CHAIN = '00000000-0000-0000-0000-000000000000';

/** What a refusal says: status, error codes and their texts (ids of the exchange left out). */
function refusalOf(a: XdsAnswer) {
  return { status: responseStatus(a), codes: errorCodes(a), texts: [...a.xml.matchAll(/codeContext="([^"]*)"/g)].map((m) => m[1]) };
}

describeEachStore('ACC-10: the XDS door holds a VIHF to the patient its resource-id names', (db) => {
  let server: RunningApp;
  let w: World;
  let registry: string;
  let repository: string;
  let repo: string;
  const doctor = proActor('doctor');
  /** patients A and B, both authorising the doctor, and C, who has no DMP */
  let a: { patientKey: string; ins: PatientIdentifier };
  let b: { patientKey: string; ins: PatientIdentifier };
  const c = newIns();
  const ids: Record<string, string> = {};

  const boundTo = (p: PatientIdentifier, actor: ProfessionalActor = doctor) => vihfFor(actor, { patientId: p });
  const query = (assertion: string, id: string, slots: Record<string, string>, requestId?: string) =>
    postSoap(registry, A['ITI-18'], adhocQuery(id, slots), { assertion, requestId });

  async function traceOf(requestId: string) {
    const r = await db().query<{ chain_key: string; outcome: string; reason: string | null }>(
      'SELECT chain_key::text, outcome, reason FROM access_trace WHERE request_id = $1 ORDER BY occurred_at',
      [requestId],
    );
    return r.rows;
  }

  async function countDocuments(patientKey: string): Promise<number> {
    return (await w.services.documents.find(patientCaller(patientKey), { patientKey }, { latestOnly: false })).entries.length;
  }

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    registry = `${server.baseUrl}/xds/registry`;
    repository = `${server.baseUrl}/xds/repository`;
    repo = server.app.config.repositoryUniqueId;
    a = await adultRecord(w);
    b = await adultRecord(w);
    for (const p of [a, b]) {
      await w.services.consent.addGrant(patientCaller(p.patientKey), p.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    }
    for (const [name, p] of [['a', a], ['b', b]] as const) {
      const sub = submission(p.ins, [{ authorId: doctor.idNatPs, content: `document of ${name}` }]);
      sub.folders = [{ id: 'Folder01', metadata: { uniqueId: uid(), patientId: p.ins, codeList: [{ code: 'F1', system: '1.2.3.4' }] } }];
      sub.associations.push(
        { id: 'assocF', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' },
        { id: 'assocFD', type: 'HasMember', sourceId: 'Folder01', targetId: 'Document1' },
      );
      const assigned = (await w.services.submissions.submit(as(doctor), sub)).assignedIds;
      ids[`${name}Doc`] = assigned.Document1!;
      ids[`${name}Uid`] = sub.documents[0]!.metadata.uniqueId;
      ids[`${name}Folder`] = assigned.Folder01!;
      ids[`${name}Set`] = assigned.SubmissionSet01!;
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it('ACC-10: ITI-18 by patient id (documents, submission sets, folders, GetAll) on another patient is a RegistryError, the same as for a patient without a DMP, traced on that record', async () => {
    const assertion = boundTo(a.ins);
    // the assertion's own patient: answered as usual
    const own = await query(assertion, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(a.ins), $XDSDocumentEntryStatus: APPROVED });
    expect(queryObjects(own).documents).toEqual([ids.aDoc]);

    const shapes: Array<[string, (p: PatientIdentifier) => Record<string, string>]> = [
      [Q.FindDocuments, (p) => ({ $XDSDocumentEntryPatientId: cx(p), $XDSDocumentEntryStatus: APPROVED })],
      [Q.FindSubmissionSets, (p) => ({ $XDSSubmissionSetPatientId: cx(p), $XDSSubmissionSetStatus: APPROVED })],
      [Q.FindFolders, (p) => ({ $XDSFolderPatientId: cx(p), $XDSFolderStatus: APPROVED })],
      [Q.GetAll, (p) => ({ $patientId: cx(p), $XDSDocumentEntryStatus: APPROVED, $XDSSubmissionSetStatus: APPROVED, $XDSFolderStatus: APPROVED })],
    ];
    for (const [id, slots] of shapes) {
      const onB = `acc10-b-${randomUUID()}`;
      const onC = `acc10-c-${randomUUID()}`;
      const toB = await query(assertion, id, slots(b.ins), onB);
      const toC = await query(assertion, id, slots(c), onC);
      expect(refusalOf(toB)).toEqual({ status: 'Failure', codes: ['XDSRegistryError'], texts: [expect.stringContaining('another patient')] });
      expect(refusalOf(toC)).toEqual(refusalOf(toB));
      expect(queryObjects(toB)).toEqual(queryObjects(toC));
      expect(await traceOf(onB)).toEqual([{ chain_key: b.patientKey, outcome: 'denied', reason: 'other_patient' }]);
      expect(await traceOf(onC)).toEqual([{ chain_key: NO_RECORD_CHAIN, outcome: 'denied', reason: 'other_patient' }]);
    }
  });

  it('ACC-10: ITI-18 by uuid or uniqueId finds nothing of another patient, exactly as for unknown ids, and the attempt is traced on that record', async () => {
    const assertion = boundTo(a.ins);
    const unknownUuid = `urn:uuid:${randomUUID()}`;
    const cases: Array<[string, (x: { doc: string; uid: string; folder: string; set: string }) => Record<string, string>]> = [
      [Q.GetDocuments, (x) => ({ $XDSDocumentEntryEntryUUID: `('${x.doc}')` })],
      [Q.GetDocuments, (x) => ({ $XDSDocumentEntryUniqueId: `('${x.uid}')` })],
      [Q.GetDocumentsAndAssociations, (x) => ({ $XDSDocumentEntryEntryUUID: `('${x.doc}')` })],
      [Q.GetAssociations, (x) => ({ $uuid: `('${x.doc}')` })],
      [Q.GetSubmissionSets, (x) => ({ $uuid: `('${x.doc}')` })],
      [Q.GetFolders, (x) => ({ $XDSFolderEntryUUID: `('${x.folder}')` })],
      [Q.GetFolderAndContents, (x) => ({ $XDSFolderEntryUUID: `'${x.folder}'` })],
      [Q.GetSubmissionSetAndContents, (x) => ({ $XDSSubmissionSetEntryUUID: `'${x.set}'` })],
      [Q.GetFoldersForDocument, (x) => ({ $XDSDocumentEntryEntryUUID: `'${x.doc}'` })],
      [Q.GetRelatedDocuments, (x) => ({ $XDSDocumentEntryEntryUUID: `'${x.doc}'`, $AssociationTypes: "('urn:ihe:iti:2007:AssociationType:RPLC')" })],
    ];
    for (const [id, slots] of cases) {
      const requestId = `acc10-byid-${randomUUID()}`;
      const ofB = await query(assertion, id, slots({ doc: ids.bDoc!, uid: ids.bUid!, folder: ids.bFolder!, set: ids.bSet! }), requestId);
      const unknown = await query(assertion, id, slots({ doc: unknownUuid, uid: '1.2.3.404', folder: unknownUuid, set: unknownUuid }));
      expect({ id, status: responseStatus(ofB), objects: queryObjects(ofB) }).toEqual({ id, status: responseStatus(unknown), objects: queryObjects(unknown) });
      expect(responseStatus(ofB)).toBe('Success');
      expect(await traceOf(requestId)).toEqual([{ chain_key: b.patientKey, outcome: 'denied', reason: 'other_patient' }]);
      // the same query of A's objects answers them
      const ofA = await query(assertion, id, slots({ doc: ids.aDoc!, uid: ids.aUid!, folder: ids.aFolder!, set: ids.aSet! }));
      const found = queryObjects(ofA);
      expect({ id, found: found.documents.length + found.folders.length + found.submissionSets.length + found.associations.length > 0 || id === Q.GetRelatedDocuments }).toEqual({ id, found: true });
    }
    // A's and B's documents asked together (LeafClass): A's only, and not "more than one patient"
    const mixed = await query(assertion, Q.GetDocuments, { $XDSDocumentEntryEntryUUID: `('${ids.aDoc}','${ids.bDoc}')` });
    expect(responseStatus(mixed)).toBe('Success');
    expect(queryObjects(mixed).documents).toEqual([ids.aDoc]);
  });

  it('ACC-10: ITI-43 retrieves no document of another patient: XDSDocumentUniqueIdError, as for an unknown uniqueId', async () => {
    const assertion = boundTo(a.ins);
    const body = (uids: string[]) =>
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}">` +
      uids.map((u) => `<xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${repo}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${u}</xdsb:DocumentUniqueId></xdsb:DocumentRequest>`).join('') +
      `</xdsb:RetrieveDocumentSetRequest>`;
    const requestId = `acc10-43-${randomUUID()}`;
    const ofB = await postSoap(repository, A['ITI-43'], body([ids.bUid!]), { assertion, requestId, mtom: true });
    const unknown = await postSoap(repository, A['ITI-43'], body(['1.2.3.404']), { assertion });
    expect(refusalOf(ofB).codes).toEqual(['XDSDocumentUniqueIdError']);
    expect(refusalOf(ofB).texts.map((t) => t.replace(ids.bUid!, 'UID'))).toEqual(refusalOf(unknown).texts.map((t) => t.replace('1.2.3.404', 'UID')));
    expect(ofB.attachments.size).toBe(0);
    expect(await traceOf(requestId)).toEqual([{ chain_key: b.patientKey, outcome: 'denied', reason: 'other_patient' }]);
    const ofA = await postSoap(repository, A['ITI-43'], body([ids.aUid!]), { assertion, mtom: true });
    expect([...ofA.attachments.values()].map((x) => x.toString())).toEqual(['document of a']);
  });

  it('ACC-10: ITI-41 and ITI-42 for another patient are refused with a RegistryError, store nothing, and say nothing of that patient\'s DMP', async () => {
    const assertion = boundTo(a.ins);
    const before = await countDocuments(b.patientKey);
    const toB = provideAndRegister(submission(b.ins, [{ authorId: doctor.idNatPs }]));
    const toC = provideAndRegister(submission(c, [{ authorId: doctor.idNatPs }]));
    const requestId = `acc10-41-${randomUUID()}`;
    const p41b = await postSoap(repository, A['ITI-41'], toB.body, { assertion, attachments: toB.attachments, requestId });
    const p41c = await postSoap(repository, A['ITI-41'], toC.body, { assertion, attachments: toC.attachments });
    expect(refusalOf(p41b)).toEqual({ status: 'Failure', codes: ['XDSRegistryError'], texts: [expect.stringContaining('another patient')] });
    expect(refusalOf(p41c)).toEqual(refusalOf(p41b));
    expect(await traceOf(requestId)).toEqual([{ chain_key: b.patientKey, outcome: 'denied', reason: 'other_patient' }]);
    const register = submission(b.ins, [{ authorId: doctor.idNatPs, hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', size: 0 }]);
    for (const d of register.documents) {
      d.content = null;
      d.metadata.repositoryUniqueId = '1.2.250.1.999.3.1';
    }
    const r42 = await postSoap(registry, A['ITI-42'], writeSubmitObjectsRequest(register), { assertion });
    expect(refusalOf(r42)).toEqual(refusalOf(p41b));
    expect(await countDocuments(b.patientKey)).toBe(before);
    // an entry naming B inside a submission set of A is a mismatch of the request, refused whole
    const mixed = submission(a.ins, [{ authorId: doctor.idNatPs }, { authorId: doctor.idNatPs }]);
    mixed.documents[1]!.metadata.patientId = b.ins;
    const m = provideAndRegister(mixed);
    const res = await postSoap(repository, A['ITI-41'], m.body, { assertion, attachments: m.attachments });
    expect(responseStatus(res)).toBe('Failure');
    expect(errorCodes(res)).toContain('XDSPatientIdDoesNotMatch');
    expect(await countDocuments(b.patientKey)).toBe(before);
    // the assertion's own patient: stored
    const own = provideAndRegister(submission(a.ins, [{ authorId: doctor.idNatPs }]));
    expect(responseStatus(await postSoap(repository, A['ITI-41'], own.body, { assertion, attachments: own.attachments }))).toBe('Success');
  });

  it('ACC-10: an ITI-41 bound to A whose entry names B inside A\'s submission set is refused for the mismatch and traced on B\'s record; naming a patient without a DMP answers the same', async () => {
    const assertion = boundTo(a.ins);
    const before = await countDocuments(b.patientKey);
    const naming = async (other: PatientIdentifier) => {
      const mixed = submission(a.ins, [{ authorId: doctor.idNatPs }, { authorId: doctor.idNatPs }]);
      mixed.documents[1]!.metadata.patientId = other;
      const m = provideAndRegister(mixed);
      const requestId = `acc10-41-mixed-${randomUUID()}`;
      return { requestId, answer: await postSoap(repository, A['ITI-41'], m.body, { assertion, attachments: m.attachments, requestId }) };
    };
    const onB = await naming(b.ins);
    const onC = await naming(c);
    expect(responseStatus(onB.answer)).toBe('Failure');
    expect(errorCodes(onB.answer)).toEqual(['XDSPatientIdDoesNotMatch']);
    const strip = (r: ReturnType<typeof refusalOf>) => ({ ...r, texts: r.texts.map((t) => t.replaceAll(b.ins.value, 'X').replaceAll(c.value, 'X')) });
    expect(strip(refusalOf(onC.answer))).toEqual(strip(refusalOf(onB.answer)));
    expect(await traceOf(onB.requestId)).toEqual([{ chain_key: b.patientKey, outcome: 'denied', reason: 'other_patient' }]);
    // C has no record: traced with the accesses that concern no record; the answer above was the same
    expect(await traceOf(onC.requestId)).toEqual([{ chain_key: NO_RECORD_CHAIN, outcome: 'denied', reason: 'other_patient' }]);
    expect(await countDocuments(b.patientKey)).toBe(before);
    // the caller's own patient in every entry: no other patient, nothing traced as such
    const own = provideAndRegister(submission(a.ins, [{ authorId: doctor.idNatPs }]));
    const ownId = `acc10-41-own-${randomUUID()}`;
    expect(responseStatus(await postSoap(repository, A['ITI-41'], own.body, { assertion, attachments: own.attachments, requestId: ownId }))).toBe('Success');
    expect((await traceOf(ownId)).filter((t) => t.reason === 'other_patient')).toEqual([]);
  });

  it('ACC-10: ITI-57 cannot name another patient, nor reach that patient\'s document from a request about its own', async () => {
    const assertion = boundTo(a.ins);
    const [bEntry] = (await w.services.documents.find(patientCaller(b.patientKey), { patientKey: b.patientKey })).entries;
    const update = (ssPatient: PatientIdentifier, logicalId: string) => {
      const md = { ...bEntry!, patientId: ssPatient, title: 'changed', entryUuid: `urn:uuid:${randomUUID()}`, logicalId };
      const ss = submission(ssPatient, []).submissionSet;
      const assoc =
        `<rim:Association id="urn:uuid:${randomUUID()}" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="${ss.id}" targetObject="${md.entryUuid}" objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association">` +
        `<rim:Slot name="SubmissionSetStatus"><rim:ValueList><rim:Value>Original</rim:Value></rim:ValueList></rim:Slot>` +
        `<rim:Slot name="PreviousVersion"><rim:ValueList><rim:Value>1</rim:Value></rim:ValueList></rim:Slot></rim:Association>`;
      const body = writeSubmitObjectsRequest({ submissionSet: ss, documents: [], folders: [], associations: [] }).replace(
        '</rim:RegistryObjectList>',
        `${writeDocumentEntry(md, md.entryUuid)}${assoc}</rim:RegistryObjectList>`,
      );
      return postSoap(registry, A['ITI-57'], body, { assertion });
    };
    const onB = await update(b.ins, bEntry!.logicalId);
    const onC = await update(c, bEntry!.logicalId);
    expect(refusalOf(onB)).toEqual({ status: 'Failure', codes: ['XDSRegistryError'], texts: [expect.stringContaining('another patient')] });
    expect(refusalOf(onC)).toEqual(refusalOf(onB));
    // a submission set of A naming B's document: that document is unknown to this caller
    const reach = await update(a.ins, bEntry!.logicalId);
    const unknownId = `urn:uuid:${randomUUID()}`;
    const unknown = await update(a.ins, unknownId);
    expect(refusalOf(reach).codes).toEqual(refusalOf(unknown).codes);
    expect(refusalOf(reach).texts.map((t) => t.replace(bEntry!.logicalId, 'ID'))).toEqual(refusalOf(unknown).texts.map((t) => t.replace(unknownId, 'ID')));
    const versions = (await w.services.documents.find(patientCaller(b.patientKey), { patientKey: b.patientKey }, { latestOnly: false })).entries;
    expect(versions.map((v) => v.title)).not.toContain('changed');
  });

  it('ACC-10 / TRACE-05: a signed VIHF whose resource-id cannot be read as one patient (no value, an empty one, an element, two patients) is refused as malformed into the security log, never taken as bound to no patient', async () => {
    const chains = async () => Number((await db().query<{ n: number }>('SELECT count(*)::int AS n FROM access_trace WHERE chain_key = ANY($1::uuid[])', [[a.patientKey, b.patientKey]])).rows[0]!.n);
    const signer = testSigner('trusted');
    const RESOURCE_ID = 'urn:oasis:names:tc:xacml:2.0:resource:resource-id';
    // the assertion as vihfFor makes it for A, its resource-id attribute written otherwise, then signed
    const withResourceId = (attribute: string) => {
      const unsigned = buildVihfAssertion(
        { idNatPs: doctor.idNatPs, profession: { code: doctor.profession, codeSystem: '1.2.250.1.71.1.2.7' }, structureId: doctor.structureId ?? '', subjectName: 'Alice Martin', mode: 'normal', patientId: a.ins },
        { issuer: subjectDn(signer.certificatePem) },
      );
      const written = unsigned.replace(new RegExp(`<saml2:Attribute Name="${RESOURCE_ID}">.*?</saml2:Attribute>`), attribute);
      expect(written).not.toBe(unsigned);
      return signAssertion(written, signer);
    };
    const attr = (values: string) => `<saml2:Attribute Name="${RESOURCE_ID}">${values}</saml2:Attribute>`;
    const cases: Record<string, string> = {
      'no value': attr(''),
      'an empty value': attr('<saml2:AttributeValue/>'),
      'blanks': attr('<saml2:AttributeValue>   </saml2:AttributeValue>'),
      'an element': attr(`<saml2:AttributeValue><hl7:InstanceIdentifier xmlns:hl7="urn:hl7-org:v3" root="${a.ins.system}" extension="${a.ins.value}"/></saml2:AttributeValue>`),
      'two patients': attr(`<saml2:AttributeValue>${cx(a.ins).slice(1, -1)}</saml2:AttributeValue><saml2:AttributeValue>${cx(b.ins).slice(1, -1)}</saml2:AttributeValue>`),
    };
    for (const [name, attribute] of Object.entries(cases)) {
      const requestId = `acc10-resource-id-${randomUUID()}`;
      const before = await chains();
      const res = await query(withResourceId(attribute), Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(b.ins), $XDSDocumentEntryStatus: APPROVED }, requestId);
      expect({ name, fault: isFault(res), documents: queryObjects(res).documents }).toEqual({ name, fault: true, documents: [] });
      const logged = await db().query<{ reason: string }>('SELECT reason FROM security_log WHERE request_id = $1', [requestId]);
      expect({ name, logged: logged.rows.map((r) => r.reason), traced: (await chains()) - before }).toEqual({ name, logged: ['malformed'], traced: 0 });
    }
    // the same attribute written as one CX value binds as usual: A's documents, none of B's
    const own = await query(withResourceId(attr(`<saml2:AttributeValue>${cx(a.ins).slice(1, -1)}</saml2:AttributeValue>`)), Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(a.ins), $XDSDocumentEntryStatus: APPROVED });
    expect(queryObjects(own).documents).toContain(ids.aDoc);
    expect(queryObjects(own).documents).not.toContain(ids.bDoc);
  });

  it('ACC-10: an assertion without resource-id is bound to no patient, and the rules alone decide (unchanged)', async () => {
    const res = await query(vihfFor(doctor), Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(b.ins), $XDSDocumentEntryStatus: APPROVED });
    expect(queryObjects(res).documents).toEqual([ids.bDoc]);
  });
});
