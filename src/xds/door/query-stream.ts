// ITI-18 FindDocuments as LeafClass, written as it is read: the envelope's head once the service
// has decided access and knows the answer fits, each page of entries as their ExtrinsicObjects,
// then the tail — only once the service's transaction has committed, trace included. A failure
// after the head (the database lost mid-answer, the trace or the commit refused) cuts the
// connection: what went out is not a well-formed envelope, never a Success the client could take
// for the whole answer.
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { adhocQueryResponseParts } from '../ebrim/write.js';
import { mtomFraming } from '../mtom.js';
import { soapEnvelopeParts } from '../soap-write.js';
import type { EntryXmlCache, RecordXmlReader } from './entry-xml-cache.js';
import type { StreamedQuery } from './query.js';

export interface StreamedAnswerOptions {
  /** the answer's wsa:Action and wsa:RelatesTo */
  action: string;
  relatesTo?: string;
  /** framed as MTOM (the request was) or plain SOAP 1.2 */
  mtom: boolean;
  cache: EntryXmlCache;
  /** the answer when the query fails before anything was sent: the door's usual one */
  failed: (error: unknown) => FastifyReply | Promise<FastifyReply>;
  /** told of a failure after the head was sent (the log) */
  onCut: (error: unknown) => void;
}

const SOAP_TYPE = 'application/soap+xml; charset=UTF-8';

export async function sendStreamedQuery(reply: FastifyReply, query: StreamedQuery, o: StreamedAnswerOptions): Promise<FastifyReply> {
  const envelope = soapEnvelopeParts({ action: o.action, relatesTo: o.relatesTo });
  const response = adhocQueryResponseParts();
  const frame = o.mtom ? mtomFraming(o.action) : undefined;
  let out: PassThrough | undefined;
  let reader: RecordXmlReader | undefined;
  try {
    await query.run({
      known: (patientKey) => (reader = o.cache.reader(patientKey)).known,
      begin: () => {
        out = new PassThrough();
        if (frame) reply.header('content-type', frame.contentType);
        else reply.type(SOAP_TYPE);
        void reply.send(out);
        if (frame) out.write(frame.head);
        out.write(envelope.head + response.head);
      },
      // Written without waiting for the client to read: the transaction (its pooled connection)
      // must not last as long as a slow reader takes. What is buffered is at most the answer a
      // whole-built reply would have held, and the pages' objects are freed as they go.
      page: (entries) => {
        // a client gone: the rest is read (the search ends and is traced as any), not written
        if (out!.destroyed) return;
        for (const piece of reader!.pageOf(entries)) out!.write(piece);
      },
    });
  } catch (e) {
    if (!out) return o.failed(e);
    o.onCut(e);
    reply.raw.destroy();
    out.destroy();
    return reply;
  }
  out!.end(frame ? Buffer.concat([Buffer.from(response.tail + envelope.tail, 'utf8'), frame.tail]) : response.tail + envelope.tail);
  return reply;
}
