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

/** An MTOM message whose envelope holds `fill` bytes of spaces (sendInPieces). */
const sendEnvelope = (url: string, fill: number, announced: boolean) =>
  sendInPieces(url, { contentType: CONTENT_TYPE, head: HEAD, fill, filler: ' ', tail: TAIL, announced });

describeEachStore('hostile MTOM: the envelope is bounded while it arrives', (db: () => Db) => {
  const started = useServer(db);

  it.each(ANNOUNCED_OR_CHUNKED)('an anonymous envelope of 40 MB, %s, is refused with a 413 Fault naming CARNET_XML_MAX_BYTES before the body is all sent', async (_how, announced) => {
    const a = await sendEnvelope(`${started.server.baseUrl}/xds/repository`, 40 * MB, announced);
    expect({ status: a.status, fault: /<env:Fault>/.test(a.text), names: a.text.includes('CARNET_XML_MAX_BYTES') }).toEqual({ status: 413, fault: true, names: true });
    // the answer came once the envelope passed its limit, not at the end of the body
    expect({ writtenMb: Math.round(a.written / MB), early: a.written < a.total / 2 }).toMatchObject({ early: true });
  }, 120_000);

  it('an envelope within the limit is read as before (here: anonymous, so refused for its missing security, not its size)', async () => {
    const a = await sendEnvelope(`${started.server.baseUrl}/xds/repository`, 3 * MB, false);
    expect({ status: a.status, sizeRefused: a.text.includes('CARNET_XML_MAX_BYTES'), whole: a.written === a.total }).toEqual({ status: 400, sizeRefused: false, whole: true });
  }, 120_000);
});
