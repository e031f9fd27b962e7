// Each operation code becomes the right HTTP request; both operation code systems are accepted.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { check, op, runInline, script } from './harness.js';
import { PATIENT, startFakeServer } from './fake-fhir-server.js';
import type { FakeServer } from './fake-fhir-server.js';

const OLD_SYSTEM = 'http://hl7.org/fhir/testscript-operation-codes';

describe('TestScript operations', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer();
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  const files = {
    'patient.json': PATIENT,
    'patch.json': [{ op: 'replace', path: '/active', value: false }],
    'transaction.json': { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }] },
    'batch.json': { resourceType: 'Bundle', type: 'batch', entry: [] },
  };
  const fixture = [
    { id: 'patient', resource: { reference: 'patient.json' } },
    { id: 'patch', resource: { reference: 'patch.json' } },
    { id: 'transaction', resource: { reference: 'transaction.json' } },
    { id: 'batch', resource: { reference: 'batch.json' } },
  ];

  it('maps every operation code to its method, URL, headers and body', async () => {
    const steps: [Record<string, unknown>, string][] = [
      [op('read', { resource: 'Patient', params: '/123', responseId: 'r' }), 'GET /Patient/123'],
      [op('vread', { targetId: 'r' }), 'GET /Patient/123/_history/1'],
      [op('create', { resource: 'Patient', sourceId: 'patient' }), 'POST /Patient'],
      [op('update', { resource: 'Patient', sourceId: 'patient' }), 'PUT /Patient/123'],
      [op('updateCreate', { resource: 'Patient', params: '/123', sourceId: 'patient' }), 'PUT /Patient/123'],
      [op('patch', { resource: 'Patient', params: '/123', sourceId: 'patch' }), 'PATCH /Patient/123'],
      [op('delete', { targetId: 'r' }), 'DELETE /Patient/123'],
      [op('search', { resource: 'Patient', params: '?family=Chalmers' }), 'GET /Patient?family=Chalmers'],
      [op('search', { resource: 'Patient', params: '?family=Chalmers', method: 'post' }), 'POST /Patient/_search'],
      [op('history', { targetId: 'r' }), 'GET /Patient/123/_history'],
      [op('history', { resource: 'Patient' }), 'GET /Patient/_history'],
      [op('transaction', { sourceId: 'transaction' }), 'POST /'],
      [op('batch', { sourceId: 'batch' }), 'POST /'],
      [op('capabilities', {}), 'GET /metadata'],
      [op('validate', { resource: 'Patient', sourceId: 'patient' }), 'POST /Patient/$validate'],
      [op('everything', { targetId: 'r' }), 'GET /Patient/123/$everything'],
      [op('$everything', { resource: 'Patient', params: '/123/$everything?_count=1' }), 'GET /Patient/123/$everything?_count=1'],
      [{ operation: { type: { system: OLD_SYSTEM, code: 'read' }, resource: 'Patient', params: '/123' } }, 'GET /Patient/123'],
      [op('read', { url: 'Patient/123?_summary=true' }), 'GET /Patient/123?_summary=true'],
      [op('read', { resource: 'Patient', params: '/123', method: 'head' }), 'HEAD /Patient/123'],
      [op('search', { resource: 'Patient', params: '?name=Peter James' }), 'GET /Patient?name=Peter%20James'],
    ];
    const ran = await runInline(server.base, script({ fixture, test: [{ name: 'all', action: steps.map(([s]) => s) }] }), files);
    expect(ran.lines[0]).toBe('PASS inline › all');
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual(steps.map(([, want]) => want));

    const byLine = (i: number) => server.received[i];
    expect(byLine(2).headers['content-type']).toBe('application/fhir+json');
    expect(JSON.parse(byLine(2).body)).toMatchObject({ resourceType: 'Patient', birthDate: '1974-12-25' });
    expect(byLine(5).headers['content-type']).toBe('application/json-patch+json');
    expect(JSON.parse(byLine(5).body)).toEqual([{ op: 'replace', path: '/active', value: false }]);
    expect(byLine(8).headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(byLine(8).body).toBe('family=Chalmers');
    expect(JSON.parse(byLine(11).body).type).toBe('transaction');
    expect(byLine(0).headers.accept).toBe('application/fhir+json');
  });

  it('sends accept, contentType and request headers as written', async () => {
    server.routes.push((r) => (r.method === 'POST' ? { status: 201 } : undefined));
    await runInline(server.base, script({
      fixture,
      test: [{
        name: 'headers',
        action: [
          op('read', { resource: 'Patient', params: '/123', accept: 'xml', requestHeader: [{ field: 'If-None-Match', value: 'W/"1"' }] }),
          op('create', { resource: 'Patient', sourceId: 'patient', contentType: 'application/json', requestHeader: [{ field: 'Prefer', value: 'return=minimal' }] }),
        ],
      }],
    }), files);
    const [get, post] = server.received;
    expect(get.headers).toMatchObject({ accept: 'application/fhir+xml', 'if-none-match': 'W/"1"' });
    expect(post.headers).toMatchObject({ 'content-type': 'application/json', prefer: 'return=minimal' });
  });

  it('keeps the URL as written when encodeRequestUrl is false', async () => {
    await runInline(server.base, script({ test: [{ name: 'raw', action: [op('search', { resource: 'Patient', params: '?_id=a%2Cb', encodeRequestUrl: false })] }] }));
    expect(server.received[0].path).toBe('/Patient?_id=a%2Cb');
  });

  it('reports an operation it cannot build as an error and stops the test', async () => {
    const ran = await runInline(server.base, script({
      test: [
        { name: 'foreign system', action: [{ operation: { type: { system: 'urn:other', code: 'read' }, resource: 'Patient' } }, check({ response: 'okay' })] },
        { name: 'no body', action: [op('create', { resource: 'Patient' })] },
        { name: 'unknown target', action: [op('read', { targetId: 'nope' })] },
      ],
    }));
    expect(ran.lines).toEqual([
      'FAIL inline › foreign system: read: unsupported operation type urn:other|read',
      'FAIL inline › no body: create: create needs a sourceId fixture as body',
      'FAIL inline › unknown target: read: unknown targetId fixture nope',
      '0 passed, 3 failed',
    ]);
    expect(ran.report.test?.[0].action?.map((a) => a.operation?.result ?? a.assert?.result)).toEqual(['error', 'skip']);
    expect(server.received).toHaveLength(0);
  });
});
