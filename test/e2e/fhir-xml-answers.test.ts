// Issue 12 proof, XML half: every kind of answer the FHIR door gives is asked for in XML
// (`_format=xml` or Accept application/fhir+xml) and each one must be valid against the official
// R4 XML Schema shipped in test/fixtures/fhir/xsd. The answer tap of test/support/app.ts judges
// every XML answer of every e2e server the same way; this file makes sure each kind is met at
// least once, success and refusal alike, and names the one that fails.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEvent, Bundle, DocumentReference, List, Patient, Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import { fhirJsonToXml, fhirXmlToJson } from '../../src/fhir/xml.js';
import { creationPatient } from '../support/fhir-record.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { startPortal, type Portal } from '../support/patient-portal.js';
import { proActor } from '../support/world.js';
import { xsdErrors } from '../support/xsd-check.js';

const doctor = proActor('doctor');
const stranger = proActor('doctor2');
const support: Actor = { kind: 'support', agentId: 'agent-xml' };
const XML = 'application/fhir+xml';

interface Ask {
  method?: string;
  actor?: Actor | null;
  /** how XML is asked for: the `_format` parameter (default) or the Accept header */
  by?: 'format' | 'accept';
  body?: string;
  headers?: Record<string, string>;
}

interface XmlAnswer {
  status: number;
  contentType: string;
  text: string;
}

describe('issue 12 proof: every FHIR answer asked for in XML is valid against the R4 XML Schema', () => {
  let portal: Portal;
  let patientKey: string;
  let patient: Actor;
  let docId: string;
  let submissionSetId: string;

  async function ask(path: string, o: Ask = {}): Promise<XmlAnswer> {
    const headers: Record<string, string> = { ...o.headers };
    const actor = o.actor === undefined ? patient : o.actor;
    if (actor) headers.authorization = `Bearer ${await portal.server.tokenFor(actor)}`;
    let url = `${portal.server.baseUrl}/fhir${path}`;
    if ((o.by ?? 'format') === 'format') url += `${path.includes('?') ? '&' : '?'}_format=xml`;
    else headers.accept = XML;
    const res = await fetch(url, { method: o.method ?? 'GET', headers, body: o.body });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  /** The answer is FHIR XML, of the status expected, and the R4 XML Schema finds nothing wrong in it. */
  function valid(what: string, a: XmlAnswer, status: number): void {
    expect({ what, status: a.status, type: a.contentType.split(';')[0] }).toEqual({ what, status, type: XML });
    expect({ what, errors: xsdErrors(a.text) }).toEqual({ what, errors: [] });
  }

  const read = <T extends Resource>(a: XmlAnswer) => fhirXmlToJson<T>(a.text);

  beforeAll(async () => {
    portal = await startPortal();
    // Patient create, answered in XML (the request itself in JSON).
    const created = await ask('/Patient', {
      method: 'POST',
      actor: support,
      by: 'accept',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(creationPatient({ family: 'Lefèvre', given: 'Inès', birthDate: '1979-03-02' })),
    });
    valid('Patient create', created, 201);
    patientKey = read<Patient>(created).id!;
    patient = { kind: 'patient', patientKey };
    // ITI-65 sent and answered in XML.
    const bundle = provideBundle({
      patient: `Patient/${patientKey}`,
      docs: [
        {
          typeCode: '11490-0',
          author: { idNatPs: doctor.idNatPs, family: doctor.family!, given: doctor.given! },
          content: 'Lettre de liaison <XML> & co',
          title: 'Lettre de liaison',
          creation: '2026-01-05T08:00:00Z',
          date: '2026-01-05T09:00:00+01:00',
          period: { start: '2026-01-01T00:00:00Z', end: '2026-01-05T00:00:00Z' },
          event: 'EV1',
          related: { system: 'urn:oid:1.2.250.1.999.8', value: 'SEJ-1' },
        },
      ],
    });
    const provided = await ask('', { method: 'POST', actor: doctor, by: 'accept', headers: { 'content-type': XML }, body: fhirJsonToXml(bundle) });
    valid('ITI-65 transaction-response', provided, 200);
    const locations = (read<Bundle>(provided).entry ?? []).map((e) => e.response?.location ?? '');
    docId = locations.find((l) => l.startsWith('DocumentReference/'))!.split('/')[1]!;
    submissionSetId = locations.find((l) => l.startsWith('List/'))!.split('/')[1]!;
  });
  afterAll(async () => {
    await portal?.close();
  });

  it('CapabilityStatement, by _format and by Accept', async () => {
    valid('metadata _format', await ask('/metadata', { actor: null }), 200);
    valid('metadata Accept', await ask('/metadata', { actor: null, by: 'accept' }), 200);
  });

  it('Patient read and search', async () => {
    valid('Patient read', await ask(`/Patient/${patientKey}`), 200);
    valid('Patient search', await ask(`/Patient?_id=${patientKey}`, { by: 'accept' }), 200);
  });

  it('DocumentReference read, vread and ITI-67 search (GET and POST _search)', async () => {
    const one = await ask(`/DocumentReference/${docId}`);
    valid('DocumentReference read', one, 200);
    const version = read<DocumentReference>(one).meta?.versionId;
    valid('DocumentReference vread', await ask(`/DocumentReference/${docId}/_history/${version}`), 200);
    valid('ITI-67 search', await ask(`/DocumentReference?patient=Patient/${patientKey}&_count=1&_total=accurate`), 200);
    valid(
      'ITI-67 POST _search',
      await ask('/DocumentReference/_search', { method: 'POST', by: 'accept', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `patient=Patient/${patientKey}` }),
      200,
    );
  });

  it('ITI-66: SubmissionSet read and List searches (submission sets, folders, personal selections)', async () => {
    valid('SubmissionSet read', await ask(`/List/${submissionSetId}`), 200);
    valid('ITI-66 submissionset search', await ask(`/List?patient=Patient/${patientKey}&code=submissionset`), 200);
    valid('ITI-66 folder search', await ask(`/List?patient=Patient/${patientKey}&code=folder`), 200);
    valid('selections search', await ask(`/List?patient=Patient/${patientKey}&code=carnet-selection`), 200);
  });

  it('ITI-68 as a Binary resource', async () => {
    const binary = await ask(`/Binary/${docId}`);
    valid('Binary', binary, 200);
  });

  it('Consent and AuditEvent searches and reads', async () => {
    valid('Consent search', await ask(`/Consent?patient=Patient/${patientKey}`), 200);
    const audit = await ask(`/AuditEvent?patient=Patient/${patientKey}&_count=5`);
    valid('AuditEvent search', audit, 200);
    const first = (read<Bundle>(audit).entry ?? []).map((e) => e.resource as AuditEvent)[0];
    expect(first?.id).toBeDefined();
    valid('AuditEvent read', await ask(`/AuditEvent/${first!.id}`), 200);
  });

  it('the patient operations $home, $preferences and $contacts', async () => {
    valid('$home', await ask(`/Patient/${patientKey}/$home`), 200);
    valid('$preferences', await ask(`/Patient/${patientKey}/$preferences`), 200);
    valid('$contacts', await ask(`/Patient/${patientKey}/$contacts`), 200);
  });

  it('conformance resources: OperationDefinition, SearchParameter, CodeSystem and ValueSet searches, a StructureDefinition read', async () => {
    for (const type of ['OperationDefinition', 'SearchParameter', 'CodeSystem', 'ValueSet']) valid(`${type} search`, await ask(`/${type}`, { actor: null }), 200);
    const sds = read<Bundle>(await ask('/StructureDefinition?_count=1', { actor: null }));
    const sd = sds.entry?.[0]?.resource;
    expect(sd?.id).toBeDefined();
    valid('StructureDefinition read', await ask(`/StructureDefinition/${sd!.id}`, { actor: null }), 200);
  });

  it('$validate answers its OperationOutcome in XML', async () => {
    const dr = { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'text/plain' } }] };
    valid('$validate', await ask('/DocumentReference/$validate', { method: 'POST', actor: doctor, headers: { 'content-type': XML }, body: fhirJsonToXml(dr as DocumentReference) }), 200);
  });

  it('refusals are OperationOutcomes in XML: 400, 401, 403, 404, 412, 415, 422', async () => {
    valid('400 bad search', await ask(`/DocumentReference?patient=Patient/${patientKey}&date=not-a-date`), 400);
    valid('401 no token', await ask(`/DocumentReference?patient=Patient/${patientKey}`, { actor: null }), 401);
    valid('403 no right to the record', await ask(`/DocumentReference?patient=Patient/${patientKey}`, { actor: stranger }), 403);
    valid('404 unknown document', await ask('/DocumentReference/00000000-0000-4000-8000-000000000000'), 404);
    const patch = JSON.stringify([{ op: 'add', path: '/extension', value: [] }]);
    valid('412 stale If-Match', await ask(`/DocumentReference/${docId}`, { method: 'PATCH', headers: { 'content-type': 'application/json-patch+json', 'if-match': 'W/"0"' }, body: patch }), 412);
    valid('415 PATCH in XML', await ask(`/DocumentReference/${docId}`, { method: 'PATCH', headers: { 'content-type': XML }, body: '<Parameters xmlns="http://hl7.org/fhir"/>' }), 415);
    const batch = { ...provideBundle({ patient: `Patient/${patientKey}`, docs: [{}] }), type: 'batch' as const };
    valid('422 ITI-65 batch', await ask('', { method: 'POST', actor: doctor, headers: { 'content-type': XML }, body: fhirJsonToXml(batch) }), 422);
  });

  it('a List of the SubmissionSet read back in XML reads as the JSON one', async () => {
    const xml = read<List>(await ask(`/List/${submissionSetId}`));
    const res = await fetch(`${portal.server.baseUrl}/fhir/List/${submissionSetId}`, { headers: { authorization: `Bearer ${await portal.server.tokenFor(patient)}` } });
    expect(xml).toEqual(await res.json());
  });
});
