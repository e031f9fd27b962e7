import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle } from '@medplum/fhirtypes';
import { CarnetErrors } from '../../../src/domain/errors.js';
import type { PatientIdentifier } from '../../../src/domain/model.js';
import { ensureFhirDefinitions } from '../../../src/fhir/definitions.js';
import { outcomeForError } from '../../../src/fhir/outcome.js';
import { provideBundleToSubmission, readProvideBundle } from '../../../src/fhir/mhd/provide-bundle.js';
import { transactionResponse } from '../../../src/fhir/mhd/provide-response.js';
import type { PatientLink } from '../../../src/fhir/mhd/provide-subjects.js';
import { fhirXmlToJson } from '../../../src/fhir/xml.js';
import { DEFAULT_PATIENT_URL, assembleAsbestosBundle, listAsbestosTests } from '../../support/asbestos-bundles.js';
import type { AsbestosCollection } from '../../support/asbestos-bundles.js';

const PATIENT: PatientIdentifier = { value: '279035121518989', system: '1.2.250.1.213.1.4.10' };
const ORIGINAL = 'http://localhost:8080/fhir/DocumentReference/0b5c6f4e-1111-4222-8333-944455556666';
const resolvePatient = (link: PatientLink): PatientIdentifier | null => (link.reference === DEFAULT_PATIENT_URL ? PATIENT : null);

/** What each negative test must be refused for: [error code, location suffix]. */
const EXPECTED_PROBLEM: Record<string, [string, string]> = {
  Bad_Patient_Link: ['unknown_patient', 'entry[0].resource.subject.reference'],
  Bad_Patient_Link_SubmissionSetTypeList: ['unknown_patient', 'entry[1].resource.subject.reference'],
  Bad_Patient_Link_List: ['unknown_patient', 'entry[1].resource.subject.reference'],
  Bad_Profile: ['invalid_metadata', 'Bundle.meta.profile'],
  Missing_Profile: ['invalid_metadata', 'Bundle.meta.profile'],
  Bad_SourcePatientInfo_Link: ['invalid_metadata', 'resource.context.sourcePatientInfo.reference'],
  Missing_ContentTypeCode: ['invalid_metadata', "extension('https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-designationType')"],
  Missing_Document: ['missing_document', 'resource.content[0].attachment.url'],
  Missing_Format_Code: ['invalid_metadata', 'resource.content[0].format'],
  Missing_HealthcareFacilityTypeCode: ['invalid_metadata', 'resource.context.facilityType'],
  Missing_LanguageCode: ['invalid_metadata', 'resource.content[0].attachment.language'],
  Missing_MimeType: ['invalid_metadata', 'resource.content[0].attachment.contentType'],
  Missing_PatientID_Reference: ['invalid_metadata', 'entry[0].resource.subject.reference'],
  Missing_PatientID_SubmissionSetTypeList: ['invalid_metadata', 'entry[1].resource.subject'],
  Missing_PracticeSettingCode: ['invalid_metadata', 'resource.context.practiceSetting'],
  Missing_SourceId: ['invalid_metadata', "extension('https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-sourceId')"],
  Missing_SourcePatientId: ['invalid_metadata', 'resource.context.sourcePatientInfo'],
  Missing_SubmissionTime: ['invalid_metadata', 'entry[1].resource.date'],
  Missing_TypeCode: ['invalid_metadata', 'entry[0].resource.type'],
  Missing_UniqueId_Reference: ['invalid_metadata', 'entry[0].resource.masterIdentifier'],
  Missing_UniqueId_SubmissionSetTypeList: ['invalid_metadata', 'entry[1].resource.identifier'],
  Missing_DocumentReference_with_reference: ['invalid_metadata', 'Bundle.entry'],
  Missing_DocumentReference_without_reference: ['invalid_metadata', 'Bundle.entry'],
  Missing_SubmissionSetTypeList: ['invalid_metadata', 'Bundle.entry'],
};

function bundleOf(xml: string): Bundle {
  return fhirXmlToJson<Bundle>(xml);
}

beforeAll(() => ensureFhirDefinitions());

describe('ITI-65 Provide Document Bundle -> SubmissionRequest (Asbestos MHDv420)', () => {
  for (const collection of ['MHDv420_DocumentRecipient_comprehensive', 'MHDv420_DocumentRecipient_minimal'] as AsbestosCollection[]) {
    for (const test of listAsbestosTests(collection)) {
      const label = `${collection.replace('MHDv420_DocumentRecipient_', '')} ${test.name}`;
      if (test.expectSuccess) {
        it(`${label}: accepted`, async () => {
          for (const fixture of test.fixtures) {
            const bundle = bundleOf(assembleAsbestosBundle(test, fixture, { variables: { original: ORIGINAL } }));
            const request = await provideBundleToSubmission(bundle, { resolvePatient });
            expect(request.submissionSet.patientId).toEqual(PATIENT);
            expect(request.documents.length).toBeGreaterThanOrEqual(1);
            for (const doc of request.documents) {
              expect(doc.metadata.patientId).toEqual(PATIENT);
              expect(Buffer.from(doc.content ?? []).toString('utf8')).toMatch(/^foobar/);
              expect(doc.metadata.uniqueId).toMatch(/^1\.2\.129\.6\.58\.92\.8833/);
              expect(request.associations).toContainEqual(
                expect.objectContaining({ type: 'HasMember', sourceId: request.submissionSet.id, targetId: doc.id, submissionSetStatus: 'Original' }),
              );
            }
            const relation = { addendum: 'APND', replace: 'RPLC', transforms: 'XFRM' }[fixture.fixtureId];
            if (relation) {
              expect(request.associations).toContainEqual(
                expect.objectContaining({ type: relation, sourceId: request.documents[0]?.id, targetId: 'urn:uuid:0b5c6f4e-1111-4222-8333-944455556666' }),
              );
            }
          }
        });
      } else {
        it(`${label}: refused for the reason the description names`, async () => {
          const [code, location] = EXPECTED_PROBLEM[test.name] ?? ['?', '?'];
          const bundle = bundleOf(assembleAsbestosBundle(test, test.fixtures[0], { variables: { original: ORIGINAL } }));
          const { request, problems } = await readProvideBundle(bundle, { resolvePatient });
          expect(request).toBeUndefined();
          expect(problems.map((p) => [p.code, p.location])).toContainEqual([code, expect.stringContaining(location)]);
          const error = await provideBundleToSubmission(bundle, { resolvePatient }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(CarnetErrors);
          const { status, outcome } = outcomeForError(error as CarnetErrors);
          expect(status).toBe(400);
          expect(outcome.issue.length).toBe(problems.length);
        });
      }
    }
  }

  it('comprehensive metadata: the first comprehensive Bundle maps every element', async () => {
    const test = listAsbestosTests('MHDv420_DocumentRecipient_comprehensive').find((t) => t.name === '1_Prerequisite_Single_Document_with_Binary');
    if (!test) throw new Error('fixture missing');
    const request = await provideBundleToSubmission(bundleOf(assembleAsbestosBundle(test)), { resolvePatient });
    expect(request.submissionSet).toEqual({
      id: 'urn:uuid:3fdc72f4-a11d-4a9d-9260-a9f745779e02',
      uniqueId: '1.2.129.6.58.92.88337.4',
      sourceId: '1.3.6.1.4.1.21367.2009.1.2.1',
      patientId: PATIENT,
      submissionTime: '20210824031300',
      contentTypeCode: { code: '225728007', system: '2.16.840.1.113883.6.96', display: 'Accident and Emergency department' },
      authors: [],
      intendedRecipients: [],
      limitedMetadata: false,
    });
    expect(request.documents[0]?.metadata).toEqual({
      uniqueId: '1.2.129.6.58.92.88336.4',
      patientId: PATIENT,
      mimeType: 'text/plain',
      availabilityStatus: 'Approved',
      limitedMetadata: false,
      typeCode: { code: '34895-3', system: '2.16.840.1.113883.6.1', display: 'Education Note' },
      classCode: { code: 'REPORTS', system: '1.3.6.1.4.1.19376.1.2.6.1', display: 'Reports' },
      confidentialityCodes: [{ code: 'N', system: '2.16.840.1.113883.5.25', display: 'normal' }],
      languageCode: 'en-US',
      creationTime: '20150207112817',
      formatCode: { code: 'urn:ihe:pcc:cm:2008', system: '1.3.6.1.4.1.19376.1.2.3', display: 'Care Management (CM)' },
      eventCodes: [],
      healthcareFacilityTypeCode: { code: '264372000', system: '2.16.840.1.113883.6.96', display: 'Pharmacy' },
      practiceSettingCode: { code: '225728007', system: '2.16.840.1.113883.6.96' },
      sourcePatientId: 'myMRN^^^&1.2.132.163&ISO',
      authors: [],
      // the date the source gave (issue 12 item 10)
      referenceDate: '2015-02-07T13:28:17.239+02:00',
      referenceIds: [],
    });
    expect(request.documents[0]?.id).toBe('urn:uuid:1e404af3-077f-4bee-b7a6-a9be97e1ce01');
  });

  it('Missing_PatientID (comprehensive) takes the patient from the SubmissionSet', async () => {
    const test = listAsbestosTests('MHDv420_DocumentRecipient_comprehensive').find((t) => t.name === 'Missing_PatientID');
    if (!test) throw new Error('fixture missing');
    const request = await provideBundleToSubmission(bundleOf(assembleAsbestosBundle(test)), { resolvePatient });
    expect(request.documents[0]?.metadata.patientId).toEqual(PATIENT);
  });

  it('reports every problem of a Bundle, not only the first', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { fullUrl: 'urn:uuid:a', resource: { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: {} }] }, request: { method: 'GET', url: 'DocumentReference' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const { problems } = await readProvideBundle(bundle, { resolvePatient });
    const locations = problems.map((p) => p.location);
    expect(locations).toEqual(
      expect.arrayContaining([
        'Bundle.type',
        'Bundle.meta.profile',
        'Bundle.entry[0].request.method',
        'Bundle.entry[1].fullUrl',
        'Bundle.entry[1].resource',
        'Bundle.entry',
        'Bundle.entry[0].resource.masterIdentifier',
        'Bundle.entry[0].resource.content[0].attachment.contentType',
        'Bundle.entry[0].resource.content[0].attachment.url',
      ]),
    );
  });

  it('accepts inline attachment.data, folders, in-bundle Patients, patient mismatch detection and XFRM_RPLC', async () => {
    const patientUrl = 'urn:uuid:99999999-0000-4000-8000-000000000001';
    const ss = {
      resourceType: 'List' as const,
      extension: [{ url: 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-sourceId', valueIdentifier: { value: 'urn:oid:1.2.3' } }],
      identifier: [{ use: 'usual' as const, system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.3.4.5' }],
      status: 'current' as const,
      mode: 'working' as const,
      code: { coding: [{ system: 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes', code: 'submissionset' }] },
      subject: { reference: patientUrl },
      date: '2024-05-01T12:00:00+02:00',
      entry: [{ item: { reference: 'urn:uuid:d1' } }, { item: { reference: 'urn:uuid:f1' } }],
    };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      meta: { profile: ['http://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.ProvideBundle'] },
      entry: [
        { fullUrl: 'urn:uuid:ss', resource: ss, request: { method: 'POST', url: 'List' } },
        {
          fullUrl: 'urn:uuid:d1',
          resource: {
            resourceType: 'DocumentReference',
            status: 'current',
            masterIdentifier: { value: 'urn:oid:1.2.3.4.6' },
            subject: { reference: patientUrl },
            relatesTo: [
              { code: 'replaces', target: { reference: 'DocumentReference/abc' } },
              { code: 'transforms', target: { reference: 'DocumentReference/abc' } },
            ],
            content: [{ attachment: { contentType: 'text/plain', data: 'SGVsbG8=' } }],
          },
          request: { method: 'POST', url: 'DocumentReference' },
        },
        {
          fullUrl: 'urn:uuid:f1',
          resource: {
            resourceType: 'List',
            identifier: [{ use: 'usual', value: 'urn:oid:1.2.3.4.7' }],
            status: 'current',
            mode: 'working',
            code: { coding: [{ system: 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes', code: 'folder' }] },
            subject: { reference: patientUrl },
            entry: [{ item: { reference: 'urn:uuid:d1' } }],
          },
          request: { method: 'POST', url: 'List' },
        },
        { fullUrl: patientUrl, resource: { resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: '1' }] }, request: { method: 'PUT', url: 'Patient/x' } },
      ],
    };
    const seen: PatientLink[] = [];
    const request = await provideBundleToSubmission(bundle, {
      resolvePatient: (link) => {
        seen.push(link);
        return link.resource?.identifier?.[0]?.value === '1' ? { value: '1', system: '1.2.250.1.213.1.4.8' } : null;
      },
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]?.resource?.resourceType).toBe('Patient');
    expect(request.documents[0]?.content).toEqual(new Uint8Array(Buffer.from('Hello')));
    expect(request.documents[0]?.metadata.limitedMetadata).toBe(true);
    expect(request.folders).toEqual([
      { id: 'urn:uuid:f1', metadata: { uniqueId: '1.2.3.4.7', patientId: { value: '1', system: '1.2.250.1.213.1.4.8' }, codeList: [], limitedMetadata: true, availabilityStatus: 'Approved' } },
    ]);
    const types = request.associations.map((a) => `${a.type} ${a.sourceId} ${a.targetId}`);
    expect(types).toEqual([
      'XFRM_RPLC urn:uuid:d1 urn:uuid:abc',
      'HasMember urn:uuid:ss urn:uuid:d1',
      'HasMember urn:uuid:ss urn:uuid:f1',
      'HasMember urn:uuid:f1 urn:uuid:d1',
      'HasMember urn:uuid:ss Association04',
    ]);

    // Same Bundle, the document names another (known) patient.
    const other = structuredClone(bundle);
    const dr = other.entry?.[1]?.resource as { subject: { reference: string } };
    dr.subject = { reference: 'Patient/other' };
    const { problems } = await readProvideBundle(other, {
      resolvePatient: (link) => (link.resource ? { value: '1', system: '1.2.250.1.213.1.4.8' } : { value: '2', system: '1.2.250.1.213.1.4.8' }),
    });
    expect(problems.map((p) => [p.code, p.location])).toEqual([['patient_mismatch', 'Bundle.entry[1].resource.subject.reference']]);
  });

  it('builds the transaction-response: one 201 entry per request entry with its location', async () => {
    const test = listAsbestosTests('MHDv420_DocumentRecipient_comprehensive').find((t) => t.name === 'Two_Documents_Submit');
    if (!test) throw new Error('fixture missing');
    const bundle = bundleOf(assembleAsbestosBundle(test));
    const request = await provideBundleToSubmission(bundle, { resolvePatient });
    const assignedIds: Record<string, string> = { [request.submissionSet.id]: 'urn:uuid:00000000-0000-4000-8000-0000000000aa' };
    request.documents.forEach((d, i) => (assignedIds[d.id] = `urn:uuid:00000000-0000-4000-8000-00000000000${i + 1}`));
    const response = transactionResponse(bundle, { submissionSetUuid: 'urn:uuid:00000000-0000-4000-8000-0000000000aa', assignedIds, resubmitted: [], warnings: [] }, { lastModified: '2024-01-01T00:00:00Z' });
    expect(response.type).toBe('transaction-response');
    expect(response.entry).toHaveLength(bundle.entry?.length ?? -1);
    const locations = response.entry?.map((e) => e.response?.location);
    const byType = (bundle.entry ?? []).map((e) => e.resource?.resourceType);
    byType.forEach((type, i) => {
      expect(response.entry?.[i]?.response?.status).toBe('201 Created');
      expect(locations?.[i]).toMatch(new RegExp(`^${type}/00000000-0000-4000-8000-0000000000`));
    });
    // each Binary is located under the id of the document that points at it
    const binaryLocations = locations?.filter((l) => l?.startsWith('Binary/')).sort();
    // (a document's location names the version created, R4 http.html#transaction-response; a Binary has none)
    const docLocations = locations?.filter((l) => l?.startsWith('DocumentReference/')).map((l) => l?.replace('DocumentReference/', 'Binary/').replace(/\/_history\/1$/, '')).sort();
    expect(binaryLocations).toEqual(docLocations);
  });
});

describe('a large Bundle does not hold the event loop while it is read', () => {
  it('lets other callbacks run between slices of its documents (issue 11: no request stalls the server)', async () => {
    const { provideBundle } = await import('../../support/mhd-bundle.js');
    const bundle = provideBundle({ patient: DEFAULT_PATIENT_URL, docs: Array.from({ length: 200 }, (_, i) => ({ typeCode: '11490-0', content: `document ${i}` })) });
    // A callback of the next event-loop turn, rescheduling itself: it runs only when the reading
    // gives the loop back (resolvePatient answers at once, so nothing else would).
    let turns = 0;
    let reading = true;
    const turn = (): void => {
      if (!reading) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);
    const { request, problems } = await readProvideBundle(bundle as Bundle, { resolvePatient: async (link) => resolvePatient(link), check: () => [] });
    reading = false;
    expect(problems).toEqual([]);
    expect(request?.documents).toHaveLength(200);
    // One turn at least every 16 documents.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(200 / 16) - 1);
  });
});
