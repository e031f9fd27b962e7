// Documents larger than FHIR's 1 MB string limit travel as base64Binary, which has no such
// limit: ITI-65 must take them and ITI-68 give the same bytes back.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle } from '@medplum/fhirtypes';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { openTestPglite } from '../support/stores.js';
import { adultRecord, makeWorld, patientCaller, proActor } from '../support/world.js';

let db: Db;
let server: RunningApp;

beforeAll(async () => {
  db = await openTestPglite();
  server = await startTestApp(db);
});
afterAll(async () => {
  await server.close();
  await db.close();
});

it('ITI-65 stores a 3 MB document and ITI-68 returns exactly its bytes', async () => {
  const w = await makeWorld(db);
  const { patientKey } = await adultRecord(w);
  // Depositing needs no authorisation (DOC-02), reading it back does (ACC-01).
  await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: proActor('doctor').idNatPs, effect: 'permit' });
  const token = await server.tokenFor(proActor('doctor'));
  const bytes = randomBytes(3 * 1024 * 1024);
  const res = await fetch(`${server.baseUrl}/fhir`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
    body: JSON.stringify(provideBundle({ patient: `Patient/${patientKey}`, docs: [{ content: bytes }] })),
  });
  const body = (await res.json()) as Bundle;
  expect({ status: res.status, body: res.status === 200 ? 'ok' : body }).toEqual({ status: 200, body: 'ok' });
  const location = body.entry!.map((e) => e.response?.location ?? '').find((l) => l.startsWith('DocumentReference/'))!;
  const id = location.split('/')[1];
  const raw = await fetch(`${server.baseUrl}/fhir/Binary/${id}`, { headers: { authorization: `Bearer ${token}` } });
  expect(raw.status).toBe(200);
  expect(Buffer.from(await raw.arrayBuffer()).equals(bytes)).toBe(true);
}, 60_000);
