// An MTOM request is split while it arrives (mtom-read.ts): the same request sent whole (with its
// Content-Length) or chunked in pieces of a few bytes, so that chunk edges fall inside its
// delimiters, is answered the same.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { securityHeader } from '../../src/auth/vihf-issuer.js';
import { buildMtomMessage, readSoapPayload } from '../../src/xds/mtom.js';
import { NS } from '../../src/xml/index.js';
import type { Db } from '../../src/store/db.js';
import { describeEachStore } from '../support/stores.js';
import { envelope, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
import { startWithOneRecord, type OneRecord } from '../hostile/one-record.js';

const REPOSITORY = '1.2.250.1.999.1.1.1';
const DOCUMENT = 'the document, read back through a request cut in pieces';

/** POSTs `body` whole, or as a stream of `piece`-byte chunks (chunked transfer); the answer's envelope and attachments. */
async function send(url: string, contentType: string, body: Buffer, piece?: number) {
  const stream = piece
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < body.length; at += piece) controller.enqueue(new Uint8Array(body.subarray(at, at + piece)));
          controller.close();
        },
      })
    : undefined;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: stream ?? body, ...(stream ? { duplex: 'half' } : {}) } as RequestInit);
  const payload = readSoapPayload(Buffer.from(await res.arrayBuffer()), res.headers.get('content-type') ?? '');
  return { status: res.status, documents: [...payload.attachments.values()].map((b) => b.toString('utf8')), fault: /Fault/.test(payload.envelope) };
}

describeEachStore('an MTOM request read in pieces', (db: () => Db) => {
  let one: OneRecord;

  beforeAll(async () => {
    one = await startWithOneRecord(db(), DOCUMENT);
  }, 120_000);

  afterAll(async () => {
    await one?.server.close();
  });

  it('is answered as the same request sent whole, with chunk edges at every offset of a delimiter', async () => {
    const action = XDS_ACTIONS['ITI-43'];
    const retrieve =
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}"><xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${REPOSITORY}</xdsb:RepositoryUniqueId>` +
      `<xdsb:DocumentUniqueId>${one.document.uniqueId}</xdsb:DocumentUniqueId></xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`;
    const m = buildMtomMessage(envelope(action, retrieve, securityHeader(vihfFor(one.doctor))), [], action);
    const body = Buffer.concat(m.chunks);
    const url = `${one.server.baseUrl}/xds/repository`;
    const whole = await send(url, m.contentType, body);
    expect(whole).toEqual({ status: 200, documents: [DOCUMENT], fault: false });
    // pieces of 1 to 7 bytes put an edge at every offset of a delimiter (when the network does not join them)
    for (const piece of [1, 3, 7]) expect(await send(url, m.contentType, body, piece)).toEqual(whole);
  }, 60_000);
});
