// Issue 12 item 10: the DocumentEntry <-> DocumentReference mapping, attribute by attribute, as
// the MHD 4.2 mapping table gives it (the "XDS and MHD Mapping" of the MHD DocumentReference
// profiles). Both ways through the real doors: a document submitted through XDS (ITI-41) is read
// as a DocumentReference (ITI-67), and a DocumentReference provided through MHD (ITI-65) is read
// as a DocumentEntry (ITI-18 GetDocuments). One test per row of the table; the deliberate
// deviations are listed in docs/MHD.md.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle, DocumentReference, Organization, Patient, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { DocumentEntryMetadata, PatientIdentifier } from '../../src/domain/model.js';
import { writeProvideAndRegisterRequest } from '../../src/xds/ebrim/write.js';
import { readRegistryObjectList } from '../../src/xds/ebrim/read.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { NS, type Element } from '../../src/xml/index.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, makeWorld, patientCaller, proActor, submission, uid, type World } from '../support/world.js';
import { adhocQuery, postSoap, responseStatus, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { xsdErrors } from '../support/xsd-check.js';

const doctor = proActor('doctor');
const ENCOUNTER = 'urn:ihe:iti:xds:2015:encounterId';
const ACCESSION = 'urn:ihe:iti:xds:2013:accession';
const URI = 'urn:ietf:rfc:3986';
const SUCCESS = 'Success';

describeEachStore('issue 12 item 10: the MHD 4.2 DocumentEntry <-> DocumentReference mapping table, both ways', (db) => {
  let server: RunningApp;
  let w: World;
  let ins: PatientIdentifier;
  let patientKey: string;
  /** what was submitted through XDS, and the DocumentReference ITI-67 gives for it */
  let sent: DocumentEntryMetadata;
  let content: Buffer;
  let dr: DocumentReference;
  /** what was provided through MHD, and the DocumentEntry ITI-18 gives for it */
  let provided: DocumentReference;
  let de: DocumentEntryMetadata;

  const contained = <T>(r: DocumentReference, ref: string | undefined) => r.contained?.find((c) => `#${c.id}` === ref) as T | undefined;

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db());
    w = { db: db(), clock: undefined as never, services: server.app.services };
    const rec = await adultRecord(w);
    ins = rec.ins;
    patientKey = rec.patientKey;
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });

    // XDS -> FHIR: every DocumentEntry attribute a source may set, through ITI-41.
    content = Buffer.from(`Compte rendu ${uid()}`);
    const sub = submission(ins, [{ typeCode: '11488-4', authorId: doctor.idNatPs, authorStructure: doctor.structureId, content: content.toString() }]);
    sent = Object.assign(sub.documents[0]!.metadata, {
      comments: 'Consultation de suivi',
      title: 'Compte rendu de consultation',
      serviceStartTime: '20260105',
      serviceStopTime: '20260105103000',
      eventCodes: [{ code: 'CT', system: '1.2.250.1.213.1.1.5.618' }],
      legalAuthenticator: `${doctor.idNatPs}^Martin^Alice^^^^^^&1.2.250.1.71.4.2.1&ISO`,
      sourcePatientId: 'IPP-7^^^&1.2.250.1.999.7&ISO',
      sourcePatientInfo: ['PID-3|IPP-7^^^&1.2.250.1.999.7&ISO', 'PID-5|DURAND^Jeanne', 'PID-7|19800517', 'PID-8|F'],
      referenceIds: [`SEJ-9^^^&1.2.250.1.999.8&ISO^${ENCOUNTER}`, `ACC-3^^^&1.2.250.1.999.6&ISO^${ACCESSION}`],
    } satisfies Partial<DocumentEntryMetadata>);
    const cid = `${randomUUID()}@test`;
    const pnr = await postSoap(`${server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], writeProvideAndRegisterRequest(sub, new Map([['Document1', cid]])), {
      assertion: vihfFor(doctor),
      attachments: [{ contentId: cid, contentType: 'text/plain', body: content }],
    });
    expect(responseStatus(pnr)).toBe(SUCCESS);
    const token = await server.tokenFor(doctor);
    const found = (await (await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=Patient/${patientKey}&type=11488-4`, { headers: { authorization: `Bearer ${token}` } })).json()) as Bundle;
    dr = found.entry!.map((e) => e.resource as DocumentReference).find((r) => r.masterIdentifier?.value === `urn:oid:${sent.uniqueId}`)!;
    expect(dr).toBeDefined();

    // FHIR -> XDS: a Comprehensive DocumentReference through ITI-65, read back with ITI-18.
    const bundle = provideBundle({
      patient: `Patient/${patientKey}`,
      docs: [
        {
          typeCode: '11490-0',
          author: { idNatPs: doctor.idNatPs, family: 'Martin', given: 'Alice' },
          content: 'Lettre de liaison',
          title: 'Lettre de liaison à la sortie',
          creation: '2026-01-05T08:00:00+01:00',
          date: '2026-01-05T09:00:00+01:00',
          period: { start: '2026-01-01', end: '2026-01-05T10:00:00Z' },
          event: 'EV1',
          related: { system: 'urn:oid:1.2.250.1.999.6', value: 'ACC-4' },
        },
      ],
    });
    provided = bundle.entry!.find((e) => e.resource?.resourceType === 'DocumentReference')!.resource as DocumentReference;
    provided.description = 'Sortie du service';
    provided.contained!.push({ resourceType: 'Practitioner', id: 'auth', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: doctor.idNatPs }], name: [{ family: 'Martin', given: ['Alice'] }] });
    provided.authenticator = { reference: '#auth' };
    const sp = provided.contained!.find((c) => c.id === 'sp') as Patient;
    Object.assign(sp, { name: [{ family: 'DURAND', given: ['Jeanne'] }], birthDate: '1980-05-17', gender: 'female' });
    // the source's identifier of the patient, another one than the contained Patient's first
    provided.context!.sourcePatientInfo = { reference: '#sp', identifier: { system: 'urn:oid:1.2.250.1.999.7', value: 'IPP-43' } };
    provided.context!.encounter = [{ identifier: { system: 'urn:oid:1.2.250.1.999.8', value: 'SEJ-10' } }];
    provided.context!.related![0]!.identifier!.type = { coding: [{ system: URI, code: ACCESSION }] };
    const res = await fetch(`${server.baseUrl}/fhir`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
    expect(res.status).toBe(200);
    const uniqueId = provided.masterIdentifier!.value!.replace('urn:oid:', '');
    const q = await postSoap(`${server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-18'], adhocQuery(Q.GetDocuments, { $XDSDocumentEntryUniqueId: `('${uniqueId}')` }), { assertion: vihfFor(doctor) });
    expect(responseStatus(q)).toBe(SUCCESS);
    const list = q.doc.getElementsByTagNameNS(NS.rim, 'RegistryObjectList')[0] as unknown as Element;
    const objects = readRegistryObjectList(list);
    expect(objects.problems).toEqual([]);
    de = objects.documentEntries[0]!.metadata;
  });
  afterAll(async () => {
    await server?.close();
  });

  // ------------------------------------------------------------------- XDS -> FHIR (ITI-67)

  it('MHD mapping masterIdentifier <- uniqueId: a UniqueIdIdentifier (use usual, RFC 3986 system, urn:oid:)', () => {
    expect(dr.masterIdentifier).toEqual({ use: 'usual', system: URI, value: `urn:oid:${sent.uniqueId}` });
  });

  it('MHD mapping identifier <- entryUUID: an EntryUUIDIdentifier (use official, urn:uuid:) naming the resource', () => {
    expect(dr.identifier?.[0]).toEqual({ use: 'official', system: URI, value: `urn:uuid:${dr.id}` });
  });

  it('MHD mapping status, type, category, subject <- availabilityStatus, typeCode, classCode, patientId', () => {
    expect(dr.status).toBe('current');
    expect(dr.type?.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '11488-4' });
    expect(dr.category?.[0]?.coding?.[0]?.code).toBe(sent.classCode!.code);
    expect(dr.subject?.reference).toContain(patientKey);
  });

  it('MHD mapping author <- author (a contained PractitionerRole: the person and the institution) and authenticator <- legalAuthenticator (a contained Practitioner)', () => {
    const role = contained<PractitionerRole>(dr, dr.author?.[0]?.reference);
    expect(role?.resourceType).toBe('PractitionerRole');
    expect(contained<Practitioner>(dr, role?.practitioner?.reference)?.identifier?.[0]?.value).toBe(doctor.idNatPs);
    expect(contained<Organization>(dr, role?.organization?.reference)?.identifier?.[0]?.value).toBe(doctor.structureId);
    const authenticator = contained<Practitioner>(dr, dr.authenticator?.reference);
    expect({ type: authenticator?.resourceType, id: authenticator?.identifier?.[0]?.value, family: authenticator?.name?.[0]?.family }).toEqual({ type: 'Practitioner', id: doctor.idNatPs, family: 'Martin' });
  });

  it('MHD mapping description <- comments, securityLabel <- confidentialityCode', () => {
    expect(dr.description).toBe(sent.comments);
    expect(dr.securityLabel?.[0]?.coding?.[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' });
  });

  it('MHD mapping content.attachment <- mimeType, languageCode, size, hash, title, creationTime; content.format <- formatCode', () => {
    const a = dr.content[0]!.attachment;
    expect({ contentType: a.contentType, language: a.language, size: a.size, hash: a.hash, title: a.title, creation: a.creation }).toEqual({
      contentType: 'text/plain',
      language: 'fr-FR',
      size: content.length,
      hash: createHash('sha1').update(content).digest('base64'),
      title: sent.title,
      creation: '2026-01-10T09:30:00Z',
    });
    expect(dr.content[0]!.format).toMatchObject({ code: 'urn:ihe:iti:xds-sd:text:2008' });
  });

  it('MHD mapping content.attachment.url <- repositoryUniqueId (deviation: the Binary of this server, where ITI-68 reads it)', () => {
    expect(dr.content[0]!.attachment.url).toBe(`${server.baseUrl}/fhir/Binary/${dr.id}`);
  });

  it('MHD mapping context.event, context.period, context.facilityType, context.practiceSetting <- eventCodeList, serviceStartTime/StopTime, healthcareFacilityTypeCode, practiceSettingCode', () => {
    expect(dr.context?.event?.[0]?.coding?.[0]?.code).toBe('CT');
    expect(dr.context?.period).toEqual({ start: '2026-01-05', end: '2026-01-05T10:30:00Z' });
    expect(dr.context?.facilityType?.coding?.[0]?.code).toBe('SA01');
    expect(dr.context?.practiceSetting?.coding?.[0]?.code).toBe('ETABLISSEMENT');
  });

  it('MHD mapping context.sourcePatientInfo.identifier <- sourcePatientId and .reference <- sourcePatientInfo (a contained Patient)', () => {
    const spi = dr.context?.sourcePatientInfo;
    expect(spi?.identifier).toEqual({ system: 'urn:oid:1.2.250.1.999.7', value: 'IPP-7' });
    const patient = contained<Patient>(dr, spi?.reference);
    expect({ identifier: patient?.identifier?.[0]?.value, name: patient?.name?.[0]?.family, birthDate: patient?.birthDate, gender: patient?.gender }).toEqual({
      identifier: 'IPP-7',
      name: 'DURAND',
      birthDate: '1980-05-17',
      gender: 'female',
    });
  });

  it('MHD mapping context.encounter <- referenceIdList of CXi type encounterId; context.related <- the other referenceIdList values, their CXi type kept', () => {
    expect(dr.context?.encounter).toEqual([{ identifier: { system: 'urn:oid:1.2.250.1.999.8', value: 'SEJ-9', type: { coding: [{ system: URI, code: ENCOUNTER }] } } }]);
    expect(dr.context?.related).toEqual([{ identifier: { system: 'urn:oid:1.2.250.1.999.6', value: 'ACC-3', type: { coding: [{ system: URI, code: ACCESSION }] } } }]);
  });

  it('MHD mapping meta.profile <- limitedMetadata: a comprehensive entry claims the Comprehensive profile', () => {
    expect(dr.meta?.profile).toContain('https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Comprehensive.DocumentReference');
  });

  it('issue 12 proof: the DocumentReference carrying every row is valid against the R4 XML Schema when read in XML', async () => {
    const res = await fetch(`${server.baseUrl}/fhir/DocumentReference/${dr.id}?_format=xml`, { headers: { authorization: `Bearer ${await server.tokenFor(doctor)}` } });
    expect(res.status).toBe(200);
    expect(xsdErrors(await res.text())).toEqual([]);
  });

  it('DocumentReference.date has no DocumentEntry attribute in the table: an entry submitted through XDS shows the time the registry stored it', () => {
    expect(Date.parse(dr.date ?? '')).toBeGreaterThan(Date.parse('2025-01-01'));
  });

  // ------------------------------------------------------------------- FHIR -> XDS (ITI-18)

  it('MHD mapping uniqueId, typeCode, classCode, confidentialityCode, comments <- masterIdentifier, type, category, securityLabel, description', () => {
    expect(de.uniqueId).toBe(provided.masterIdentifier!.value!.replace('urn:oid:', ''));
    expect(de.typeCode).toMatchObject({ code: '11490-0', system: '2.16.840.1.113883.6.1' });
    expect(de.classCode?.code).toBe('10');
    expect(de.confidentialityCodes.map((c) => c.code)).toEqual(['N']);
    expect(de.comments).toBe('Sortie du service');
  });

  it('MHD mapping mimeType, languageCode, size, hash, title, creationTime, formatCode <- content.attachment and content.format', () => {
    const a = provided.content[0]!.attachment;
    expect({ mimeType: de.mimeType, languageCode: de.languageCode, size: de.size, hash: de.hash, title: de.title, creationTime: de.creationTime, formatCode: de.formatCode?.code }).toEqual({
      mimeType: 'text/plain',
      languageCode: 'fr-FR',
      size: a.size,
      hash: Buffer.from(a.hash!, 'base64').toString('hex'),
      title: 'Lettre de liaison à la sortie',
      creationTime: '20260105070000',
      formatCode: 'urn:ihe:iti:xds-sd:text:2008',
    });
  });

  it('MHD mapping author <- author and legalAuthenticator <- authenticator', () => {
    expect(de.authors[0]?.person?.id).toBe(doctor.idNatPs);
    expect(de.legalAuthenticator).toMatch(new RegExp(`^${doctor.idNatPs}\\^Martin\\^Alice\\b`));
  });

  it('MHD mapping eventCodeList, serviceStartTime/StopTime, healthcareFacilityTypeCode, practiceSettingCode <- context', () => {
    expect(de.eventCodes.map((c) => c.code)).toEqual(['EV1']);
    expect({ start: de.serviceStartTime, stop: de.serviceStopTime }).toEqual({ start: '20260101', stop: '20260105100000' });
    expect(de.healthcareFacilityTypeCode?.code).toBe('SA01');
    expect(de.practiceSettingCode?.code).toBe('ETABLISSEMENT');
  });

  it('MHD mapping sourcePatientId <- context.sourcePatientInfo.identifier; sourcePatientInfo <- the contained Patient', () => {
    expect(de.sourcePatientId).toBe('IPP-43^^^&1.2.250.1.999.7&ISO');
    expect(de.sourcePatientInfo).toEqual(['PID-3|IPP-42^^^&1.2.250.1.999.7&ISO', 'PID-5|DURAND^Jeanne', 'PID-7|19800517', 'PID-8|F']);
  });

  it('MHD mapping referenceIdList <- context.encounter (CXi type encounterId) and context.related (CXi type from identifier.type)', () => {
    expect(de.referenceIds.sort()).toEqual([`ACC-4^^^&1.2.250.1.999.6&ISO^${ACCESSION}`, `SEJ-10^^^&1.2.250.1.999.8&ISO^${ENCOUNTER}`]);
  });

  it('MHD mapping limitedMetadata <- meta.profile: a Comprehensive DocumentReference is not limited', () => {
    expect(de.limitedMetadata ?? false).toBe(false);
  });
});
