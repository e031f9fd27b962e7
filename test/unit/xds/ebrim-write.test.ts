import { describe, expect, it } from '@jest/globals';
import type { StoredAssociation, StoredDocumentEntry, StoredFolder, StoredSubmissionSet } from '../../../src/domain/model.js';
import { CarnetError, CarnetErrors } from '../../../src/domain/errors.js';
import { readRegistryObjectList, readSubmitObjectsRequest } from '../../../src/xds/ebrim/read.js';
import {
  writeAdhocQueryResponse,
  writeLeafClassObjects,
  writeObjectRef,
  writeObjectRefs,
  writeRegistryObjectList,
  writeRegistryResponse,
  writeRetrieveDocumentSetResponse,
  writeSubmitObjectsRequest,
} from '../../../src/xds/ebrim/write.js';
import { registryErrorsFor, xdsErrorCode } from '../../../src/xds/error-codes.js';
import { NS, attr, descendants, firstChild, parseXml } from '../../../src/xml/index.js';
import { readRetrieveDocumentSetRequest } from '../../../src/xds/retrieve.js';

const patientId = { value: '1234567890123', system: '1.2.250.1.213.1.4.8' };

const de: StoredDocumentEntry = {
  entryUuid: 'urn:uuid:0b6c2e4e-8c58-4d1d-9d4e-5c4f8a0a0001',
  logicalId: 'urn:uuid:0b6c2e4e-8c58-4d1d-9d4e-5c4f8a0a0000',
  version: 3,
  latest: true,
  availabilityStatus: 'Archived',
  uniqueId: '1.2.250.1.999.1.2.3',
  patientId,
  sourcePatientId: 'LOCAL1^^^&1.2.3&ISO',
  sourcePatientInfo: ['PID-5|Durand^Anne', 'PID-7|19800101'],
  mimeType: 'application/pdf',
  hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  size: 0,
  repositoryUniqueId: '1.2.250.1.999.9',
  uri: 'doc.pdf',
  classCode: { code: '10', system: '1.2.250.1.213.1.1.4.1', display: 'Compte rendu' },
  typeCode: { code: '11490-0', system: '2.16.840.1.113883.6.1', display: 'Lettre de sortie' },
  formatCode: { code: 'urn:ihe:iti:xds-sd:pdf:2008', system: '1.3.6.1.4.1.19376.1.2.3' },
  healthcareFacilityTypeCode: { code: 'SA01', system: '1.2.250.1.71.4.2.4', display: 'Établissement "public" & <santé>' },
  practiceSettingCode: { code: 'ETABLISSEMENT', system: '1.2.250.1.213.1.1.4.9' },
  confidentialityCodes: [
    { code: 'N', system: '2.16.840.1.113883.5.25', display: 'Normal' },
    { code: 'MASQUE_PS', system: '1.2.250.1.213.1.1.4.13' },
  ],
  eventCodes: [{ code: 'E1', system: '1.2.3' }],
  creationTime: '20250102030405',
  serviceStartTime: '20250101',
  serviceStopTime: '20250102',
  languageCode: 'fr-FR',
  title: 'Lettre <de> sortie',
  comments: 'multi\nline',
  authors: [
    {
      person: { id: '810000000001', idSystem: '1.2.250.1.71.4.2.1', family: 'MARTIN', given: 'Paul' },
      institutions: [{ name: 'Hôpital Nord', id: '1123456789', idSystem: '1.2.250.1.71.4.2.2' }],
      roles: ['10^Médecin^1.2.250.1.71.1.2.7'],
      specialties: ['SM26^Médecine générale^1.2.250.1.71.4.2.5'],
      telecoms: ['^^Internet^paul@example.org'],
    },
  ],
  legalAuthenticator: '810000000001^MARTIN^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO',
  referenceIds: ['E1^^^&1.2.3&ISO^urn:ihe:iti:xds:2015:encounterId'],
  objectType: 'on-demand',
  limitedMetadata: true,
  extraSlots: [{ name: 'urn:carnet:extra', values: ['a', 'b'] }],
  patientKey: 'p1',
  submittedBy: '810000000001',
  submittedByStructure: '1123456789',
  authoredByPatient: false,
  submissionSetUuid: 'urn:uuid:0b6c2e4e-8c58-4d1d-9d4e-5c4f8a0a0002',
  storedAt: '2025-01-02T03:04:05Z',
  contentKey: null,
};

const ss: StoredSubmissionSet = {
  entryUuid: 'urn:uuid:0b6c2e4e-8c58-4d1d-9d4e-5c4f8a0a0002',
  uniqueId: '1.2.250.1.999.2.1',
  sourceId: '1.2.250.1.999',
  patientId,
  submissionTime: '20250102030405',
  contentTypeCode: { code: '04', system: '1.2.250.1.213.1.1.4.12', display: 'Hospitalisation' },
  authors: [{ institutions: [{ name: 'Hôpital Nord' }], roles: [], specialties: [], telecoms: [] }],
  intendedRecipients: ['^Dupont^Marie'],
  title: 'SS',
  availabilityStatus: 'Approved',
  patientKey: 'p1',
  storedAt: '2025-01-02T03:04:05Z',
};

const folder: StoredFolder = {
  entryUuid: 'urn:uuid:0b6c2e4e-8c58-4d1d-9d4e-5c4f8a0a0003',
  logicalId: 'urn:uuid:0b6c2e4e-8c58-4d1d-9d4e-5c4f8a0a0003',
  version: 1,
  uniqueId: '1.2.250.1.999.3.1',
  patientId,
  codeList: [{ code: 'F1', system: '1.2.3', display: 'Folder code' }],
  availabilityStatus: 'Approved',
  lastUpdateTime: '20250102030405',
  patientKey: 'p1',
};

const assoc: StoredAssociation = {
  entryUuid: 'urn:uuid:0b6c2e4e-8c58-4d1d-9d4e-5c4f8a0a0004',
  type: 'HasMember',
  sourceId: ss.entryUuid,
  targetId: de.entryUuid,
  submissionSetStatus: 'Original',
  previousVersion: '2',
  associationPropagation: true,
  availabilityStatus: 'Approved',
  extraSlots: [{ name: 'urn:carnet:associationDocumentation', values: ['Additional_Information^Additional Information^1.3.6.1.4.1.21367.2017.3'] }],
  patientKey: 'p1',
};

function stripStored<T extends object>(o: T, keys: string[]): Partial<T> {
  const copy = { ...o } as Record<string, unknown>;
  for (const k of keys) delete copy[k];
  return copy as Partial<T>;
}

/** The reader keeps the original HL7 v2 strings as `raw`; the objects written had none. */
function withoutRaw<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === 'raw' ? undefined : x)));
}

describe('write -> read round trip', () => {
  const xml = writeRegistryObjectList(writeLeafClassObjects({ submissionSets: [ss], folders: [folder], documentEntries: [de], associations: [assoc] }));
  const objs = withoutRaw(readRegistryObjectList(parseXml(xml).documentElement!));

  it('reads back without problems', () => expect(readRegistryObjectList(parseXml(xml).documentElement!).problems).toEqual([]));

  it('DocumentEntry: every attribute survives', () => {
    expect(objs.documentEntries[0]!.metadata).toEqual(
      stripStored(de, ['patientKey', 'latest', 'submittedBy', 'submittedByStructure', 'authoredByPatient', 'submissionSetUuid', 'storedAt', 'contentKey']),
    );
  });

  it('SubmissionSet, Folder and Association survive', () => {
    expect(objs.submissionSets[0]!.metadata).toEqual(stripStored(ss, ['patientKey', 'storedAt']));
    expect(objs.folders[0]!.metadata).toEqual(stripStored(folder, ['patientKey']));
    expect(objs.associations[0]).toEqual({ id: assoc.entryUuid, ...stripStored(assoc, ['patientKey']) });
  });

  it('uses urn:uuid ids for every nested object', () => {
    const doc = parseXml(xml);
    const ids = [...descendants(doc, NS.rim, 'Classification'), ...descendants(doc, NS.rim, 'ExternalIdentifier')].map((e) => attr(e, 'id'));
    for (const id of ids) expect(id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a SubmitObjectsRequest round-trips as a submission', () => {
    const sub = {
      submissionSet: { ...stripStored(ss, ['patientKey', 'storedAt', 'availabilityStatus']), id: 'SubmissionSet01' } as never,
      documents: [{ id: 'Document01', metadata: { ...de, entryUuid: undefined }, content: null }],
      folders: [],
      associations: [{ id: 'a1', type: 'HasMember' as const, sourceId: 'SubmissionSet01', targetId: 'Document01', submissionSetStatus: 'Original' as const }],
    };
    const back = readSubmitObjectsRequest(parseXml(writeSubmitObjectsRequest(sub)).documentElement!);
    expect(back.problems).toEqual([]);
    expect(back.submission!.submissionSet.id).toBe('SubmissionSet01');
    expect(back.submission!.documents[0]!.id).toBe('Document01');
    expect(back.submission!.associations[0]).toMatchObject({ sourceId: 'SubmissionSet01', targetId: 'Document01' });
  });
});

describe('responses', () => {
  it('RegistryResponse Success and Failure with located errors', () => {
    expect(writeRegistryResponse()).toContain('ResponseStatusType:Success"');
    const errors = registryErrorsFor(
      new CarnetErrors([
        new CarnetError('unknown_patient', 'no DMP for this patient', { location: 'urn:uuid:x' }),
        new CarnetError('forbidden', 'refused', { reason: 'not_authorised' }),
      ]),
    );
    const doc = parseXml(writeRegistryResponse(errors));
    const root = doc.documentElement!;
    expect(attr(root, 'status')).toBe('urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure');
    const list = descendants(root, NS.rs, 'RegistryError');
    expect(list.map((e) => [attr(e, 'errorCode'), attr(e, 'codeContext'), attr(e, 'location'), attr(e, 'severity')])).toEqual([
      ['XDSUnknownPatientId', 'no DMP for this patient', 'urn:uuid:x', 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error'],
      ['XDSRegistryError', 'refused (not_authorised)', undefined, 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error'],
    ]);
  });

  it('warnings keep Success', () => {
    const w = registryErrorsFor(new CarnetError('invalid_metadata', 'extra metadata not saved', { reason: 'XDSExtraMetadataNotSaved' }), 'Warning');
    expect(writeRegistryResponse(w)).toContain('ResponseStatusType:Success"');
  });

  it('unknown errors never leak their message', () => {
    const [e] = registryErrorsFor(new Error('password=hunter2 at db.ts:42'));
    expect(e).toEqual({ errorCode: 'XDSRegistryError', codeContext: 'internal error', severity: 'Error' });
  });

  it('maps CarnetError codes to XDS codes, reason first', () => {
    const m = (code: ConstructorParameters<typeof CarnetError>[0], reason?: string) => xdsErrorCode(new CarnetError(code, 'x', { reason }));
    expect(m('invalid_metadata')).toBe('XDSRegistryMetadataError');
    expect(m('invalid_content_metadata')).toBe('XDSRepositoryMetadataError');
    expect(m('missing_document')).toBe('XDSMissingDocument');
    expect(m('missing_document_metadata')).toBe('XDSMissingDocumentMetadata');
    expect(m('patient_mismatch')).toBe('XDSPatientIdDoesNotMatch');
    expect(m('non_identical_hash')).toBe('XDSNonIdenticalHash');
    expect(m('duplicate_unique_id')).toBe('XDSDuplicateUniqueIdInRegistry');
    expect(m('version_conflict')).toBe('XDSMetadataVersionError');
    expect(m('update_operation')).toBe('XDSMetadataUpdateOperationError');
    expect(m('too_many_results')).toBe('XDSTooManyResults');
    expect(m('record_closed')).toBe('XDSRegistryError');
    expect(m('not_found', 'XDSDocumentUniqueIdError')).toBe('XDSDocumentUniqueIdError');
  });

  it('AdhocQueryResponse: objects on success, none on failure', () => {
    const ok = parseXml(writeAdhocQueryResponse([writeObjectRef('urn:uuid:1'), writeObjectRef('urn:uuid:2')])).documentElement!;
    expect(descendants(ok, NS.rim, 'ObjectRef')).toHaveLength(2);
    const failed = parseXml(
      writeAdhocQueryResponse([writeObjectRef('urn:uuid:1')], registryErrorsFor(new CarnetError('too_many_results', 'too many'))),
    ).documentElement!;
    expect(attr(failed, 'status')).toMatch(/Failure$/);
    expect(descendants(failed, NS.rim, 'ObjectRef')).toHaveLength(0);
    expect(firstChild(failed, NS.rim, 'RegistryObjectList')).toBeDefined();
  });

  it('ObjectRefs written at once are the ObjectRefs written one by one, escaped when an id needs it', () => {
    const ids = ['urn:uuid:1', 'urn:uuid:2', 'urn:uuid:3'];
    expect(writeObjectRefs(ids)).toBe(ids.map((id) => writeObjectRef(id)).join(''));
    expect(writeObjectRefs([])).toBe('');
    const odd = ['urn:uuid:1', 'a"b&c<d'];
    expect(writeObjectRefs(odd)).toBe(odd.map((id) => writeObjectRef(id)).join(''));
    const refs = descendants(parseXml(writeAdhocQueryResponse([writeObjectRefs(odd)])).documentElement!, NS.rim, 'ObjectRef');
    expect(refs.map((r) => attr(r, 'id'))).toEqual(odd);
  });

  it('RetrieveDocumentSetResponse: MTOM include, inline base64, PartialSuccess', () => {
    const xml = writeRetrieveDocumentSetResponse(
      [
        { repositoryUniqueId: '1.2', documentUniqueId: '1.2.3', mimeType: 'text/plain', contentId: 'doc1@carnet' },
        { repositoryUniqueId: '1.2', documentUniqueId: '1.2.4', mimeType: 'text/x-odd', content: Buffer.from('hi'), homeCommunityId: 'urn:oid:1.2.9' },
      ],
      registryErrorsFor(new CarnetError('not_found', 'unknown document', { reason: 'XDSDocumentUniqueIdError', location: '1.2.5' })),
    );
    const root = parseXml(xml).documentElement!;
    const rr = firstChild(root, NS.rs, 'RegistryResponse')!;
    expect(attr(rr, 'status')).toBe('urn:ihe:iti:2007:ResponseStatusType:PartialSuccess');
    const responses = descendants(root, NS.xdsb, 'DocumentResponse');
    expect(responses).toHaveLength(2);
    expect(attr(descendants(responses[0]!, NS.xop, 'Include')[0]!, 'href')).toBe('cid:doc1@carnet');
    expect(xml).toContain('<xdsb:mimeType>text/x-odd</xdsb:mimeType>');
    expect(xml).toContain('aGk=');
  });
});

describe('readRetrieveDocumentSetRequest', () => {
  it('reads DocumentRequests and reports incomplete ones', () => {
    const el = parseXml(
      `<RetrieveDocumentSetRequest xmlns="${NS.xdsb}"><DocumentRequest><HomeCommunityId>urn:oid:1.2</HomeCommunityId><RepositoryUniqueId>1.1</RepositoryUniqueId><DocumentUniqueId>1.1.1</DocumentUniqueId></DocumentRequest><DocumentRequest><RepositoryUniqueId>1.1</RepositoryUniqueId></DocumentRequest></RetrieveDocumentSetRequest>`,
    ).documentElement!;
    const r = readRetrieveDocumentSetRequest(el);
    expect(r.requests).toEqual([{ homeCommunityId: 'urn:oid:1.2', repositoryUniqueId: '1.1', documentUniqueId: '1.1.1' }]);
    expect(r.problems).toHaveLength(1);
  });
});
