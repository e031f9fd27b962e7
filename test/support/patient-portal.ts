// End-to-end helpers for the patient's pages: a server on a real port with a real SMTP sink and
// the test directory, plain HTTP calls (JSON or FHIR JSON), the two-step login reading its code
// from the sink, and ITI-65 deposits by a professional through the FHIR door.
import { expect } from '@jest/globals';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Actor, ProfessionalActor } from '../../src/domain/actor.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from './app.js';
import { TestClock } from './clock.js';
import { provideBundle, type DocSpec } from './mhd-bundle.js';
import { loginCodes, startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { openTestDb, type StoreKind } from './stores.js';
import { PROS } from './world.js';

export const SUPPORT_MAILBOX = 'support-dmp@carnet.test';

export interface Portal {
  db: Db;
  sink: SmtpSink;
  server: RunningApp;
  clock: TestClock;
  close(): Promise<void>;
}

/** `env`: more of the server's settings (e.g. CARNET_TERMS_VERSION); `kind`: the store (PGlite by default). */
export async function startPortal(env: Record<string, string> = {}, kind: StoreKind = 'pglite'): Promise<Portal> {
  const db = await openTestDb(kind);
  const sink = await startSmtpSink();
  const clock = new TestClock();
  const server = await startTestApp(
    db,
    {
      CARNET_SMTP_HOST: '127.0.0.1',
      CARNET_SMTP_PORT: String(sink.port),
      CARNET_SMTP_FROM: 'no-reply@carnet.test',
      CARNET_PASSWORD_SCRYPT_COST: '14',
      CARNET_JOBS_INTERVAL_SECONDS: '0',
      CARNET_SUPPORT_EMAIL: SUPPORT_MAILBOX,
      ...env,
    },
    { clock },
  );
  const directory = server.app.services.directory;
  for (const s of new Set(Object.values(PROS).map((p) => p.structureId))) await directory.putStructure({ structure_id: s, name: `Structure ${s}`, activity_sector: 'SA01', address: null });
  await directory.setRegulationCentre({ actor: { kind: 'system', component: 'test' }, channel: 'test' }, PROS.regulator.structureId, true);
  for (const p of Object.values(PROS)) {
    await directory.putProfessional({ id_nat_ps: p.idNatPs, given: p.given, family: p.family, profession: p.profession, specialty: 'specialty' in p ? p.specialty : null, structure_id: p.structureId, telecom: null });
  }
  return {
    db,
    sink,
    server,
    clock,
    close: async () => {
      await server.close();
      await sink.close();
      await db.close();
    },
  };
}

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  json: T;
  bytes: Buffer;
}

/** One HTTP call with a bearer token (or an actor, for which the server mints one). */
export async function call<T = any>(portal: Portal, method: string, path: string, o: { token?: string; actor?: Actor; body?: unknown; contentType?: string } = {}): Promise<Answer<T>> {
  const token = o.token ?? (o.actor ? await portal.server.tokenFor(o.actor) : undefined);
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (o.body !== undefined) headers['content-type'] = o.contentType ?? (path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json');
  const res = await fetch(`${portal.server.baseUrl}${path}`, { method, headers, body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  const json = /json/.test(type) && bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined;
  return { status: res.status, headers: res.headers, json, bytes };
}

/** AUTH-01: login + password, then the code the sink received; returns the session. */
export async function logIn(portal: Portal, login: string, password: string, email: string): Promise<{ token: string; passwordChangeRequired: boolean; answer: Record<string, any> }> {
  const before = portal.sink.messages.filter((m) => m.to.includes(email)).length;
  const start = await call(portal, 'POST', '/auth/login', { body: { login, password } });
  expect(start.status).toBe(200);
  // as the code mail arrives (the test's timeout bounds the wait)
  const [code] = await loginCodes(portal.sink, email, before);
  expect(code).toMatch(/^\d{6}$/);
  const v = await call(portal, 'POST', '/auth/verify', { body: { challengeId: start.json.challengeId, code } });
  expect(v.status).toBe(200);
  return { token: v.json.access_token, passwordChangeRequired: v.json.password_change_required, answer: v.json };
}

/** An account issued by support, its temporary password replaced: a ready session. */
export async function activeSession(portal: Portal, patientKey: string, email: string, holder: { role: 'patient' } | { role: 'legal_representative'; representativeId: string } = { role: 'patient' }) {
  const agent = await portal.server.tokenFor({ kind: 'support', agentId: 'agent-9' });
  const acc = await call(portal, 'POST', '/auth/accounts', { token: agent, body: { patientKey, email, ...holder } });
  expect(acc.status).toBe(201);
  const first = await logIn(portal, acc.json.login, acc.json.temporaryPassword, email);
  const password = `mot de passe ${email.length} à moi`;
  expect((await call(portal, 'POST', '/auth/password', { token: first.token, body: { newPassword: password } })).status).toBe(204);
  const s = await logIn(portal, acc.json.login, password, email);
  return { ...s, login: acc.json.login as string, password };
}

/** ITI-65 through the FHIR door as `author`; returns the DocumentReference ids in order. */
export async function provide(portal: Portal, author: ProfessionalActor, patientKey: string, docs: DocSpec[]): Promise<string[]> {
  const bundle = provideBundle({ patient: `Patient/${patientKey}`, docs: docs.map((d) => ({ author: { idNatPs: author.idNatPs, family: author.family ?? 'X', given: author.given ?? 'Y' }, ...d })) });
  const res = await call<Bundle>(portal, 'POST', '/fhir', { actor: author, body: bundle });
  if (res.status !== 200) throw new Error(`ITI-65 refused (${res.status}): ${JSON.stringify(res.json)}`);
  return (res.json.entry ?? [])
    .map((e: { response?: { location?: string } }) => /DocumentReference\/([^/]+)/.exec(e.response?.location ?? '')?.[1])
    .filter((id: string | undefined): id is string => !!id);
}

export function param(p: { parameter?: Array<Record<string, any>> }, name: string): Array<Record<string, any>> {
  return (p.parameter ?? []).filter((x) => x.name === name);
}

export function resourcesOf<T extends Resource = Resource>(bundle: Bundle): T[] {
  return (bundle.entry ?? []).map((e) => e.resource as T).filter((r) => r && r.resourceType !== 'OperationOutcome');
}
