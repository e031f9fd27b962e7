import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'fhir-kit-client';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { openTestPglite } from '../support/stores.js';

describe('the server on a real port', () => {
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

  it('serves a FHIR 4.0.1 CapabilityStatement that fhir-kit-client reads', async () => {
    const client = new Client({ baseUrl: `${server.baseUrl}/fhir` });
    const cs = (await client.capabilityStatement()) as { resourceType: string; fhirVersion: string; rest: unknown[] };
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.rest).toHaveLength(1);
  });

  it('says on /health that the database answers', async () => {
    const res = await fetch(`${server.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: { status: 'up', kind: 'pglite' } });
  });

  it('answers an unknown route with a 404 OperationOutcome', async () => {
    const res = await fetch(`${server.baseUrl}/fhir/NoSuchThing/1/nothing`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { resourceType: string; issue: { code: string }[] };
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0].code).toBe('not-found');
  });

  it('answers a wrong method with a 405 OperationOutcome and an Allow header', async () => {
    const res = await fetch(`${server.baseUrl}/fhir/metadata`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    const body = (await res.json()) as { resourceType: string; issue: { code: string }[] };
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0].code).toBe('not-supported');
  });

  it('answers unreadable JSON with a 400 OperationOutcome, not a stack trace', async () => {
    const res = await fetch(`${server.baseUrl}/fhir/metadata`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: '{not json',
    });
    expect([400, 405]).toContain(res.status);
    const text = await res.text();
    expect(text).toContain('OperationOutcome');
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const given = await fetch(`${server.baseUrl}/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await fetch(`${server.baseUrl}/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
