// A tiny real FHIR server for the runner's tests: fixed answers over node:http on an ephemeral
// port, recording every request it receives. Routes can be overridden per test.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Route = (req: Received) => Reply | undefined;

export interface FakeServer {
  base: string;
  received: Received[];
  /** Routes tried before the built-in ones; cleared by reset(). */
  routes: Route[];
  reset(): void;
  close(): Promise<void>;
}

export const PATIENT = {
  resourceType: 'Patient',
  id: '123',
  meta: { versionId: '1', lastUpdated: '2024-01-02T03:04:05Z' },
  active: true,
  name: [{ family: 'Chalmers', given: ['Peter', 'James'] }],
  gender: 'male',
  birthDate: '1974-12-25',
};

function bundle(type: string, base: string, resources: unknown[], links: string[] = []): unknown {
  return {
    resourceType: 'Bundle',
    type,
    total: resources.length,
    link: links.map((relation) => ({ relation, url: `${base}/Patient?page=${relation}` })),
    entry: resources.map((resource) => ({ fullUrl: `${base}/Patient/123`, resource })),
  };
}

function builtIn(req: Received, base: string): Reply {
  const [path, query = ''] = req.path.split('?');
  const json = { 'content-type': 'application/fhir+json; charset=utf-8' };
  const withMeta = { ...json, etag: 'W/"1"', 'last-modified': 'Tue, 02 Jan 2024 03:04:05 GMT' };
  const key = `${req.method} ${path}`;
  switch (key) {
    case 'GET /metadata':
      return { status: 200, headers: json, body: { resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'] } };
    case 'POST /Patient':
      return { status: 201, headers: { ...withMeta, location: `${base}/Patient/123/_history/1` }, body: PATIENT };
    case 'GET /Patient/123':
    case 'GET /Patient/123/_history/1':
      return { status: 200, headers: withMeta, body: PATIENT };
    case 'PUT /Patient/123':
      return { status: 200, headers: withMeta, body: { ...PATIENT, ...JSON.parse(req.body || '{}'), meta: { versionId: '2' } } };
    case 'PATCH /Patient/123':
      return { status: 200, headers: withMeta, body: { ...PATIENT, active: false } };
    case 'DELETE /Patient/123':
      return { status: 204 };
    case 'GET /Patient':
      if (query.includes('family=Nobody')) return { status: 200, headers: json, body: bundle('searchset', base, [], ['self']) };
      return { status: 200, headers: json, body: bundle('searchset', base, [PATIENT], ['self', 'first', 'next', 'last']) };
    case 'GET /Patient/123/_history':
    case 'GET /Patient/_history':
      return { status: 200, headers: json, body: bundle('history', base, [PATIENT]) };
    case 'POST /':
      return { status: 200, headers: json, body: { resourceType: 'Bundle', type: JSON.parse(req.body).type + '-response', entry: [{ response: { status: '201 Created' } }] } };
    case 'POST /Patient/$validate':
      return { status: 200, headers: json, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational' }] } };
    case 'GET /Patient/123/$everything':
      return { status: 200, headers: json, body: bundle('searchset', base, [PATIENT]) };
    default:
      return { status: 404, headers: json, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] } };
  }
}

export async function startFakeServer(): Promise<FakeServer> {
  const received: Received[] = [];
  const routes: Route[] = [];
  let base = '';
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      let reply: Reply | undefined;
      for (const route of routes) reply ??= route(r);
      reply ??= builtIn(r, base);
      const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    routes,
    reset() {
      received.length = 0;
      routes.length = 0;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
