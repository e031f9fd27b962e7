// The patient journey, in order, on a real port with a real SMTP server: a DMP created at
// a pharmacy's desk with its account, the first login and the forced change, codes by mail, the home figures, masking, a
// professional's access seen in the history, the alert for a new document, and a download.
import { creationPatient } from '../support/fhir-record.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { AuditEvent, Bundle, DocumentReference, Parameters, Patient } from '@medplum/fhirtypes';
import { runJobs } from '../../src/services/jobs.js';
import { call, logIn, param, provide, resourcesOf, startPortal, type Portal } from '../support/patient-portal.js';
import { proActor } from '../support/world.js';
import { readZip } from '../support/zip.js';

const MARK = 'https://carnet.example/fhir/CodeSystem/dmp-history-mark';
const ACCOUNT_EXT = 'https://carnet.example/fhir/StructureDefinition/dmp-internet-account';
const CREDENTIALS_EXT = 'https://carnet.example/fhir/StructureDefinition/dmp-issued-credentials';
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
