// An MTOM answer written as its documents are read (ITI-43): the same bytes as buildMtomMessage
// (mtom.ts) would give for the same envelope and attachments, but each document comes as slices
// read from the store when the client has taken the previous ones, so that at most a slice or
// two of each document is in memory. Its length is known beforehand from the documents' sizes.
import { Readable } from 'node:stream';
import { attachmentPartHead, mtomFraming } from './mtom.js';

/** A document to attach, by its size and its bytes in order (possibly read as they are asked for). */
export interface StreamedAttachment {
  /** bare Content-ID (no `<>`) */
  contentId: string;
  contentType: string;
  size: number;
  slices(): AsyncIterable<Uint8Array>;
}

export interface StreamedMtomMessage {
  contentType: string;
  /** total length in bytes */
  length: number;
  /** fails (and so cuts the answer) when a document's slices fail or fall short of its size */
  body: Readable;
}

export function streamMtomMessage(envelopeXml: string, attachments: StreamedAttachment[], action?: string): StreamedMtomMessage {
  const frame = mtomFraming(action);
  const envelope = Buffer.from(envelopeXml, 'utf8');
  const heads = attachments.map((a) => attachmentPartHead(frame.boundary, a));
  const length = frame.head.length + envelope.length + attachments.reduce((n, a, i) => n + heads[i]!.length + a.size, 0) + frame.tail.length;
  async function* parts(): AsyncGenerator<Uint8Array> {
    yield frame.head;
    yield envelope;
    for (const [i, a] of attachments.entries()) {
      yield heads[i]!;
      let sent = 0;
      for await (const slice of a.slices()) {
        sent += slice.byteLength;
        yield slice;
      }
      if (sent !== a.size) throw new Error(`the document ${a.contentId} gave ${sent} bytes of its ${a.size}`);
    }
    yield frame.tail;
  }
  // not in object mode: what is read ahead is counted in bytes (a slice), not in slices
  return { contentType: frame.contentType, length, body: Readable.from(parts(), { objectMode: false }) };
}
