// An MTOM message is held to its limits while it arrives (src/xds/mtom-read.ts). Its root part,
// the SOAP envelope, was measured against CARNET_XML_MAX_BYTES only once the whole body had been
// read: an anonymous sender could make the server take in 60 MB of envelope before the Fault.
// It is now refused once the part passes the limit, whatever is still to come, the rest of the
// body dropped as it comes (the client reads the answer, not a reset connection).
import { expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { describeEachStore } from '../support/stores.js';
import { ANNOUNCED_OR_CHUNKED, sendInPieces, useServer } from './mtom-send.js';

const MB = 1024 * 1024;
const BOUNDARY = 'MIMEBoundary_hostile';
const CONTENT_TYPE = `multipart/related; boundary=${BOUNDARY}; type="application/xop+xml"; start="<root@x>"; start-info="application/soap+xml"`;
const HEAD = Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-ID: <root@x>\r\n\r\n<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>`);
const TAIL = Buffer.from(`</env:Body></env:Envelope>\r\n--${BOUNDARY}--\r\n`);
/** The root part sent in base64: its head, one line of 76 characters (57 spaces, encoded), its end. */
const BASE64 = {
  head: Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <root@x>\r\n\r\n`),
  line: `${Buffer.alloc(57, ' ').toString('base64')}\r\n`,
  tail: Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
};

/** An MTOM message whose envelope holds `fill` bytes of spaces (sendInPieces). */
const sendEnvelope = (url: string, fill: number, announced: boolean) =>
  sendInPieces(url, { contentType: CONTENT_TYPE, head: HEAD, fill, filler: ' ', tail: TAIL, announced });
/** The same, the envelope sent in base64 as MIME writes it (lines of 76 characters): `fill` bytes of those lines. */
const sendBase64Envelope = (url: string, fill: number, announced: boolean) =>
  sendInPieces(url, { contentType: CONTENT_TYPE, head: BASE64.head, fill, filler: BASE64.line, tail: BASE64.tail, announced });

describeEachStore('hostile MTOM: the envelope is bounded while it arrives', (db: () => Db) => {
  const started = useServer(db);

  it.each(ANNOUNCED_OR_CHUNKED)('an anonymous envelope of 40 MB, %s, is refused with a 413 Fault naming CARNET_XML_MAX_BYTES before the body is all sent', async (_how, announced) => {
    const a = await sendEnvelope(`${started.server.baseUrl}/xds/repository`, 40 * MB, announced);
    expect({ status: a.status, fault: /<env:Fault>/.test(a.text), names: a.text.includes('CARNET_XML_MAX_BYTES') }).toEqual({ status: 413, fault: true, names: true });
    // the answer came once the envelope passed its limit, not at the end of the body
    expect({ writtenMb: Math.round(a.written / MB), early: a.written < a.total / 2 }).toMatchObject({ early: true });
  }, 120_000);

  it.each(ANNOUNCED_OR_CHUNKED)('an anonymous envelope of 40 MB sent in base64, %s, is refused with a 413 Fault naming CARNET_XML_MAX_BYTES before the body is all sent', async (_how, announced) => {
    const a = await sendBase64Envelope(`${started.server.baseUrl}/xds/repository`, 40 * MB, announced);
    expect({ status: a.status, fault: /<env:Fault>/.test(a.text), names: a.text.includes('CARNET_XML_MAX_BYTES') }).toEqual({ status: 413, fault: true, names: true });
    expect({ writtenMb: Math.round(a.written / MB), early: a.written < a.total / 2 }).toMatchObject({ early: true });
  }, 120_000);

  it('a base64 envelope just within the limit (8 MB decoded, in lines of 76) is read to its end (refused for what it holds — 8 MB of one text — not for its size)', async () => {
    // lines of 78 bytes, each 57 bytes decoded
    const lines = Math.floor((8 * MB - 4096) / 57);
    const a = await sendBase64Envelope(`${started.server.baseUrl}/xds/repository`, lines * 78, false);
    expect({ status: a.status, sizeRefused: a.text.includes('CARNET_XML_MAX_BYTES'), why: a.text.includes('CARNET_XML_MAX_TEXT_LENGTH'), whole: a.written === a.total }).toEqual({ status: 413, sizeRefused: false, why: true, whole: true });
  }, 120_000);

  it('an envelope within the limit is read as before (here: anonymous, so refused for its missing security, not its size)', async () => {
    const a = await sendEnvelope(`${started.server.baseUrl}/xds/repository`, 3 * MB, false);
    expect({ status: a.status, sizeRefused: a.text.includes('CARNET_XML_MAX_BYTES'), whole: a.written === a.total }).toEqual({ status: 400, sizeRefused: false, whole: true });
  }, 120_000);
});
