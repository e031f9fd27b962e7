// Slow and idle connections (slowloris): a client that opens connections and sends their heads a
// byte at a time must not hold the server's sockets. The head's time limit cuts a slow head, the
// per-client bound answers 503 past it without serving the connection, and other clients (and the
// same client once its connections close) are served meanwhile.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { tapAnswers } from '../support/answer-tap.js';
import { openTestPglite } from '../support/stores.js';
import { proActor } from '../support/world.js';

const PER_CLIENT = 4;
const HEADERS_TIMEOUT_MS = 800;
// Well past the head's limit: the socket's idle timeout is this long too, and Node checks the
// head's limit only every quarter of it (200 ms here), so under load, with the two 200 ms apart, a
// late check let the idle timeout close the slow head first, without its 408 (a CI run saw it).
const REQUEST_TIMEOUT_MS = 2000;
const KEEP_ALIVE_TIMEOUT_MS = 800;
/** An answer of about 750 KB anyone may ask for: a few of them fill the sockets' buffers. */
const LARGE = '/fhir/StructureDefinition';

let db: Db;
let server: RunningApp;
let port: number;
const sockets: Socket[] = [];
/** the URL of every answer the server's handlers finished, in order */
const answered: string[] = [];
/** the server's ends of the connections open now */
const accepted = new Set<Socket>();

beforeAll(async () => {
  db = await openTestPglite();
  server = await startTestApp(db, { CARNET_MAX_CONNECTIONS_PER_CLIENT: String(PER_CLIENT), CARNET_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), CARNET_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    CARNET_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
  });
  port = Number(new URL(server.baseUrl).port);
  tapAnswers(server.app.http.server, (a) => answered.push(a.url));
  server.app.http.server.on('connection', (a: Socket) => {
    accepted.add(a);
    a.once('close', () => accepted.delete(a));
  });
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await server?.close();
  await db?.close();
});

/** A raw connection to the server, kept for the cleanup; resolves once connected. */
function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    sockets.push(s);
  });
}

/** The server's end of the client connection `s`. */
function serverSide(s: Socket): Promise<Socket> {
  const known = [...accepted].find((a) => a.remotePort === s.localPort);
  if (known) return Promise.resolve(known);
  return new Promise((resolve) => {
    const seen = (a: Socket) => {
      if (a.remotePort !== s.localPort) return;
      server.app.http.server.off('connection', seen);
      resolve(a);
    };
    server.app.http.server.on('connection', seen);
  });
}

/** Everything the server sends on `s` until it closes the connection. */
function untilClosed(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.once('close', () => resolve(text));
  });
}

async function health(): Promise<number> {
  return (await fetch(`${server.baseUrl}/health`)).status;
}

describe('connections held by a slow client', () => {
  it('cuts a request head that does not arrive within CARNET_HEADERS_TIMEOUT_MS (408), and serves others meanwhile', async () => {
    const slow = await open();
    const answer = untilClosed(slow);
    // Half a head, then nothing more: the server closes it once the head's time is spent.
    slow.write('GET /health HTTP/1.1\r\nHost: carnet\r\nX-Slow: a');
    expect(await health()).toBe(200);
    expect(await answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts a request whose body trickles in (a byte at a time) once CARNET_REQUEST_TIMEOUT_MS has passed since it began, and serves others meanwhile', async () => {
    const slow = await open();
    const answer = untilClosed(slow);
    // A head announcing a body of 10,000 bytes, then one byte every 50 ms: the whole body would
    // take over eight minutes, each byte keeping the socket from ever being idle.
    const token = await server.tokenFor(proActor('doctor'));
    slow.write(`POST /fhir HTTP/1.1\r\nHost: carnet\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/fhir+json\r\nContent-Length: 10000\r\n\r\n{`);
    const trickle = setInterval(() => slow.writable && slow.write(' '), 50);
    try {
      expect(await health()).toBe(200);
      expect(await answer).toMatch(/^(HTTP\/1\.1 408 |$)/);
    } finally {
      clearInterval(trickle);
    }
  });

  it(`answers 503 with Retry-After past ${PER_CLIENT} connections from one client, never serving that connection`, async () => {
    const held = await Promise.all(Array.from({ length: PER_CLIENT }, () => open()));
    const extra = await open();
    const answer = untilClosed(extra);
    // A request sent on the refused connection is not served (a POST that would be refused 4xx
    // by a handler would show in the answer): the only answer is the bound's 503.
    extra.write('GET /health HTTP/1.1\r\nHost: carnet\r\n\r\n');
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text).toMatch(/\r\nRetry-After: 1\r\n/);
    expect(text).toMatch(/Too many connections from this client/);
    expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    // Once the held connections close, the client is served again.
    const closed = held.map((s) => new Promise((r) => s.once('close', r)));
    for (const s of held) s.destroy();
    await Promise.all(closed);
    expect(await health()).toBe(200);
  });

  it('closes a connection whose client stops reading its answers, once nothing moved on it for CARNET_REQUEST_TIMEOUT_MS', async () => {
    const reader = await open();
    // Requests sent, answers never read: once the sockets' buffers are full nothing moves, and
    // the request was received whole, so neither the head's nor the request's time limit applies.
    // The client reads nothing, so the close is seen on the server's side of the connection.
    const closedByServer = serverSide(reader).then((s) => new Promise((resolve) => s.once('close', resolve)));
    reader.pause();
    reader.write(`GET ${LARGE} HTTP/1.1\r\nHost: carnet\r\n\r\n`.repeat(12));
    await closedByServer;
  });

  it('builds the answers of pipelined requests one after the other: requests sent ahead of an unread answer wait for it to leave', async () => {
    const reader = await open();
    const closedByServer = serverSide(reader).then((s) => new Promise((resolve) => s.once('close', resolve)));
    // 40 requests of 30 bytes: built at once, their answers held 30 MB until the client read them
    // (a few KB of requests asked hundreds of MB of the server's memory).
    const built = () => answered.filter((u) => u === LARGE).length;
    const before = built();
    reader.pause();
    reader.write(`GET ${LARGE} HTTP/1.1\r\nHost: carnet\r\n\r\n`.repeat(40));
    await closedByServer;
    // Only those the sockets' buffers took, and the one waiting for them, were built.
    expect(built() - before).toBeLessThan(40);
  });

  it('answers pipelined requests in the order they came, each once', async () => {
    const client = await open();
    const answer = untilClosed(client);
    const ids = ['p1', 'p2', 'p3', 'p4', 'p5'];
    client.write(ids.map((id, i) => `GET /health HTTP/1.1\r\nHost: carnet\r\nX-Request-Id: ${id}\r\n${i === ids.length - 1 ? 'Connection: close\r\n' : ''}\r\n`).join(''));
    const text = await answer;
    expect([...text.matchAll(/\r\nx-request-id: (\w+)\r\n/gi)].map((m) => m[1])).toEqual(ids);
  });

  it('gives a client its connections back when they end by a reset or by the head timeout in the middle of a request', async () => {
    const cut = await Promise.all(Array.from({ length: PER_CLIENT }, () => open()));
    // every one counted by the server before anything else happens to it
    const ends = await Promise.all(cut.map(serverSide));
    const closedByServer = ends.map((s) => new Promise((resolve) => s.once('close', resolve)));
    for (const c of cut) c.write('POST /fhir/Patient HTTP/1.1\r\nHost: carnet\r\nContent-Length: 100\r\n\r\n{"half');
    // half reset by the client, half left unfinished until the server cuts them (no end of stream)
    cut.slice(0, PER_CLIENT / 2).forEach((c) => c.resetAndDestroy());
    cut.slice(PER_CLIENT / 2).forEach((c) => c.write('{'));
    await Promise.all(closedByServer);
    expect(await health()).toBe(200);
  });

  it('closes a kept-alive connection that stays idle for CARNET_KEEP_ALIVE_TIMEOUT_MS after its answer', async () => {
    // One cheap request, then nothing: the connection would be held as long as a late head.
    const idle = await open();
    const answer = untilClosed(idle);
    idle.write('GET /health HTTP/1.1\r\nHost: carnet\r\n\r\n');
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
  });
});
