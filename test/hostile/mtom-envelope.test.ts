// An MTOM message is held to its limits while it arrives (src/xds/mtom-read.ts). Its root part,
// the SOAP envelope, was measured against CARNET_XML_MAX_BYTES only once the whole body had been
// read: an anonymous sender could make the server take in 60 MB of envelope before the Fault.
// It is now refused once the part passes the limit, whatever is still to come, the rest of the
// body dropped as it comes (the client reads the answer, not a reset connection).
import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';

const MB = 1024 * 1024;
const BOUNDARY = 'MIMEBoundary_hostile';
const CONTENT_TYPE = `multipart/related; boundary=${BOUNDARY}; type="application/xop+xml"; start="<root@x>"; start-info="application/soap+xml"`;
const HEAD = Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-ID: <root@x>\r\n\r\n<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>`);
const TAIL = Buffer.from(`</env:Body></env:Envelope>\r\n--${BOUNDARY}--\r\n`);
/** The same envelope sent in base64, as MIME writes it: lines of 76 characters. */
const BASE64 = {
  head: Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <root@x>\r\n\r\n`),
  // 256 KB of lines of base64 (spaces, encoded)
  piece: Buffer.from(`${Buffer.alloc(57, ' ').toString('base64')}\r\n`.repeat(Math.floor((256 * 1024) / 78))),
  tail: Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
};

/**
 * POSTs an MTOM message whose envelope holds `fill` bytes of spaces (or of `parts.piece`),
 * written in 256 KB pieces, each once the one before was taken, with its Content-Length or chunked; stops writing at the
 * answer. The answer, and how much of the body had been written when it came.
 */
function sendEnvelope(url: string, fill: number, announced: boolean, parts = { head: HEAD, piece: Buffer.alloc(256 * 1024, ' '), tail: TAIL }): Promise<{ status: number; text: string; written: number; total: number }> {
  const { head, piece, tail } = parts;
  const total = head.length + fill + tail.length;
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers: { 'content-type': CONTENT_TYPE, ...(announced ? { 'content-length': String(total) } : {}) } });
    req.on('response', (res) => {
      answered = true;
      const at = written;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8'), written: at, total });
        req.destroy();
      });
    });
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    written += head.length;
    req.write(head);
    let filled = 0;
    const write = () => {
      while (!answered && filled < fill) {
        const n = Math.min(piece.length, fill - filled);
        filled += n;
        written += n;
        if (!req.write(n === piece.length ? piece : piece.subarray(0, n))) return void req.once('drain', write);
      }
      if (answered) return;
      written += tail.length;
      req.end(tail);
    };
    write();
  });
}

describeEachStore('hostile MTOM: the envelope is bounded while it arrives', (db: () => Db) => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startTestApp(db());
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it.each([
    ['with its Content-Length', true],
    ['chunked', false],
  ])('an anonymous envelope of 40 MB, %s, is refused with a 413 Fault naming CARNET_XML_MAX_BYTES before the body is all sent', async (_how, announced) => {
    const a = await sendEnvelope(`${server.baseUrl}/xds/repository`, 40 * MB, announced);
    expect({ status: a.status, fault: /<env:Fault>/.test(a.text), names: a.text.includes('CARNET_XML_MAX_BYTES') }).toEqual({ status: 413, fault: true, names: true });
    // the answer came once the envelope passed its limit, not at the end of the body
    expect({ writtenMb: Math.round(a.written / MB), early: a.written < a.total / 2 }).toMatchObject({ early: true });
  }, 120_000);

  it.each([
    ['with its Content-Length', true],
    ['chunked', false],
  ])('an anonymous envelope of 40 MB sent in base64, %s, is refused with a 413 Fault naming CARNET_XML_MAX_BYTES before the body is all sent', async (_how, announced) => {
    const a = await sendEnvelope(`${server.baseUrl}/xds/repository`, 40 * MB, announced, BASE64);
    expect({ status: a.status, fault: /<env:Fault>/.test(a.text), names: a.text.includes('CARNET_XML_MAX_BYTES') }).toEqual({ status: 413, fault: true, names: true });
    expect({ writtenMb: Math.round(a.written / MB), early: a.written < a.total / 2 }).toMatchObject({ early: true });
  }, 120_000);

  it('a base64 envelope just within the limit (8 MB decoded, in lines of 76) is read to its end (refused for what it holds — 8 MB of one text — not for its size)', async () => {
    // the piece is 3,360 lines of 78 bytes, each 57 bytes decoded
    const lines = Math.floor((8 * MB - 4096) / 57);
    const a = await sendEnvelope(`${server.baseUrl}/xds/repository`, lines * 78, false, BASE64);
    expect({ status: a.status, sizeRefused: a.text.includes('CARNET_XML_MAX_BYTES'), why: a.text.includes('CARNET_XML_MAX_TEXT_LENGTH'), whole: a.written === a.total }).toEqual({ status: 413, sizeRefused: false, why: true, whole: true });
  }, 120_000);

  it('an envelope within the limit is read as before (here: anonymous, so refused for its missing security, not its size)', async () => {
    const a = await sendEnvelope(`${server.baseUrl}/xds/repository`, 3 * MB, false);
    expect({ status: a.status, sizeRefused: a.text.includes('CARNET_XML_MAX_BYTES'), whole: a.written === a.total }).toEqual({ status: 400, sizeRefused: false, whole: true });
  }, 120_000);
});
