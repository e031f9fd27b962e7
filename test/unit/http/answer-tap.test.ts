// The e2e servers' answer tap (test/support/answer-tap.ts) sees what a server sends on the
// socket: JSON and XML bodies, whichever way their headers were set, and nothing else.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tapAnswers, type Answer } from '../../support/answer-tap.js';

describe('issue 12 proof: the answer tap', () => {
  const seen: Answer[] = [];
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/head-given') {
        res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
        res.end('{"resourceType":"Patient"}');
      } else if (req.url === '/set-then-chunks') {
        res.setHeader('content-type', 'application/fhir+xml');
        res.write('<Patient xmlns="http://hl7.org/fhir">');
        res.end('</Patient>');
      } else if (req.url === '/zipped') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(Buffer.from([0x1f, 0x8b]));
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<p>page</p>');
      }
    });
    tapAnswers(server, (a) => seen.push(a));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('hands over JSON and XML bodies, headers given to writeHead or set before, in one piece', async () => {
    for (const path of ['/head-given', '/set-then-chunks', '/zipped', '/page']) expect((await fetch(`${base}${path}`)).status).toBe(200);
    expect((await fetch(`${base}/head-given`, { method: 'HEAD' })).status).toBe(200);
    expect(seen.map((a) => [a.method, a.url, a.contentType, a.body])).toEqual([
      ['GET', '/head-given', 'application/fhir+json', '{"resourceType":"Patient"}'],
      ['GET', '/set-then-chunks', 'application/fhir+xml', '<Patient xmlns="http://hl7.org/fhir"></Patient>'],
    ]);
  });
});
