import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpSmsSender } from '../../../src/notify/sms-gateway.js';

describe('SMS through an HTTP gateway', () => {
  let server: Server;
  let url = '';
  const received: Array<{ auth?: string; body: unknown }> = [];
  let status = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ auth: req.headers.authorization, body: JSON.parse(data) });
        res.statusCode = status;
        res.end(status === 200 ? '{"id":"1"}' : 'echo of the text 123456');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts {to, text} with the bearer token, and fails on a non-2xx answer without quoting it', async () => {
    const sms = httpSmsSender({ url, token: 'gw-token' });
    await sms.send({ recipient: '+33612345678', subject: null, body: 'DMP : votre code est 123456.' });
    expect(received[0]).toEqual({ auth: 'Bearer gw-token', body: { to: '+33612345678', text: 'DMP : votre code est 123456.' } });
    status = 503;
    const err = await sms.send({ recipient: '+33612345678', subject: null, body: 'x' }).catch((e: Error) => e);
    expect(String(err)).toContain('HTTP 503');
    expect(String(err)).not.toContain('123456');
  });
});
