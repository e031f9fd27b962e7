// An MTOM body sent chunked (no Content-Length) is gathered in one buffer that grows as it
// arrives (src/xds/mtom-read.ts). Past 1 MB that buffer jumped to the route's limit, 64 MB: every
// unfinished chunked body of a little over a megabyte counted as 64 MB of the process's buffers
// (30 of them: 1.9 GB), and one client may hold 256 connections. The buffer now grows eightfold
// past 1 MB, never more than eight times what arrived.
import { request, type ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { describeEachStore } from '../support/stores.js';
import { useServer } from './mtom-send.js';

const MB = 1024 * 1024;
const CONNECTIONS = 30;
const SENT_BYTES = 1.2 * MB;
const BOUNDARY = 'MIMEBoundary_held';
const CONTENT_TYPE = `multipart/related; boundary=${BOUNDARY}; type="application/xop+xml"; start="<root@x>"; start-info="application/soap+xml"`;
const HEAD = Buffer.from(
  `--${BOUNDARY}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-ID: <root@x>\r\n\r\n` +
    `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/></env:Envelope>\r\n` +
    `--${BOUNDARY}\r\nContent-Type: application/octet-stream\r\nContent-ID: <part@x>\r\n\r\n`,
);

describeEachStore('hostile MTOM: what unfinished chunked bodies hold', (db: () => Db) => {
  const started = useServer(db);
  const held: ClientRequest[] = [];
  /** the server's ends of the connections */
  const accepted: Socket[] = [];

  beforeAll(() => {
    started.server.app.http.server.on('connection', (s: Socket) => accepted.push(s));
  });

  afterAll(() => {
    for (const r of held) r.destroy();
  });

  it(`holds ${CONNECTIONS} unfinished chunked bodies of ${SENT_BYTES / MB} MB in buffers of at most eight times that, not of the route's limit`, async () => {
    const part = Buffer.alloc(SENT_BYTES - HEAD.length, 0x41);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < CONNECTIONS; i++) {
      const req = request(`${started.server.baseUrl}/xds/repository`, { method: 'POST', headers: { 'content-type': CONTENT_TYPE } });
      req.on('error', () => undefined);
      req.write(HEAD);
      req.write(part);
      held.push(req);
    }
    // ready once the server has read every byte sent (chunk framing included), then a turn for its handlers
    await new Promise<void>((resolve) => {
      const check = () => (accepted.length >= CONNECTIONS && accepted.every((s) => s.bytesRead > SENT_BYTES) ? resolve() : setImmediate(check));
      check();
    });
    await new Promise((r) => setImmediate(r));
    // the client's own buffers (the part, written to each socket) are in this process too
    const heldMb = (process.memoryUsage().arrayBuffers - before) / MB;
    // the figure for docs/PERFORMANCE.md
    console.log(`${CONNECTIONS} unfinished chunked bodies: ${heldMb.toFixed(0)} MB of buffers`);
    expect({ heldMb: Math.round(heldMb), within: heldMb < CONNECTIONS * 8 * (SENT_BYTES / MB) }).toMatchObject({ within: true });
  }, 120_000);
});
