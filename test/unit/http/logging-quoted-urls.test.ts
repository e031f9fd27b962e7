// Fastify's own warnings quote the request's URL as the client sent it (`Reply was already sent,
// did you forget to "return reply" in the "<url>" (GET) route?`): its path may hold an INS or a
// name (`/fhir/Patient/<INS>`), which the log writes as the request's line writes a path.
import { expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import pino from 'pino';
import { addRouteWords, loggerOptions } from '../../../src/http/logging.js';

it('a URL quoted in a log line\'s text keeps the route\'s words and loses the caller\'s segments and the query\'s values', () => {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      written.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  addRouteWords('/fhir/Patient/:id');
  const log = pino(loggerOptions('info'), sink);
  log.warn('Reply was already sent, did you forget to "return reply" in the "/fhir/Patient/2840575123456" (GET) route?');
  log.warn('Reply was already sent, did you forget to "return reply" in the "/fhir/Patient/Durand?identifier=x|2840575123456" (GET) route?');
  const msgs = written.map((l) => (JSON.parse(l) as { msg: string }).msg);
  expect(msgs).toEqual([
    'Reply was already sent, did you forget to "return reply" in the "/fhir/Patient/…" (GET) route?',
    'Reply was already sent, did you forget to "return reply" in the "/fhir/Patient/…?…" (GET) route?',
  ]);
});
