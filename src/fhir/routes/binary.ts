// ITI-68 Retrieve Document: `GET /fhir/Binary/<id>`, where <id> is the DocumentReference id
// (the entryUUID, as attachment.url and the ITI-65 response say). The bytes come back as they
// were deposited, with their mimeType, written as they are read from the store, unless the caller asks for FHIR (Accept or _format):
// then a Binary resource carries them in base64. The bytes as deposited may be asked for in part,
// one byte range (`Range`, RFC 9110; byte-ranges.ts): only that part is read from the store. The
// bytes as deposited carry their SHA-256 as a strong entity tag (entity-tags.ts): `If-Range`
// naming it lets a range apply, `If-None-Match` naming it is a 304 (a document's mimeType never
// changes, metadata-updates.ts refuses it, so the tag of the bytes names the whole answer). A hidden or unknown document
// is a 404, whatever the headers, and every answer, 304 included, follows a traced access. Either
// way the headers that keep a document from running in the server's origin are set
// (content-headers.ts).
import type { Binary } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { contentRange, decideRange, ifRangeAllows, WHOLE, type ByteRange } from '../../http/byte-ranges.js';
import { CONTENT_SAFETY_HEADERS, charsetFollowsBytes, documentResponseHeaders } from '../../http/content-headers.js';
import { contentEtag, noneMatchNames } from '../../http/entity-tags.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { formatOfMediaType } from '../format.js';
import { errorOutcome } from '../outcome.js';
import { sendResource } from '../reply.js';
import type { DocumentContent } from '../../services/documents.js';
import { entryUuidOfId } from './documents.js';

type Wanted = 'raw' | 'fhir' | 'none';

/** What the caller accepts for a document of this mime type. */
export function wantedForm(req: FastifyRequest, mimeType: string): Wanted {
  const q = req.query as Record<string, unknown> | undefined;
  if (typeof q?._format === 'string' && formatOfMediaType(q._format)) return 'fhir';
  const accept = req.headers.accept;
  if (!accept) return 'raw';
  const [type, subtype] = mimeType.toLowerCase().split(';')[0].trim().split('/');
  const ranges = accept
    .split(',')
    .map((part, order) => {
      const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const qp = params.find((p) => p.startsWith('q='));
      return { range, q: qp ? Number(qp.slice(2)) : 1, order };
    })
    .filter((r) => r.range && r.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { range } of ranges) {
    if (range === `${type}/${subtype}`) return 'raw';
    if (formatOfMediaType(range)) return 'fhir';
    if (range === '*/*' || range === `${type}/*`) return 'raw';
  }
  return 'none';
}

interface RawDocument {
  id: string;
  mimeType: string;
  content: DocumentContent;
}

const headerOf = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return v === undefined ? undefined : String(v);
};

/**
 * The document's own bytes (its mime type, not FHIR): all of them, one byte range, or none (304)
 * when the caller holds them already. If-None-Match is asked before If-Range and Range (RFC 9110
 * §13.2.2). The access was decided and traced before any of them is read.
 */
function sendRaw(req: FastifyRequest, reply: FastifyReply, doc: RawDocument): Promise<FastifyReply> | FastifyReply {
  const { content } = doc;
  const etag = contentEtag(content.sha256);
  if (noneMatchNames(headerOf(req, 'if-none-match'), etag)) return reply.code(304).header('etag', etag).send();
  // a range applies only to the bytes the caller's If-Range names (its Date never does: the
  // answer has no Last-Modified); otherwise the whole document (RFC 9110 §13.1.5)
  const decision = ifRangeAllows(headerOf(req, 'if-range'), { etag }) ? decideRange(req.headers.range, content.size) : WHOLE;
  if (decision.kind === 'unsatisfiable') {
    // The access was decided and traced before the size was known to the answer: a reader who
    // may not see the document had its 404 from retrieve(), never this.
    reply.header('accept-ranges', 'bytes').header('content-range', contentRange(content.size));
    return sendResource(req, reply, errorOutcome('invalid', `no byte of the Range lies within the document's ${content.size} bytes`), 416);
  }
  return sendBytes(reply, doc, etag, decision.kind === 'partial' ? decision.range : undefined);
}

/** 200 with every byte, or 206 with those of `range`; the same headers otherwise, the bytes' entity tag among them. */
async function sendBytes(reply: FastifyReply, doc: RawDocument, etag: string, range?: ByteRange): Promise<FastifyReply> {
  const { mimeType, content } = doc;
  // Text without a charset is served as UTF-8 only if all of it is, a range labelled as the whole
  // document is: decided once, when the bytes were deposited.
  const utf8 = charsetFollowsBytes(mimeType) ? await content.isUtf8() : undefined;
  reply.headers(documentResponseHeaders({ mimeType, baseName: `document-${doc.id}`, utf8 })).header('accept-ranges', 'bytes').header('etag', etag);
  const part = range ? { offset: range.start, length: range.end - range.start + 1 } : { offset: 0, length: content.size };
  if (range) reply.code(206).header('content-range', contentRange(content.size, range));
  else reply.code(200);
  // The bytes go out as they are read from the store, as fast as the client takes them; a store
  // that fails mid-way cuts the connection (Fastify destroys it), short of the length.
  return reply.header('content-length', part.length).send(Readable.from(content.slices(part), { objectMode: false }));
}

export function binaryRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  fhir.get<{ Params: { id: string } }>('/Binary/:id', async (req, reply) => {
    const { entry, content } = await ctx.services.documents.retrieve(callerOf(req), { entryUuid: entryUuidOfId(req.params.id) });
    const mimeType = entry.mimeType || 'application/octet-stream';
    switch (wantedForm(req, mimeType)) {
      case 'raw':
        return sendRaw(req, reply, { id: req.params.id.toLowerCase(), mimeType, content });
      case 'fhir': {
        const data = (await content.whole()).toString('base64');
        const binary: Binary = { resourceType: 'Binary', id: req.params.id.toLowerCase(), contentType: mimeType, data };
        return sendResource(req, reply.headers(CONTENT_SAFETY_HEADERS), binary);
      }
      default:
        return sendResource(req, reply, errorOutcome('not-supported', `the document is ${mimeType}; Accept names neither it nor FHIR`), 406);
    }
  });
  ctx.caps.addInteraction('Binary', 'read');
}
