import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import {
  adultRecord,
  deposit,
  fhir,
  grantConsent,
  IDNAT_PS,
  patientActor,
  pro,
  reasonOf,
  startRecordServer,
  type RecordServer,
} from '../support/fhir-record.js';

const TRACE_ACTION = 'https://carnet.example/fhir/CodeSystem/dmp-trace-action';
const ACCESS_MODE = 'https://carnet.example/fhir/CodeSystem/dmp-access-mode';

const traceAction = (e: AuditEvent) => e.subtype?.find((s) => s.system === TRACE_ACTION)?.code;
const requestor = (e: AuditEvent) => e.agent.find((a) => a.requestor)!;

describe('FHIR AuditEvent: the access history in BALP shape', () => {
  let rs: RecordServer;
  let patientKey: string;
  let entryUuid: string;
  const doctor = pro('doctor');
  const breaker = pro('doctor2', { mode: 'bris_de_glace' });

  beforeAll(async () => {
    rs = await startRecordServer();
    const rec = await adultRecord(rs);
    patientKey = rec.patientKey;
    await fhir(rs, patientActor(patientKey), 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', doctor.idNatPs, 'permit') });
    entryUuid = await deposit(rs, doctor, rec.ins);
    expect((await fhir(rs, doctor, 'GET', `DocumentReference/${entryUuid}`)).status).toBe(200);
    expect((await fhir(rs, breaker, 'GET', `DocumentReference?patient=Patient/${patientKey}`)).status).toBe(200);
  });
  afterAll(async () => {
    await rs.close();
  });

  async function history(query = ''): Promise<AuditEvent[]> {
    const res = await fhir<Bundle>(rs, patientActor(patientKey), 'GET', `AuditEvent?patient=Patient/${patientKey}${query}`);
    expect(res.status).toBe(200);
    return (res.body.entry ?? []).map((e) => e.resource as AuditEvent);
  }

  it('TRACE-01: a document read is an AuditEvent R with the reader as requestor and the patient and document as entities', async () => {
    const reads = await history(`&action=R&agent=Practitioner/${doctor.idNatPs}`);
    const read = reads.find((e) => traceAction(e) === 'document.read')!;
    expect(read).toBeDefined();
    expect(read.action).toBe('R');
    expect(read.outcome).toBe('0');
    expect(read.type).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' });
    expect(read.subtype).toContainEqual(expect.objectContaining({ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }));
    const who = requestor(read);
    expect(who.who).toMatchObject({ reference: `Practitioner/${doctor.idNatPs}`, identifier: { system: IDNAT_PS, value: doctor.idNatPs }, display: 'Alice Martin' });
    expect(who.role?.[0].coding?.[0].code).toBe('10');
    expect(who.purposeOfUse).toBeUndefined();
    expect(read.entity).toContainEqual(expect.objectContaining({ role: expect.objectContaining({ code: '1' }), what: { reference: `Patient/${patientKey}` } }));
    expect(read.entity).toContainEqual(expect.objectContaining({ what: expect.objectContaining({ reference: `DocumentReference/${entryUuid}` }) }));
  });

  it('TRACE-01: a deposit is an AuditEvent C naming the document', async () => {
    const created = await history('&action=C');
    const submit = created.find((e) => traceAction(e) === 'document.submit')!;
    expect(submit.action).toBe('C');
    expect(requestor(submit).who?.identifier?.value).toBe(doctor.idNatPs);
    expect(submit.entity?.some((x) => x.what?.reference === `DocumentReference/${entryUuid}`)).toBe(true);
  });

  it('ACC-05, TRACE-03: an emergency access carries its purpose of use, and is found by it', async () => {
    const emergencies = await history('&purpose-of-use=bris_de_glace');
    expect(emergencies.length).toBeGreaterThanOrEqual(1);
    for (const e of emergencies) {
      expect(requestor(e).who?.identifier?.value).toBe(breaker.idNatPs);
      expect(requestor(e).purposeOfUse?.[0].coding).toEqual([
        { system: ACCESS_MODE, code: 'bris_de_glace' },
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT', display: 'Emergency Treatment' },
      ]);
      expect(e.purposeOfEvent?.[0].coding?.[0].code).toBe('bris_de_glace');
    }
    const etreat = await history('&purpose-of-use=http://terminology.hl7.org/CodeSystem/v3-ActReason|ETREAT');
    expect(etreat.map((e) => e.id).sort()).toEqual(emergencies.map((e) => e.id).sort());
  });

  it('a refusal is an AuditEvent with outcome 4 and its reason', async () => {
    expect((await fhir(rs, pro('dentist'), 'GET', `DocumentReference?patient=Patient/${patientKey}`)).status).toBe(403);
    const refused = await history(`&agent=${pro('dentist').idNatPs}`);
    expect(refused[0].outcome).toBe('4');
    expect(refused[0].outcomeDesc).toBe('not_authorised');
  });

  it('searches by entity (the document), by date, and pages', async () => {
    const byDoc = await history(`&entity=DocumentReference/${entryUuid}`);
    expect(byDoc.map(traceAction)).toEqual(expect.arrayContaining(['document.submit', 'document.read']));
    const future = await history('&date=ge2999-01-01');
    expect(future).toHaveLength(0);
    const today = new Date().toISOString().slice(0, 10);
    const todays = await history(`&date=ge${today}&date=le${today}`);
    expect(todays.length).toBeGreaterThan(3);
    const page = await fhir<Bundle>(rs, patientActor(patientKey), 'GET', `AuditEvent?patient=Patient/${patientKey}&_count=2`);
    expect(page.body.entry).toHaveLength(2);
    expect(page.body.total).toBeGreaterThan(2);
    expect(page.body.link?.find((l) => l.relation === 'next')?.url).toContain('_offset=2');
  });

  it('reads one AuditEvent by id, with fhir-kit-client and in XML', async () => {
    const [first] = await history('&_count=1');
    const client = new Client({ baseUrl: rs.fhirBase, bearerToken: await rs.server.tokenFor(patientActor(patientKey)) });
    const read = (await client.read({ resourceType: 'AuditEvent', id: first.id! })) as unknown as AuditEvent;
    expect(read).toEqual(first);
    const xml = await fhir<AuditEvent>(rs, patientActor(patientKey), 'GET', `AuditEvent/${first.id}`, { format: 'xml' });
    expect(xml.status).toBe(200);
    expect(xml.body.id).toBe(first.id);
    expect(xml.body.agent.length).toBe(first.agent.length);
  });

  it('TRACE-04: a professional who is not médecin traitant is refused (403); unknown ids are 404; no token 401', async () => {
    const res = await fhir(rs, doctor, 'GET', `AuditEvent?patient=Patient/${patientKey}`);
    expect(res.status).toBe(403);
    expect(reasonOf(res.body)).toBe('not_medecin_traitant');
    const [first] = await history('&_count=1');
    expect((await fhir(rs, doctor, 'GET', `AuditEvent/${first.id}`)).status).toBe(403);
    expect((await fhir(rs, patientActor(patientKey), 'GET', `AuditEvent/${patientKey.replace(/-/g, '')}${'0'.repeat(32)}`)).status).toBe(404);
    expect((await fhir(rs, patientActor(patientKey), 'GET', 'AuditEvent/nothing')).status).toBe(404);
    expect((await fhir(rs, null, 'GET', `AuditEvent?patient=Patient/${patientKey}`)).status).toBe(401);
  });

  it('the patient may omit the patient parameter; bad parameters are 400', async () => {
    const mine = await fhir<Bundle>(rs, patientActor(patientKey), 'GET', 'AuditEvent?_count=1');
    expect(mine.status).toBe(200);
    expect(mine.body.total).toBeGreaterThan(0);
    expect((await fhir(rs, patientActor(patientKey), 'GET', 'AuditEvent?action=X')).status).toBe(400);
    expect((await fhir(rs, patientActor(patientKey), 'GET', 'AuditEvent?date=yesterday')).status).toBe(400);
  });
});
