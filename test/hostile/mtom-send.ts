// What the hostile MTOM suites share: a server with no record, started around a describe block
// (their senders are anonymous), and one large MTOM body sent in pieces, each written once the one
// before was taken, with its Content-Length or chunked, so that the server meets the body as it
// arrives, as from a real client.
import { request } from 'node:http';
import { afterAll, beforeAll } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';

/** The two ways a body is announced, for it.each: its length given up front, or chunked. */
export const ANNOUNCED_OR_CHUNKED: Array<[string, boolean]> = [
  ['with its Content-Length', true],
  ['chunked', false],
];

/** In a describe block: a server on `db` started before its tests and closed after them. */
export function useServer(db: () => Db): { server: RunningApp } {
  const shared = {} as { server: RunningApp };
  beforeAll(async () => {
    shared.server = await startTestApp(db());
  }, 60_000);
  afterAll(async () => {
    await shared.server?.close();
  });
  return shared;
}

export interface PiecesToSend {
  contentType: string;
  /** written first, whole */
  head?: Buffer;
  /** how many bytes of `filler` follow, in pieces of 256 KB */
  fill: number;
  filler: string;
  /** written last, with the end of the request */
  tail?: Buffer;
  /** with a Content-Length (true) or chunked */
  announced: boolean;
}

/**
 * POSTs `head`, `fill` bytes of `filler` and `tail` to `url`, each piece written once the one
 * before was taken; stops writing at the answer. The answer, and how much of the body had been
 * written when it came.
 */
export function sendInPieces(url: string, body: PiecesToSend): Promise<{ status: number; text: string; written: number; total: number }> {
  const head = body.head ?? Buffer.alloc(0);
  const tail = body.tail ?? Buffer.alloc(0);
  const total = head.length + body.fill + tail.length;
  const piece = Buffer.alloc(256 * 1024, body.filler);
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers: { 'content-type': body.contentType, ...(body.announced ? { 'content-length': String(total) } : {}) } });
    req.on('response', (res) => {
      answered = true;
      const at = written;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode!, text: Buffer.concat(parts).toString('utf8'), written: at, total });
        req.destroy();
      });
    });
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (head.length) {
      written += head.length;
      req.write(head);
    }
    let filled = 0;
    const write = () => {
      while (!answered && filled < body.fill) {
        const n = Math.min(piece.length, body.fill - filled);
        filled += n;
        written += n;
        if (!req.write(n === piece.length ? piece : piece.subarray(0, n))) return void req.once('drain', write);
      }
      if (answered) return;
      written += tail.length;
      if (tail.length) req.end(tail);
      else req.end();
    };
    write();
  });
}
