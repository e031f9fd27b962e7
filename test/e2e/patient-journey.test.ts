// The patient journey, in order, on a real port with a real SMTP server: a DMP created at
// a pharmacy's desk with its account, the first login and the forced change, codes by mail, the home figures, masking, a
// professional's access seen in the history, the alert for a new document, and a download.
import { creationPatient, grantConsent } from '../support/fhir-record.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { AuditEvent, Bundle, Consent, DocumentReference, Extension, Parameters, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { runJobs } from '../../src/services/jobs.js';
import { call, logIn, param, provide, resourcesOf, startPortal, type Portal } from '../support/patient-portal.js';
import { proActor } from '../support/world.js';
import { readZip } from '../support/zip.js';

const MARK = 'https://carnet.example/fhir/CodeSystem/dmp-history-mark';
const ACCOUNT_EXT = 'https://carnet.example/fhir/StructureDefinition/dmp-internet-account';
const CREDENTIALS_EXT = 'https://carnet.example/fhir/StructureDefinition/dmp-issued-credentials';
const PRESENCE_EXT = 'https://carnet.example/fhir/StructureDefinition/dmp-doctor-presence-required';
const TRE_A07 = 'https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument';
const tags = (e: AuditEvent) => (e.meta?.tag ?? []).filter((t) => t.system === MARK).map((t) => t.code);

describe('the patient journey (PAT, TRACE-03, AUTH) on a real port with a real SMTP sink', () => {
  let portal: Portal;
  const doctor = proActor('doctor');
  const doctor2 = proActor('doctor2');
  const email = `jeanne.${process.pid}@example.org`;
  const alerts = `alertes.${process.pid}@example.org`;
  let patientKey: string;
  let login: string;
  let temporaryPassword: string;
  let token: string;
  let docs: string[];

  beforeAll(async () => {
    portal = await startPortal();
  });
  afterAll(async () => {
    await portal?.close();
  });

  it('DMP-03: at the creation desk a pharmacist creates the DMP and hands over the account\'s login and temporary password, once', async () => {
    const pharmacist = proActor('pharmacist');
    const body = creationPatient({ family: 'Durand', given: 'Jeanne', birthDate: '1980-05-17' });
    const created = await call<Patient>(portal, 'POST', '/fhir/Patient', {
      actor: pharmacist,
      body: { ...body, extension: [{ url: ACCOUNT_EXT, valueBoolean: true }], telecom: [{ system: 'email', value: email }] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    patientKey = created.json.id!;
    const issued = created.json.extension!.filter((e) => e.url === CREDENTIALS_EXT);
    expect(issued).toHaveLength(1);
    const part = (name: string) => issued[0].extension!.find((e) => e.url === name);
    expect(part('holder')!.valueCode).toBe('patient');
    login = part('login')!.valueString!;
    temporaryPassword = part('temporaryPassword')!.valueString!;
    // never again: reading the record shows no credentials
    const again = await call<Patient>(portal, 'GET', `/fhir/Patient/${patientKey}`, { actor: pharmacist });
    expect(JSON.stringify(again.json)).not.toContain(temporaryPassword);
    // documents deposited by the hospital before the patient's first visit: two classes, one older
    docs = await provide(portal, doctor, patientKey, [
      { typeCode: '11488-4', classCode: '10', content: 'Compte rendu de consultation', creation: '2026-01-05T09:00:00Z', title: 'Consultation' },
      { typeCode: '34133-9', classCode: '11', content: 'Synthèse', creation: '2026-01-06T09:00:00Z', title: 'Synthèse' },
      { typeCode: '11502-2', classCode: '10', content: 'Hb 14 g/dL', creation: '2026-01-07T09:00:00Z', title: 'Biologie' },
    ]);
    expect(docs).toHaveLength(3);
  });

  it('AUTH-03 / AUTH-01: the first login with the temporary password forces a change; every login takes a code sent by mail', async () => {
    const first = await logIn(portal, login, temporaryPassword, email);
    expect(first.passwordChangeRequired).toBe(true);
    expect((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token: first.token })).status).toBe(403);
    expect((await call(portal, 'POST', '/auth/password', { token: first.token, body: { newPassword: 'mon nouveau mot de passe' } })).status).toBe(204);
    portal.clock.advance(60_000);
    const second = await logIn(portal, login, 'mon nouveau mot de passe', email);
    expect(second.passwordChangeRequired).toBe(false);
    token = second.token;
    const codes = portal.sink.messages.filter((m) => m.to.includes(email) && m.subject.includes('code de connexion'));
    expect(codes).toHaveLength(2);
    expect(new Set(codes.map((m) => /\b(\d{6})\b/.exec(m.text)?.[1])).size).toBe(2);
  });

  it('PAT-01: the home figures: the 5 latest documents, the count per category and the count of current documents', async () => {
    const home = await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token });
    expect(home.status).toBe(200);
    expect(param(home.json, 'currentCount')[0].valueInteger).toBe(3);
    expect(param(home.json, 'archivedCount')[0].valueInteger).toBe(0);
    const categories = param(home.json, 'category').map((c) => ({ code: c.part.find((p: any) => p.name === 'code').valueCoding.code, current: c.part.find((p: any) => p.name === 'current').valueInteger }));
    expect(categories).toEqual([{ code: '10', current: 2 }, { code: '11', current: 1 }]);
    const latest = param(home.json, 'latest').map((l) => (l.resource as DocumentReference).id);
    expect(latest.sort()).toEqual([...docs].sort());
    expect(param(home.json, 'pageSize')[0].valueInteger).toBe(20);
  });

  let masked: string;
  it('MASK-01 by the patient, and the home counts what the patient sees (archived documents leave the current count)', async () => {
    const res = await call<DocumentReference>(portal, 'PATCH', `/fhir/DocumentReference/${docs[0]}`, {
      token,
      contentType: 'application/json-patch+json',
      body: [{ op: 'add', path: '/securityLabel/-', value: { coding: [{ system: TRE_A07, code: 'MASQUE_PS' }] } }],
    });
    expect(res.status).toBe(200);
    masked = res.json.id!;
    const archive = await call(portal, 'PATCH', `/fhir/DocumentReference/${docs[2]}`, {
      token,
      contentType: 'application/json-patch+json',
      body: [{ op: 'add', path: '/extension', value: [{ url: 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived', valueBoolean: true }] }],
    });
    expect(archive.status).toBe(200);
    const home = await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token });
    expect(param(home.json, 'currentCount')[0].valueInteger).toBe(2);
    expect(param(home.json, 'archivedCount')[0].valueInteger).toBe(1);
    expect(param(home.json, 'latest').map((l) => l.resource.id)).not.toContain(docs[2]);
  });

  it('TRACE-03: a professional authorised by the patient searches; the patient sees the access in the professionals\' history, marked as a first access and new', async () => {
    const grant = await call(portal, 'POST', '/fhir/Consent', {
      token,
      body: {
        resourceType: 'Consent',
        status: 'active',
        scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
        category: [{ coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-consent-category', code: 'access' }] }],
        patient: { reference: `Patient/${patientKey}` },
        policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
        provision: { type: 'permit', actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { reference: `Practitioner/${doctor2.idNatPs}` } }] },
      },
    });
    expect(grant.status).toBe(201);
    portal.clock.advance(60_000);
    const seen = await call<Bundle>(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, { actor: doctor2 });
    expect(seen.status).toBe(200);
    // MASK-01: the masked document is not among what the other doctor finds
    expect(resourcesOf(seen.json).map((r) => r.id)).not.toContain(masked);

    const pros = await call<Bundle>(portal, 'GET', `/fhir/AuditEvent?_own=false&agent=Practitioner/${doctor2.idNatPs}`, { token });
    expect(pros.status).toBe(200);
    const events = resourcesOf<AuditEvent>(pros.json);
    expect(events.length).toBeGreaterThan(0);
    const search = events.find((e) => e.subtype?.some((s) => s.code === 'record.read'))!;
    expect(tags(search)).toEqual(expect.arrayContaining(['professional', 'first-access', 'new-since-last-login']));
    expect(search.agent?.[0].who?.reference).toBe(`Practitioner/${doctor2.idNatPs}`);
    // the deposits link to their documents, and only the earliest one of that doctor is a first access
    const deposits = resourcesOf<AuditEvent>((await call<Bundle>(portal, 'GET', `/fhir/AuditEvent?_own=false&agent=Practitioner/${doctor.idNatPs}&_count=100`, { token })).json);
    expect(deposits.filter((e) => tags(e).includes('first-access'))).toHaveLength(1);
    expect(deposits.some((e) => e.entity?.some((x) => x.what?.reference === `DocumentReference/${docs[1]}`))).toBe(true);
    // own actions: the mask, the archive, the authorisation, no professional among them
    const own = resourcesOf<AuditEvent>((await call<Bundle>(portal, 'GET', '/fhir/AuditEvent?_own=true&_count=100', { token })).json);
    expect(own.every((e) => tags(e).includes('own'))).toBe(true);
    expect(own.map((e) => e.subtype?.find((s) => s.system?.endsWith('dmp-trace-action'))?.code)).toEqual(expect.arrayContaining(['document.mask', 'document.archive', 'consent.manage']));
  });

  it('PAT-03: with an alert address set (AUTH-05 contact settings), a new document sends an alert e-mail', async () => {
    const set = await call(portal, 'PUT', '/auth/contact', { token, body: { alertEmail: alerts } });
    expect(set.status).toBe(200);
    const [fresh] = await provide(portal, doctor, patientKey, [{ typeCode: '11488-4', classCode: '10', content: 'Nouveau compte rendu', creation: '2026-02-01T09:00:00Z' }]);
    docs.push(fresh);
    // the alert was written in the deposit's transaction; the jobs' outbox round sends it (as `carnet serve` does every period)
    await runJobs(portal.server.app.services);
    const mails = await portal.sink.waitFor(alerts, 1);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Nouveau document dans votre DMP');
    expect(mails[0].text).not.toContain('Nouveau compte rendu');
  });

  it('PAT-06: a part of the record downloads as a zip: the chosen document with its metadata, the history, and a manifest with hashes', async () => {
    const res = await call(portal, 'GET', `/fhir/Patient/${patientKey}/$download?parts=documents,history&documents=${docs[1]},${docs[3]}`, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="dmp-.*\.zip"$/);
    const files = new Map(readZip(res.bytes).map((e) => [e.name, e.data]));
    expect([...files.keys()].sort()).toEqual(
      [`documents/${docs[1]}.metadata.json`, `documents/${docs[1]}.txt`, `documents/${docs[3]}.metadata.json`, `documents/${docs[3]}.txt`, 'history.json', 'manifest.json'].sort(),
    );
    expect(files.get(`documents/${docs[1]}.txt`)!.toString('utf8')).toBe('Synthèse');
    expect(JSON.parse(files.get(`documents/${docs[3]}.metadata.json`)!.toString('utf8'))).toMatchObject({ id: docs[3], mimeType: 'text/plain' });
    const history = JSON.parse(files.get('history.json')!.toString('utf8')) as Array<{ seq: number; actor: { id: string }; action: string }>;
    expect(history.map((h) => h.seq)).toEqual([...history.map((h) => h.seq)].sort((a, b) => a - b));
    expect(history.some((h) => h.actor.id === doctor2.idNatPs && h.action === 'record.read')).toBe(true);
    expect(history.at(-1)!.action).toBe('record.export');
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest).toMatchObject({ format: 'carnet-dmp-export/1', record: { id: patientKey }, for: { kind: 'patient' }, parts: ['documents', 'history'], documents: 2 });
    for (const f of manifest.files as Array<{ name: string; size: number; sha256: string }>) {
      expect(createHash('sha256').update(files.get(f.name)!).digest('hex')).toBe(f.sha256);
      expect(files.get(f.name)!.length).toBe(f.size);
    }
    expect((manifest.files as unknown[]).length).toBe(files.size - 1);
    // the masked document is the patient's to download too; a document of another record is not
    const other = await call(portal, 'GET', `/fhir/Patient/${patientKey}/$download?documents=00000000-0000-4000-8000-000000000000`, { token });
    expect(other.status).toBe(404);
  });
});

describe('the representative\'s life cycle (MIN-01..04, MASK-04, DMP-03) on a real port with a real SMTP sink', () => {
  let portal: Portal;
  const doctor = proActor('doctor');
  const mother = `mere.${process.pid}@example.org`;
  const father = `pere.${process.pid}@example.org`;
  const support = { kind: 'support' as const, agentId: 'agent-21' };
  // majority on 2026-03-21: the portal's clock starts on 2026-03-01, inside the month's notice
  const birthDate = '2008-03-21';
  let patientKey: string;
  let motherToken: string;
  let motherSession: { login: string; password: string; token: string };
  let fatherId: string;
  let fatherSession: { login: string; password: string; token: string };
  let docs: string[];

  const credentialsOf = (r: { extension?: Extension[] }) => {
    const e = r.extension!.find((x) => x.url === CREDENTIALS_EXT)!;
    const part = (n: string) => e.extension!.find((x) => x.url === n);
    return { login: part('login')!.valueString!, temporaryPassword: part('temporaryPassword')!.valueString!, representative: part('representative')?.valueIdentifier?.value };
  };
  /** The first login with a temporary password, its change, and a session with the new one. */
  const activate = async (c: { login: string; temporaryPassword: string }, email: string) => {
    const first = await logIn(portal, c.login, c.temporaryPassword, email);
    const password = `le mot de passe de ${email.slice(0, 4)} à moi`;
    expect((await call(portal, 'POST', '/auth/password', { token: first.token, body: { newPassword: password } })).status).toBe(204);
    return { login: c.login, password, token: (await logIn(portal, c.login, password, email)).token };
  };

  /** MIN-03: the code step refuses a representative whose access has ended. */
  const loginRefused = async (login: string, password: string, email: string) => {
    const before = portal.sink.messages.length;
    const start = await call(portal, 'POST', '/auth/login', { body: { login, password } });
    expect(start.status).toBe(200);
    const [mail] = (await portal.sink.waitFor(email, 1, (m) => portal.sink.messages.indexOf(m) >= before && m.subject.includes('code de connexion'))).slice(-1);
    const code = /\b(\d{6})\b/.exec(mail.text)![1];
    const verify = await call(portal, 'POST', '/auth/verify', { body: { challengeId: start.json.challengeId, code } });
    return { status: verify.status, error: verify.json.error };
  };

  beforeAll(async () => {
    portal = await startPortal();
  });
  afterAll(async () => {
    await portal?.close();
  });

  it('DMP-03, MIN-01: a doctor creates the minor\'s DMP with the mother\'s consent and hands over her own account', async () => {
    const body = creationPatient({ family: 'Morel', given: 'Lina', birthDate }) as Patient;
    body.contained = [
      {
        resourceType: 'RelatedPerson',
        id: 'mother',
        extension: [{ url: ACCOUNT_EXT, valueBoolean: true }],
        patient: { reference: '#' },
        relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'MTH' }] }],
        name: [{ family: 'Morel', given: ['Sonia'] }],
        telecom: [{ system: 'email', value: mother }],
      },
      { ...(body.contained![0] as Consent), performer: [{ reference: '#mother' }] },
    ];
    const created = await call<Patient>(portal, 'POST', '/fhir/Patient', { actor: doctor, body });
    expect(created.status).toBe(201);
    patientKey = created.json.id!;
    motherSession = await activate(credentialsOf(created.json), mother);
    motherToken = motherSession.token;
    // the mother authorises the family doctor, who may then act at the family's request
    const grant = await call(portal, 'POST', '/fhir/Consent', { token: motherToken, body: grantConsent(patientKey, 'Practitioner', doctor.idNatPs, 'permit') });
    expect(grant.status).toBe(201);
    docs = await provide(portal, doctor, patientKey, [
      { typeCode: '11488-4', classCode: '10', content: 'Compte rendu pédiatrique', creation: '2026-01-05T09:00:00Z' },
      { typeCode: '11502-2', classCode: '10', content: 'Bilan sanguin', creation: '2026-01-06T09:00:00Z' },
    ]);
  });

  it('MIN-02, ACC-07: at the family\'s request the doctor adds the father, whose own account comes with it; not without the request, and never a third', async () => {
    const father1: RelatedPerson = {
      resourceType: 'RelatedPerson',
      extension: [{ url: ACCOUNT_EXT, valueBoolean: true }],
      patient: { reference: `Patient/${patientKey}` },
      relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'FTH' }] }],
      name: [{ family: 'Morel', given: ['Karim'] }],
      telecom: [{ system: 'email', value: father }],
    };
    const unasked = await call(portal, 'POST', '/fhir/RelatedPerson', { actor: doctor, body: father1 });
    expect(unasked.status).toBe(403);
    const added = await call<RelatedPerson>(portal, 'POST', '/fhir/RelatedPerson', { actor: { ...doctor, onPatientRequest: true }, body: father1 });
    expect(added.status).toBe(201);
    expect(added.headers.get('cache-control')).toBe('no-store');
    expect(added.headers.get('location')).toContain(`/fhir/RelatedPerson/${added.json.id}`);
    expect(added.json).toMatchObject({ active: true, patient: { reference: `Patient/${patientKey}` }, period: { end: '2026-03-21T00:00:00.000Z' } });
    const c = credentialsOf(added.json);
    fatherId = c.representative!;
    fatherSession = await activate(c, father);
    const third = await call(portal, 'POST', '/fhir/RelatedPerson', { actor: support, body: { ...father1, extension: [], name: [{ family: 'Autre' }], telecom: [] } });
    expect(third.status).toBe(422);
  });

  it('MIN-02: the support service reads the record\'s representatives (to issue their accounts); a professional not acting for the patient does not', async () => {
    const list = await call<Bundle>(portal, 'GET', `/fhir/RelatedPerson?patient=Patient/${patientKey}`, { actor: support });
    expect(list.status).toBe(200);
    const reps = resourcesOf<RelatedPerson>(list.json);
    expect(reps.map((r) => [r.name?.[0].given?.[0], r.active, r.telecom?.[0].value]).sort()).toEqual([['Karim', true, father], ['Sonia', true, mother]]);
    expect((await call(portal, 'GET', `/fhir/RelatedPerson?patient=Patient/${patientKey}`, { actor: proActor('doctor2') })).status).toBe(403);
  });

  it('MASK-04: the minor requires the father to reach the record only with a doctor: his own access then shows no medical document on any path, and he cannot lift it', async () => {
    const rpId = (await call<Bundle>(portal, 'GET', `/fhir/RelatedPerson?patient=Patient/${patientKey}`, { actor: support })).json.entry!
      .map((e) => e.resource as RelatedPerson).find((r) => r.identifier?.[0].value === fatherId)!;
    const fatherSees = await call<Bundle>(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, { token: fatherSession.token });
    expect(fatherSees.json.total).toBe(2);
    const binary = (await call<DocumentReference>(portal, 'GET', `/fhir/DocumentReference/${docs[0]}`, { actor: doctor })).json.content[0].attachment.url!;
    const binaryPath = new URL(binary).pathname;
    expect((await call(portal, 'GET', binaryPath, { token: fatherSession.token })).status).toBe(200);

    const minor = await portal.server.tokenFor({ kind: 'patient', patientKey });
    const presence = { ...rpId, extension: [{ url: PRESENCE_EXT, valueBoolean: true }] };
    const lift = { ...rpId, extension: [{ url: PRESENCE_EXT, valueBoolean: false }] };
    const set = await call<RelatedPerson>(portal, 'PUT', `/fhir/RelatedPerson/${rpId.id}`, { token: minor, body: presence });
    expect(set.status).toBe(200);
    expect(set.json.extension?.find((e) => e.url === PRESENCE_EXT)?.valueBoolean).toBe(true);
    expect((await call(portal, 'PUT', `/fhir/RelatedPerson/${rpId.id}`, { token: fatherSession.token, body: lift })).status).toBe(403);

    const t = { token: fatherSession.token };
    const search = await call<Bundle>(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, t);
    expect({ status: search.status, total: search.json.total, entries: resourcesOf(search.json).length }).toEqual({ status: 200, total: 0, entries: 0 });
    for (const id of docs) expect((await call(portal, 'GET', `/fhir/DocumentReference/${id}`, t)).status).toBe(404);
    expect((await call(portal, 'GET', binaryPath, t)).status).toBe(404);
    const home = await call<Parameters>(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, t);
    expect([param(home.json, 'currentCount')[0].valueInteger, param(home.json, 'latest').length, param(home.json, 'category').length]).toEqual([0, 0, 0]);
    const zip = readZip((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$download?parts=documents,history`, t)).bytes);
    expect(zip.filter((e) => e.name.startsWith('documents/'))).toEqual([]);
    const history = zip.find((e) => e.name === 'history.json')!.data.toString('utf8');
    for (const id of docs) expect(history).not.toContain(id);
    const events = await call<Bundle>(portal, 'GET', '/fhir/AuditEvent?_count=100', t);
    for (const id of docs) expect(JSON.stringify(events.json)).not.toContain(id);
    // the mother, not bound, is unchanged
    expect((await call<Bundle>(portal, 'GET', `/fhir/DocumentReference?patient=Patient/${patientKey}`, { token: motherToken })).json.total).toBe(2);
  });

  it('MIN-01/04: the support service ends the father\'s access: he is told, his login no longer opens the record, his RelatedPerson stays, inactive', async () => {
    const rp = resourcesOf<RelatedPerson>((await call<Bundle>(portal, 'GET', `/fhir/RelatedPerson?patient=Patient/${patientKey}`, { actor: support })).json).find((r) => r.identifier?.[0].value === fatherId)!;
    const ended = await call<RelatedPerson>(portal, 'PUT', `/fhir/RelatedPerson/${rp.id}`, { actor: support, body: { ...rp, active: false } });
    expect(ended.status).toBe(200);
    expect(ended.json.active).toBe(false);
    expect((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token: fatherSession.token })).status).toBe(403);
    expect(await loginRefused(fatherSession.login, fatherSession.password, father)).toEqual({ status: 403, error: 'representative_access_ended' });
    await runJobs(portal.server.app.services);
    const told = await portal.sink.waitFor(father, 1, (m) => m.subject === 'Fin de votre accès au DMP');
    expect(told).toHaveLength(1);
  });

  it('MIN-03: a month before majority the mother is told, with how her child gets own credentials; on the day the job ends her access', async () => {
    await runJobs(portal.server.app.services);
    const notice = await portal.sink.waitFor(mother, 1, (m) => m.subject === 'Fin prochaine de votre accès au DMP');
    expect(notice[0].text).toContain('2026-03-21');
    expect(notice[0].text).toContain('propres identifiants');
    // the day before: still hers
    portal.clock.set('2026-03-20T12:00:00Z');
    await runJobs(portal.server.app.services);
    const eve = await logIn(portal, motherSession.login, motherSession.password, mother);
    expect((await call(portal, 'GET', `/fhir/Patient/${patientKey}/$home`, { token: eve.token })).status).toBe(200);
    // majority day (Paris): the job ends it, traced, and the mother is told how the patient gets own credentials
    portal.clock.set('2026-03-21T08:00:00Z');
    await runJobs(portal.server.app.services);
    expect(await loginRefused(motherSession.login, motherSession.password, mother)).toEqual({ status: 403, error: 'representative_access_ended' });
    const reps = resourcesOf<RelatedPerson>((await call<Bundle>(portal, 'GET', `/fhir/RelatedPerson?patient=Patient/${patientKey}`, { actor: support })).json);
    expect(reps.map((r) => r.active)).toEqual([false, false]);
    const ended = await portal.sink.waitFor(mother, 1, (m) => m.subject === 'Fin de votre accès au DMP');
    expect(ended[0].text).toContain('propres identifiants');
    const trace = await portal.db.query<{ action: string; details: { cause?: string } }>(
      "SELECT action, details FROM access_trace WHERE chain_key = $1 AND action = 'representative.end'",
      [patientKey],
    );
    expect(trace.rows.map((r) => r.details.cause)).toEqual(['majority']);
  });
});
