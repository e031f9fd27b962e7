import { beforeAll, describe, expect, it } from '@jest/globals';
import { validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { StoredDocumentEntry, StoredFolder, StoredSubmissionSet } from '../../../src/domain/model.js';
import { ensureFhirDefinitions } from '../../../src/fhir/definitions.js';
import { EXT_IS_ARCHIVED } from '../../../src/fhir/mhd/document-reference.js';
import { fromDocumentReference } from '../../../src/fhir/mhd/document-reference-from-fhir.js';
import { toDocumentReference } from '../../../src/fhir/mhd/document-reference-to-fhir.js';
import { ceToConcept, conceptToCe } from '../../../src/fhir/mhd/authors.js';
import { folderToList, fromFolderList, fromSubmissionSetList, submissionSetToList } from '../../../src/fhir/mhd/lists.js';
import { fhirJsonToXml, fhirXmlToJson } from '../../../src/fhir/xml.js';

const INS = { value: '279035121518989', system: '1.2.250.1.213.1.4.8' };

function stored(overrides: Partial<StoredDocumentEntry> = {}): StoredDocumentEntry {
  return {
    entryUuid: 'urn:uuid:6b1d3f3e-2c7a-4f55-9d61-0a0f5a1c2b01',
    logicalId: 'urn:uuid:6b1d3f3e-2c7a-4f55-9d61-0a0f5a1c2b00',
    version: 2,
    latest: true,
    uniqueId: '1.2.250.1.999.1.2.3^4567',
    patientId: INS,
    sourcePatientId: '12345^^^&1.2.250.1.999.9&ISO',
    sourcePatientInfo: ['PID-3|12345^^^&1.2.250.1.999.9&ISO', 'PID-5|MARTIN^Jeanne', 'PID-7|19790312', 'PID-8|F'],
    availabilityStatus: 'Approved',
    mimeType: 'text/xml',
    hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    size: 1234,
    classCode: { code: '10', system: '1.2.250.1.213.1.1.4.1', display: 'Compte rendu' },
    typeCode: { code: '11490-0', system: '2.16.840.1.113883.6.1', display: 'Lettre de liaison à la sortie' },
    formatCode: { code: 'urn:asip:ci-sis:ldl-ses:2017', system: '1.2.250.1.213.1.1.4.2.282' },
    healthcareFacilityTypeCode: { code: 'SA01', system: '1.2.250.1.71.4.2.4', display: 'Etablissement public de santé' },
    practiceSettingCode: { code: 'ETABLISSEMENT', system: '1.2.250.1.213.1.1.4.9', display: 'Etablissement de santé' },
    confidentialityCodes: [
      { code: 'N', system: '2.16.840.1.113883.5.25', display: 'Normal' },
      { code: 'INVISIBLE_PATIENT', system: '1.2.250.1.213.1.1.4.13', display: 'Non visible par le patient' },
    ],
    eventCodes: [{ code: 'CT', system: '1.2.250.1.213.1.1.5.618' }],
    creationTime: '20240301101500',
    serviceStartTime: '20240228',
    serviceStopTime: '20240301093000',
    languageCode: 'fr-FR',
    title: 'Lettre de liaison',
    comments: 'Sortie du service',
    authors: [
      {
        person: { id: '810002345678', idSystem: '1.2.250.1.71.4.2.1', family: 'DUPONT', given: 'Paul' },
        institutions: [
          { name: 'CHU Exemple', id: '1750000000', idSystem: '1.2.250.1.71.4.2.2' },
          { name: 'Site annexe' },
        ],
        roles: ['10^Médecin^1.2.250.1.71.1.2.7'],
        specialties: ['SM26^Qualifié en Médecine Générale^1.2.250.1.71.4.2.5'],
        telecoms: ['^^Internet^paul.dupont@chu.example'],
      },
      { institutions: [{ name: 'Laboratoire', id: '3123', idSystem: '1.2.250.1.71.4.2.2' }], roles: [], specialties: [], telecoms: [] },
      { person: { family: 'SEUL' }, institutions: [], roles: [], specialties: [], telecoms: [] },
    ],
    legalAuthenticator: '810002345678^DUPONT^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO',
    referenceIds: ['V123^^^&1.2.250.1.999.3&ISO^urn:ihe:iti:xds:2013:encounterId'],
    limitedMetadata: false,
    patientKey: 'k1',
    submittedBy: '810002345678',
    submittedByStructure: '1750000000',
    authoredByPatient: false,
    submissionSetUuid: 'urn:uuid:1',
    storedAt: '2024-03-01T10:20:00.000Z',
    contentKey: null,
    ...overrides,
  };
}

/** The fields DocumentReference carries, as fromDocumentReference returns them. */
/** What a DocumentReference carries back: its date is the source's, else the registry's time. */
function carried(e: StoredDocumentEntry): Record<string, unknown> {
  const { version: _v, latest: _latest, patientKey: _k, submittedBy: _s, submittedByStructure: _ss, authoredByPatient: _a, submissionSetUuid: _u, storedAt: _t, contentKey: _c, ...rest } = e;
  return { ...rest, referenceDate: e.referenceDate ?? new Date(e.storedAt).toISOString() };
}

function errors(resource: Resource): string[] {
  return validateResource(resource)
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.expression?.join(',')}: ${i.details?.text}`);
}

beforeAll(() => ensureFhirDefinitions());

describe('DocumentEntry <-> DocumentReference', () => {
  it('maps a full DMP entry and back without loss of carried fields', () => {
    const entry = stored();
    const dr = toDocumentReference(entry, { relatesTo: [{ type: 'RPLC', targetId: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001' }] });
    expect(errors(dr)).toEqual([]);
    expect(dr.id).toBe('6b1d3f3e-2c7a-4f55-9d61-0a0f5a1c2b01');
    expect(dr.masterIdentifier).toEqual({ use: 'usual', value: '1.2.250.1.999.1.2.3^4567' });
    expect(dr.identifier?.[0]).toEqual({ use: 'official', system: 'urn:ietf:rfc:3986', value: entry.entryUuid });
    expect(dr.status).toBe('current');
    expect(dr.securityLabel?.[1]?.coding?.[0]?.system).toBe('https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument');
    expect(dr.type?.coding?.[0]?.system).toBe('http://loinc.org');
    expect(dr.content[0]?.attachment).toMatchObject({ contentType: 'text/xml', url: `Binary/${dr.id}`, size: 1234, hash: '2jmj7l5rSw0yVb/vlWAYkK/YBwk=', creation: '2024-03-01T10:15:00Z', language: 'fr-FR' });
    expect(dr.context?.period).toEqual({ start: '2024-02-28', end: '2024-03-01T09:30:00Z' });
    expect(dr.relatesTo).toEqual([{ code: 'replaces', target: { reference: 'DocumentReference/aaaaaaaa-0000-4000-8000-000000000001' } }]);
    expect(dr.author).toHaveLength(3);

    const back = fromDocumentReference(dr, { patientId: INS });
    expect(back.problems).toEqual([]);
    expect(back.metadata).toEqual(carried(entry));
    expect(back.relatesTo).toEqual([{ code: 'replaces', target: 'DocumentReference/aaaaaaaa-0000-4000-8000-000000000001', path: 'DocumentReference.relatesTo[0]' }]);

    // and through XML
    const viaXml = fhirXmlToJson(fhirJsonToXml(dr));
    expect(viaXml).toEqual(dr);
  });

  it('maps Archived to current + isArchived, Deprecated to superseded, Deleted to entered-in-error', () => {
    const archived = toDocumentReference(stored({ availabilityStatus: 'Archived' }));
    expect(archived.status).toBe('current');
    expect(archived.extension).toEqual([{ url: EXT_IS_ARCHIVED, valueBoolean: true }]);
    expect(fromDocumentReference(archived, { patientId: INS }).metadata.availabilityStatus).toBe('Archived');
    expect(toDocumentReference(stored({ availabilityStatus: 'Deprecated' })).status).toBe('superseded');
    expect(toDocumentReference(stored({ availabilityStatus: 'Deleted' })).status).toBe('entered-in-error');
  });

  it('round-trips a minimal (limited metadata) entry', () => {
    const entry = stored({
      limitedMetadata: true,
      classCode: undefined,
      typeCode: undefined,
      formatCode: undefined,
      healthcareFacilityTypeCode: undefined,
      practiceSettingCode: undefined,
      confidentialityCodes: [],
      eventCodes: [],
      authors: [],
      referenceIds: [],
      sourcePatientId: undefined,
      sourcePatientInfo: undefined,
      legalAuthenticator: undefined,
      title: undefined,
      comments: undefined,
      serviceStartTime: undefined,
      serviceStopTime: undefined,
      uniqueId: '1.2.3.4',
    });
    for (const key of Object.keys(entry) as (keyof StoredDocumentEntry)[]) if (entry[key] === undefined) delete entry[key];
    const dr = toDocumentReference(entry);
    expect(dr.meta?.profile).toEqual(['https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.DocumentReference']);
    expect(dr.masterIdentifier).toEqual({ use: 'usual', system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.3.4' });
    const back = fromDocumentReference(dr, { patientId: INS, comprehensive: false });
    expect(back.problems).toEqual([]);
    expect(back.metadata).toEqual(carried(entry));
  });

  it('issue 12 item 10 (R4 DocumentReference.date; MHD 4.2 maps no DocumentEntry attribute to it): the date a FHIR source gave is kept, the registry\'s time only stands in for an entry that has none', () => {
    const given = toDocumentReference(stored({ referenceDate: '2026-01-10T10:00:00+01:00', storedAt: '2026-02-01T08:00:00.000Z' }));
    expect(given.date).toBe('2026-01-10T10:00:00+01:00');
    expect(toDocumentReference(stored({ storedAt: '2026-02-01T08:00:00.000Z' })).date).toBe('2026-02-01T08:00:00.000Z');
    const read = fromDocumentReference({ ...given, date: '2025-12-31T23:59:59Z' }, { patientId: INS });
    expect(read.problems).toEqual([]);
    expect(read.metadata.referenceDate).toBe('2025-12-31T23:59:59Z');
    for (const bad of ['2026-01-10', '2026-01-10T10:00:00', '2026-13-40T10:00:00Z', '2026-02-30T10:00:00Z', '2026-01-10T24:00:00Z']) {
      const { problems } = fromDocumentReference({ ...given, date: bad }, { patientId: INS });
      expect(problems.map((p) => p.location)).toEqual(['DocumentReference.date']);
    }
  });

  it('issue 12 item 7 (R4 Coding.system, MHD 4.2 author mapping): an author specialty without its coding scheme is kept as text, never a code without system', () => {
    expect(ceToConcept('SM26')).toEqual({ text: 'SM26' });
    expect(conceptToCe({ text: 'SM26' })).toBe('SM26');
    expect(ceToConcept('SM26^Qualifié en médecine générale^1.2.250.1.213.1.1.4.5')).toEqual({
      coding: [{ code: 'SM26', display: 'Qualifié en médecine générale', system: 'urn:oid:1.2.250.1.213.1.1.4.5' }],
    });
  });

  it('issue 12 item 10 (MHD 4.2 mapping context.encounter / context.related <- referenceIdList): encounter ids go to context.encounter, the others to context.related, each CXi given back as it came', () => {
    const referenceIds = [
      'V123^^^&1.2.250.1.999.3&ISO^urn:ihe:iti:xds:2015:encounterId',
      'V124^^^&1.2.250.1.999.3&ISO^urn:ihe:iti:xds:2013:encounterId',
      'A1^^^&1.2.250.1.999.6&ISO^urn:ihe:iti:xds:2013:accession',
      'L7^^^&1.2.250.1.999.6&ISO^local-kind',
      'N9',
    ];
    const dr = toDocumentReference(stored({ referenceIds }));
    expect(dr.context?.encounter?.map((e) => e.identifier?.value)).toEqual(['V123', 'V124']);
    expect(dr.context?.related?.map((r) => r.identifier)).toEqual([
      { system: 'urn:oid:1.2.250.1.999.6', value: 'A1', type: { coding: [{ system: 'urn:ietf:rfc:3986', code: 'urn:ihe:iti:xds:2013:accession' }] } },
      // a type that is no URN has no system to name: R4 wants one on a Coding, so it is the text
      { system: 'urn:oid:1.2.250.1.999.6', value: 'L7', type: { text: 'local-kind' } },
      { value: 'N9' },
    ]);
    expect(fromDocumentReference(dr, { patientId: INS }).metadata.referenceIds.sort()).toEqual([...referenceIds].sort());
  });

  it('issue 12 item 10 (MHD 4.2 mapping context.encounter): an encounter given by identifier alone is an encounterId; a literal reference alone has no place in XDS and is refused, not dropped', () => {
    const dr = toDocumentReference(stored({ referenceIds: [] }));
    dr.context!.encounter = [{ identifier: { system: 'urn:oid:1.2.250.1.999.8', value: 'SEJ-1' } }];
    expect(fromDocumentReference(dr, { patientId: INS }).metadata.referenceIds).toEqual(['SEJ-1^^^&1.2.250.1.999.8&ISO^urn:ihe:iti:xds:2015:encounterId']);
    dr.context!.encounter = [{ reference: 'Encounter/42' }];
    expect(fromDocumentReference(dr, { patientId: INS }).problems.map((p) => p.location)).toEqual(['DocumentReference.context.encounter[0]']);
  });

  it('issue 12 item 10 (HL7 v2 CX, ITI TF-3 4.2.3.1.7): an identifier that would become a referenceIdList or sourcePatientId value is refused when it holds a CX delimiter, instead of shifting the components', () => {
    const dr = toDocumentReference(stored({ referenceIds: [] }));
    dr.context!.related = [{ identifier: { system: 'urn:oid:1.2.3', value: 'A^^^&9.9.9&ISO^urn:evil' } }];
    dr.context!.encounter = [{ identifier: { value: 'E1', type: { text: 'x&y' } } }];
    dr.context!.sourcePatientInfo = { ...dr.context!.sourcePatientInfo, identifier: { value: 'P~2' } };
    const sp = dr.contained!.find((c) => c.id === 'sourcePatient') as { identifier?: Array<{ value?: string }> };
    sp.identifier![0]!.value = 'P|3';
    const { metadata, problems } = fromDocumentReference(dr, { patientId: INS });
    expect(problems.map((p) => p.location).sort()).toEqual([
      `DocumentReference.contained[${dr.contained!.indexOf(sp as never)}].identifier[0]`,
      'DocumentReference.context.encounter[0].identifier',
      'DocumentReference.context.related[0].identifier',
      'DocumentReference.context.sourcePatientInfo.identifier',
    ].sort());
    expect(metadata.referenceIds).toEqual([]);
  });

  it('issue 12 item 10 (MHD 4.2 mapping context.sourcePatientInfo.identifier <- sourcePatientId): the reference names sourcePatientId beside the contained Patient, and an identifier alone is read', () => {
    const dr = toDocumentReference(stored());
    expect(dr.context?.sourcePatientInfo).toEqual({ reference: '#sourcePatient', identifier: { system: 'urn:oid:1.2.250.1.999.9', value: '12345' } });
    const { metadata, problems } = fromDocumentReference({ ...dr, context: { ...dr.context, sourcePatientInfo: { identifier: { system: 'urn:oid:1.2.250.1.999.9', value: '777' } } } }, { patientId: INS });
    expect(problems).toEqual([]);
    expect(metadata.sourcePatientId).toBe('777^^^&1.2.250.1.999.9&ISO');
  });

  it('locates problems with FHIRPath', () => {
    const dr = toDocumentReference(stored());
    delete dr.type;
    dr.content[0]!.attachment.hash = 'not base64!';
    dr.author = [{ reference: 'Practitioner/elsewhere' }];
    dr.context!.sourcePatientInfo = { reference: '#nobody' };
    const { problems } = fromDocumentReference(dr, { path: 'Bundle.entry[2].resource', patientId: INS });
    expect(problems.map((p) => p.location)).toEqual(
      expect.arrayContaining([
        'Bundle.entry[2].resource.type',
        'Bundle.entry[2].resource.content[0].attachment.hash',
        'Bundle.entry[2].resource.author[0].reference',
        'Bundle.entry[2].resource.context.sourcePatientInfo.reference',
      ]),
    );
    expect(problems.every((p) => p.code === 'invalid_metadata')).toBe(true);
  });
});

describe('SubmissionSet / Folder <-> List', () => {
  const ss: StoredSubmissionSet = {
    entryUuid: 'urn:uuid:5d7c2f8a-1111-4222-8333-000000000001',
    uniqueId: '1.2.250.1.999.7.1',
    sourceId: '1.2.250.1.999.7',
    patientId: INS,
    submissionTime: '20240301102000',
    contentTypeCode: { code: '04', system: '1.2.250.1.213.1.1.4.2.287', display: 'Hospitalisation de jour' },
    authors: [
      {
        person: { id: '810002345678', idSystem: '1.2.250.1.71.4.2.1', family: 'DUPONT', given: 'Paul' },
        institutions: [{ name: 'CHU Exemple', id: '1750000000', idSystem: '1.2.250.1.71.4.2.2' }],
        roles: [],
        specialties: [],
        telecoms: [],
      },
    ],
    intendedRecipients: ['CHU Exemple^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1750000000|810002345678^DUPONT^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO', '|899700000001^MARTIN^Anne^^^^^^&1.2.250.1.71.4.2.1&ISO'],
    title: 'Envoi',
    comments: 'Un commentaire',
    limitedMetadata: false,
    patientKey: 'k1',
    storedAt: '2024-03-01T10:20:00.000Z',
  };

  it('round-trips a SubmissionSet', () => {
    const list = submissionSetToList(ss, { members: [{ reference: 'DocumentReference/x' }] });
    expect(errors(list)).toEqual([]);
    expect(list.code?.coding?.[0]).toEqual({ system: 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes', code: 'submissionset' });
    expect(list.source?.extension?.[0]?.url).toBe('https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-authorOrg');
    const back = fromSubmissionSetList(list, { patientId: INS });
    expect(back.problems).toEqual([]);
    const { patientKey: _k, storedAt: _s, ...carried } = ss;
    expect(back.metadata).toEqual(carried);
    expect(fhirXmlToJson(fhirJsonToXml(list))).toEqual(list);
  });

  it('round-trips a Folder', () => {
    const folder: StoredFolder = {
      entryUuid: 'urn:uuid:5d7c2f8a-1111-4222-8333-000000000002',
      logicalId: 'urn:uuid:5d7c2f8a-1111-4222-8333-000000000002',
      version: 1,
      uniqueId: '1.2.250.1.999.8.1',
      patientId: INS,
      codeList: [{ code: 'X', system: '1.2.3' }],
      title: 'Dossier',
      availabilityStatus: 'Approved',
      limitedMetadata: false,
      patientKey: 'k1',
      lastUpdateTime: '20240301102000',
    };
    const list = folderToList(folder);
    expect(errors(list)).toEqual([]);
    expect(list.date).toBe('2024-03-01T10:20:00Z');
    const back = fromFolderList(list, { patientId: INS });
    expect(back.problems).toEqual([]);
    expect(back.metadata).toEqual({ entryUuid: folder.entryUuid, uniqueId: folder.uniqueId, patientId: INS, codeList: folder.codeList, title: 'Dossier', availabilityStatus: 'Approved', limitedMetadata: false });
  });
});
