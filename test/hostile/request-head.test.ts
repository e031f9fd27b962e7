// What arrives before a request can be served is answered as every refusal of the server, an
// OperationOutcome: a query string whose percent-encoding is no UTF-8 was read as U+FFFD and
// searched for (a 200 for a value nobody sent), and Node's own refusals of a head (431: too
// large, 400: a request line that does not parse) were Fastify's JSON of its own shape.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { Db } from '../../src/store/db.js';
import type { RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { startWithOneRecord } from './one-record.js';

/** Sends `raw` on a connection of its own; the answer's status, content type and body, read to the close. */
function sendRaw(baseUrl: string, raw: string): Promise<{ status: number; type: string; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(raw));
    const parts: Buffer[] = [];
    socket.on('data', (c: Buffer) => parts.push(c));
    // the server may close while this side still writes: what it answered is read all the same
    socket.on('error', (e) => (parts.length ? undefined : reject(e)));
    socket.on('close', () => {
      const text = Buffer.concat(parts).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), type: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '', body });
    });
  });
}

function outcome(body: string): OperationOutcome | undefined {
  try {
    const o = JSON.parse(body) as OperationOutcome;
    return o.resourceType === 'OperationOutcome' ? o : undefined;
  } catch {
    return undefined;
  }
}

describeEachStore('hostile request heads: answered as OperationOutcomes', (db: () => Db) => {
  let server: RunningApp;
  let token: string;
  let patientKey: string;

  beforeAll(async () => {
    const one = await startWithOneRecord(db());
    server = one.server;
    patientKey = one.patientKey;
    token = await server.tokenFor(one.doctor);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it.each(['%ff', '%c0%ae', '%zz', '%ed%a0%80', 'x%'])('refuses a search whose query holds %s with a 400 OperationOutcome, not a search for U+FFFD', async (bad) => {
    const res = await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=Patient/${patientKey}&author.family=${bad}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });
    const o = outcome(await res.text());
    expect({ status: res.status, outcome: !!o, says: o?.issue?.[0]?.diagnostics?.includes('percent-encoding') }).toEqual({ status: 400, outcome: true, says: true });
  });

  it('still reads a query whose percent-encoding is UTF-8', async () => {
    const res = await fetch(`${server.baseUrl}/fhir/DocumentReference?patient=Patient/${patientKey}&author.family=M%C3%BCller`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a head of 64 KB', 431, `GET /fhir/metadata HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`],
    ['a request line that does not parse', 400, 'NOT HTTP AT ALL\r\n\r\n'],
    ['a header without a colon', 400, 'GET /fhir/metadata HTTP/1.1\r\nHost x\r\n\r\n'],
  ])('answers %s with an OperationOutcome (%i)', async (_name, status, raw) => {
    const a = await sendRaw(server.baseUrl, raw);
    const o = outcome(a.body);
    expect({ status: a.status, type: a.type, issue: o?.issue?.[0]?.severity, diagnostics: typeof o?.issue?.[0]?.diagnostics }).toEqual({ status, type: 'application/fhir+json', issue: 'error', diagnostics: 'string' });
  });
});
