// The request line is written without pino's redaction pass when the pass could change nothing in
// it (redactionReaches). These tests hold that shortcut to what the pass protects (AUTH-06): a
// line that holds a name the log blanks still goes through the pass, and for any line the
// shortcut takes, the pass would have written the same bytes.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../../src/config/config.js';
import { buildHttpServer } from '../../../src/http/server.js';
import { loggerOptions, redactionReaches, SECRET_KEYS } from '../../../src/http/logging.js';
import { capturedLog } from '../../support/captured-log.js';

/** A logger with the server's settings, with or without its redaction, writing into `into`. */
function loggerInto(into: string[], redacting: boolean) {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      into.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const { redact: _r, ...unredacted } = loggerOptions('info');
  return pino({ ...(redacting ? loggerOptions('info') : unredacted), base: undefined, timestamp: false }, sink);
}

/** A small deterministic generator (the same lines on every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const NAMES = [...SECRET_KEYS, 'headers', 'req', 'res', 'body', 'authorization', 'cookie', 'set-cookie', 'method', 'actor', 'error', 'reason', 'id', 'kind', 'mode', 'status'];

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth < 3 && r < 0.45) {
    const o: Record<string, unknown> = {};
    const n = Math.floor(next() * 4);
    for (let i = 0; i < n; i++) o[NAMES[Math.floor(next() * NAMES.length)]!] = randomValue(next, depth + 1);
    return o;
  }
  // text only: the `req` serializer reads a url as text
  return `v${Math.floor(r * 1000)}`;
}

it('AUTH-06: whenever redactionReaches says no, the redaction pass writes the line unchanged (5,000 lines of names the log blanks and others, nested)', async () => {
  const next = random(13);
  const redacted: string[] = [];
  const plain: string[] = [];
  const withPass = loggerInto(redacted, true);
  const without = loggerInto(plain, false);
  let shortcut = 0;
  let reached = 0;
  for (let i = 0; i < 5000; i++) {
    const line: Record<string, unknown> = {};
    const n = 1 + Math.floor(next() * 5);
    for (let k = 0; k < n; k++) line[NAMES[Math.floor(next() * NAMES.length)]!] = randomValue(next, 1);
    withPass.info(structuredClone(line), 'request');
    without.info(structuredClone(line), 'request');
    await new Promise((r) => setImmediate(r));
    const [a, b] = [redacted.pop()!, plain.pop()!];
    if (redactionReaches(line)) reached++;
    else {
      shortcut++;
      expect(b).toBe(a);
    }
  }
  // both kinds were drawn, many of each
  expect(shortcut).toBeGreaterThan(300);
  expect(reached).toBeGreaterThan(500);
});

it('AUTH-06: each path the log blanks, put in a line, is seen by redactionReaches', () => {
  for (const k of SECRET_KEYS) {
    expect(redactionReaches({ [k]: 'x' })).toBe(true);
    expect(redactionReaches({ actor: { [k]: 'x' } })).toBe(true);
    expect(redactionReaches({ body: { [k]: 'x' } })).toBe(true);
  }
  expect(redactionReaches({ headers: { authorization: 'Bearer x' } })).toBe(true);
  expect(redactionReaches({ req: { headers: { cookie: 'x' } } })).toBe(true);
  expect(redactionReaches({ res: { headers: { 'set-cookie': 'x' } } })).toBe(true);
  expect(redactionReaches({ requestId: 'r', method: 'GET', url: '/fhir', status: 200, ms: 3, remote: '127.0.0.1', actor: { kind: 'professional', id: '8', mode: 'centre_15' }, error: 'forbidden', reason: 'masked' })).toBe(false);
});

let app: FastifyInstance;
let base: string;
const log = capturedLog<{ msg: string; requestId?: string } & Record<string, unknown>>();

beforeAll(async () => {
  app = buildHttpServer(loadConfig({ CARNET_LOG_LEVEL: 'info', CARNET_DEV_MODE: 'true' }), log.logger);
  // a request whose facts carry names the log blanks: as if a door had noted a secret by mistake
  app.get('/fhir/leaky', async (req) => {
    req.facts.actor = { kind: 'professional', id: '8100', token: 'TOKEN-SHOULD-NOT-APPEAR' } as never;
    req.facts.error = { error: 'forbidden', code: 'CODE-SHOULD-NOT-APPEAR' } as never;
    return { ok: true };
  });
  app.get('/fhir/plain', async (req) => {
    req.facts.actor = { kind: 'professional', id: '8100', mode: 'centre_15' };
    req.facts.error = { error: 'forbidden', reason: 'masked' };
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await app.close();
});

it('AUTH-06: a request line holding a name the log blanks goes through the redaction pass: the secret is blanked, the request id kept', async () => {
  const res = await fetch(`${base}/fhir/leaky`, { headers: { 'x-request-id': 'leaky-1' } });
  expect(res.status).toBe(200);
  const [line] = (await log.linesFor('leaky-1')).filter((l) => l.msg === 'request');
  expect(line).toMatchObject({ requestId: 'leaky-1', code: '[redacted]', actor: { kind: 'professional', id: '8100', token: '[redacted]' }, url: '/fhir/leaky' });
  expect(log.written.join('\n')).not.toMatch(/SHOULD-NOT-APPEAR/);
});

it('AUTH-06: a request line of the server\'s own fields, written without the pass, is the line the pass writes, field for field and in order', async () => {
  const res = await fetch(`${base}/fhir/plain`, { headers: { 'x-request-id': 'plain-1' } });
  expect(res.status).toBe(200);
  const written = log.written.find((l) => l.includes('"requestId":"plain-1"') && l.includes('"msg":"request"'))!;
  const { level, time, pid, hostname, msg, ...fields } = JSON.parse(written) as Record<string, unknown>;
  expect(Object.keys(fields)[0]).toBe('requestId');
  expect(fields).toMatchObject({ actor: { kind: 'professional', id: '8100', mode: 'centre_15' }, error: 'forbidden', reason: 'masked' });
  const again: string[] = [];
  const redacting = pino(loggerOptions('info'), new Writable({ write: (c: Buffer, _e, done) => (again.push(c.toString().trim()), done()) }));
  redacting.info(fields, msg as string);
  await new Promise((r) => setImmediate(r));
  expect(JSON.parse(again[0]!)).toEqual({ level, time: expect.any(Number), pid, hostname, ...fields, msg });
  expect(written.slice(written.indexOf('"requestId"'))).toBe(again[0]!.slice(again[0]!.indexOf('"requestId"')));
});
