// Setup/test/teardown flow, fixtures (static, autocreate/autodelete, dynamic), variables,
// authentication, and the report files.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestReport } from '@medplum/fhirtypes';
import { check, op, resultsByTest, runInline, script } from './harness.js';
import { PATIENT, startFakeServer } from './fake-fhir-server.js';
import type { FakeServer } from './fake-fhir-server.js';

const read = op('read', { resource: 'Patient', params: '/123' });

describe('TestScript flow', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer();
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  it('skips every test when setup fails, reports the error, and still runs teardown', async () => {
    server.routes.push((r) => (r.method === 'POST' ? { status: 500, body: { resourceType: 'OperationOutcome', issue: [] } } : undefined));
    const ran = await runInline(server.base, script({
      name: 'broken-setup',
      fixture: [{ id: 'patient', resource: { reference: 'patient.json' } }],
      setup: { action: [op('create', { resource: 'Patient', sourceId: 'patient' }), check({ label: 'created', response: 'created' }), read] },
      test: [{ name: 'one', action: [read, check({ response: 'okay' })] }, { name: 'two', action: [read] }],
      teardown: { action: [op('delete', { resource: 'Patient', params: '/123' })] },
    }), { 'patient.json': PATIENT });
    expect(ran.lines).toEqual([
      'SKIP broken-setup › one: setup failed: created: response: expected "created", found "500" (HTTP 500)',
      'SKIP broken-setup › two: setup failed: created: response: expected "created", found "500" (HTTP 500)',
      '0 passed, 2 failed',
    ]);
    expect(ran.report.result).toBe('fail');
    expect(ran.report.setup?.action?.map((a) => a.operation?.result ?? a.assert?.result)).toEqual(['pass', 'fail', 'skip']);
    expect(ran.report.test?.[0].action?.every((a) => (a.operation ?? a.assert)?.result === 'skip')).toBe(true);
    // setup stopped at the failing assert (no GET), tests sent nothing, teardown ran
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /Patient', 'DELETE /Patient/123']);
  });

  it('runs each test independently and always runs teardown', async () => {
    const ran = await runInline(server.base, script({
      name: 'independent',
      test: [
        { name: 'fails', action: [op('read', { resource: 'Patient', params: '/999' }), check({ response: 'okay' })] },
        // without a fresh start this assert would see the 404 left by the previous test
        { name: 'no operation', action: [check({ responseCode: '404', operator: 'notEquals' })] },
        { name: 'passes', action: [read, check({ response: 'okay' })] },
      ],
      teardown: { action: [op('delete', { resource: 'Patient', params: '/123' })] },
    }));
    expect(resultsByTest(ran.lines)).toEqual({ fails: 'FAIL', 'no operation': 'FAIL', passes: 'PASS' });
    expect(ran.report.test?.[1].action?.[0].assert?.message).toContain('nothing to assert on');
    expect(server.received.at(-1)).toMatchObject({ method: 'DELETE', path: '/Patient/123' });
    expect(ran.report.teardown?.action?.[0].operation?.result).toBe('pass');
    expect(ran.report.score).toBe(33);
  });

  it('autocreates fixtures before setup and autodeletes them after teardown', async () => {
    const ran = await runInline(server.base, script({
      fixture: [{ id: 'patient', autocreate: true, autodelete: true, resource: { reference: 'patient.json' } }],
      setup: { action: [op('read', { resource: 'Patient', targetId: 'patient' })] },
      test: [{ name: 'reads the created one', action: [op('read', { targetId: 'patient' }), check({ response: 'okay' })] }],
      teardown: { action: [op('search', { resource: 'Patient', params: '?family=Chalmers' })] },
    }), { 'patient.json': { resourceType: 'Patient', name: [{ family: 'Chalmers' }] } });
    expect(ran.passed).toBe(1);
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /Patient', 'GET /Patient/123', 'GET /Patient/123', 'GET /Patient?family=Chalmers', 'DELETE /Patient/123',
    ]);
  });

  it('uses dynamic fixtures from responseId and requestId', async () => {
    const ran = await runInline(server.base, script({
      fixture: [{ id: 'patient', resource: { reference: 'patient.json' } }],
      test: [{
        name: 'dynamic',
        action: [
          op('create', { resource: 'Patient', sourceId: 'patient', responseId: 'created', requestId: 'sent' }),
          op('read', { targetId: 'created', responseId: 'read' }),
          check({ requestURL: 'Patient/123' }),
          op('update', { resource: 'Patient', targetId: 'created', sourceId: 'read' }),
          check({ response: 'okay' }),
          check({ sourceId: 'sent', expression: "Patient.name.family = 'Chalmers'" }),
          check({ sourceId: 'sent', headerField: 'Content-Type', value: 'application/fhir+json' }),
          check({ sourceId: 'created', headerField: 'Location', operator: 'contains', value: '/Patient/123' }),
          check({ sourceId: 'created', response: 'created' }),
        ],
      }],
    }), { 'patient.json': { resourceType: 'Patient', name: [{ family: 'Chalmers' }] } });
    expect(ran.lines[0]).toBe('PASS inline › dynamic');
    const put = server.received.find((r) => r.method === 'PUT');
    expect(put?.path).toBe('/Patient/123');
    expect(JSON.parse(put?.body ?? '{}')).toMatchObject({ id: '123', birthDate: '1974-12-25' });
  });

  it('evaluates variables from headerField, expression, path and defaultValue, with overrides winning', async () => {
    const ran = await runInline(server.base, script({
      fixture: [{ id: 'patient', resource: { reference: 'patient.json' } }],
      variable: [
        { name: 'location', headerField: 'Location', sourceId: 'created' },
        { name: 'family', expression: 'Patient.name.first().family', sourceId: 'patient' },
        { name: 'readId', path: '$.id', sourceId: 'readBack' },
        { name: 'given', defaultValue: 'Peter' },
        { name: 'overridden', defaultValue: 'from-script' },
        { name: 'lastGender', expression: 'Patient.gender' },
      ],
      setup: { action: [op('create', { resource: 'Patient', sourceId: 'patient', responseId: 'created' })] },
      test: [{
        name: 'vars',
        action: [
          op('read', { url: '${location}', responseId: 'readBack' }),
          check({ expression: 'Patient.id', value: '${readId}' }),
          check({ expression: 'Patient.gender', value: '${lastGender}' }),
          op('search', { resource: 'Patient', params: '?family=${family}&given=${given}&x=${overridden}' }),
          check({ requestURL: 'Patient?family=Chalmers&given=Peter&x=from-cli' }),
        ],
      }],
    }), { 'patient.json': { resourceType: 'Patient', name: [{ family: 'Chalmers' }] } }, { variables: { overridden: 'from-cli' } });
    expect(ran.lines[0]).toBe('PASS inline › vars');
    expect(server.received.map((r) => r.path)).toEqual(['/Patient', '/Patient/123/_history/1', '/Patient?family=Chalmers&given=Peter&x=from-cli']);
  });

  it('fills ${UUID}, ${CURRENTDATE} and unique placeholders in headers and fixture bodies', async () => {
    const ran = await runInline(server.base, script({
      fixture: [{ id: 'patient', resource: { reference: 'patient.json' } }],
      test: [{
        name: 'placeholders',
        action: [op('create', { resource: 'Patient', sourceId: 'patient', requestHeader: [{ field: 'X-Request-Id', value: '${UUID}' }, { field: 'X-Tag', value: '${C6}-${C6}' }] })],
      }],
    }), { 'patient.json': { resourceType: 'Patient', birthDate: '${CURRENTDATE}', identifier: [{ value: '${D9}' }], name: [{ family: '${unknown}' }] } });
    expect(ran.passed).toBe(1);
    const post = server.received[0];
    expect(post.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const [a, b] = String(post.headers['x-tag']).split('-');
    expect(a).toMatch(/^[A-Za-z]{6}$/);
    expect(b).toBe(a);
    const body = JSON.parse(post.body);
    expect(body.birthDate).toBe(new Date().toISOString().slice(0, 10));
    expect(body.identifier[0].value).toMatch(/^\d{9}$/);
    expect(body.name[0].family).toBe('${unknown}');
  });

  it('sends a bearer token, given or obtained from a command run once', async () => {
    const s = script({ test: [{ name: 'a', action: [read] }, { name: 'b', action: [read] }] });
    await runInline(server.base, s, {}, { bearerToken: 'given-token' });
    expect(server.received.map((r) => r.headers.authorization)).toEqual(['Bearer given-token', 'Bearer given-token']);
    server.reset();
    await runInline(server.base, s, {}, { tokenCommand: 'echo "  from-command  "' });
    expect(server.received.map((r) => r.headers.authorization)).toEqual(['Bearer from-command', 'Bearer from-command']);
  });

  it('writes one TestReport JSON per script to reportDir', async () => {
    const ran = await runInline(server.base, script({ name: 'report me', test: [{ name: 't', action: [read, check({ response: 'okay' })] }] }));
    const reportDir = join(ran.dir, 'reports');
    await runInline(server.base, script({ name: 'report me', test: [{ name: 't', action: [read, check({ response: 'okay' })] }] }), {}, { reportDir });
    const files = await readdir(reportDir);
    expect(files).toEqual(['report_me.json']);
    const report = JSON.parse(await readFile(join(reportDir, files[0]), 'utf8')) as TestReport;
    expect(report).toMatchObject({ resourceType: 'TestReport', status: 'completed', result: 'pass', score: 100, name: 'report me' });
    expect(report.test?.[0].action?.[0].operation?.message).toContain(`GET ${server.base}/Patient/123 -> 200`);
  });

  it('counts a script that cannot be loaded as a failure', async () => {
    const ran = await runInline(server.base, { resourceType: 'Patient' });
    expect(ran.lines).toEqual([expect.stringMatching(/^FAIL script\.json › \(load\): .*not a TestScript/), '0 passed, 1 failed']);
  });
});
