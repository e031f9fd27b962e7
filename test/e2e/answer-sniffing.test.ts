// Every answer of the server, on a real port, says `X-Content-Type-Options: nosniff`: FHIR JSON
// and XML (resources, searchsets, OperationOutcomes), /auth, the XDS door's SOAP answers and
// faults, a path that names no route, the answers written on the socket before a request exists,
// and the development outbox — which, holding one-time codes, is kept by no cache either.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { adhocQuery, postSoap, XDS_ACTIONS } from '../support/xds-client.js';
import { proActor } from '../support/world.js';

const doctor = proActor('doctor');

for (const kind of storeKinds()) {
  describe(`every answer forbids sniffing [${kind}]`, () => {
    let db: Db;
    let server: RunningApp;

    beforeAll(async () => {
      db = await openTestDb(kind);
      server = await startTestApp(db);
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });

    const headersOf = (res: { status: number; headers: Headers }) => ({
      status: res.status,
      type: res.headers.get('content-type')?.split(';')[0],
      nosniff: res.headers.get('x-content-type-options'),
    });

    it('ACC-08: FHIR JSON and XML answers — a search, a read refused, a missing token, an unknown route — carry nosniff', async () => {
      const token = await server.tokenFor(doctor);
      const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.baseUrl}${path}`, { headers });
      const answers = {
        json: headersOf(await get('/fhir/Organization?_count=1', { authorization: `Bearer ${token}`, accept: 'application/fhir+json' })),
        xml: headersOf(await get('/fhir/Organization?_count=1', { authorization: `Bearer ${token}`, accept: 'application/fhir+xml' })),
        missing: headersOf(await get('/fhir/Organization/none', { authorization: `Bearer ${token}`, accept: 'application/fhir+xml' })),
        noToken: headersOf(await get('/fhir/DocumentReference')),
        noRoute: headersOf(await get('/nowhere')),
      };
      expect(answers).toEqual({
        json: { status: 200, type: 'application/fhir+json', nosniff: 'nosniff' },
        xml: { status: 200, type: 'application/fhir+xml', nosniff: 'nosniff' },
        missing: { status: 404, type: 'application/fhir+xml', nosniff: 'nosniff' },
        noToken: { status: 401, type: 'application/fhir+json', nosniff: 'nosniff' },
        noRoute: { status: 404, type: 'application/fhir+json', nosniff: 'nosniff' },
      });
    });

    it('AUTH-06: /auth answers carry nosniff; the development outbox, holding one-time codes, is no-store as well', async () => {
      const login = await fetch(`${server.baseUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const outbox = await fetch(`${server.baseUrl}/dev/outbox`);
      expect({ login: headersOf(login), outbox: { ...headersOf(outbox), cache: outbox.headers.get('cache-control') } }).toEqual({
        login: { status: login.status, type: 'application/json', nosniff: 'nosniff' },
        outbox: { status: 200, type: 'application/json', nosniff: 'nosniff', cache: 'no-store' },
      });
      expect(login.status).toBeGreaterThanOrEqual(400);
    });

    it('the XDS door: a SOAP answer refusing a request without identity carries nosniff', async () => {
      const query = adhocQuery('urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', { $XDSDocumentEntryPatientId: "'x^^^&1.2.250.1.213.1.4.8&ISO'" });
      const a = await postSoap(`${server.baseUrl}/xds/registry`, XDS_ACTIONS['ITI-18'], query, { security: null });
      expect({ status: a.status, type: a.contentType.split(';')[0], nosniff: a.headers.get('x-content-type-options') }).toEqual({
        status: a.status,
        type: 'application/soap+xml',
        nosniff: 'nosniff',
      });
    });

    it('an answer written on the socket before any request exists (a request line Node cannot read) carries nosniff', async () => {
      const url = new URL(server.baseUrl);
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => socket.write('NOT A REQUEST\r\n\r\n'));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString('latin1')));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      const head = raw.split('\r\n\r\n')[0]!.toLowerCase().split('\r\n');
      expect({ status: head[0], nosniff: head.includes('x-content-type-options: nosniff') }).toEqual({ status: 'http/1.1 400 bad request', nosniff: true });
    });
  });
}
