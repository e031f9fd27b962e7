// ITI-68 Retrieve Document: `GET /fhir/Binary/<id>`, where <id> is the DocumentReference id
// (the entryUUID, as attachment.url and the ITI-65 response say). The bytes come back as they
// were deposited, with their mimeType, written as they are read from the store, unless the caller asks for FHIR (Accept or _format):
// then a Binary resource carries them in base64. A hidden or unknown document is a 404. Either
// way the headers that keep a document from running in the server's origin are set
// (content-headers.ts).
import type { Binary } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { CONTENT_SAFETY_HEADERS, charsetFollowsBytes, documentResponseHeaders, isUtf8Slices } from '../../http/content-headers.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { formatOfMediaType } from '../format.js';
import { errorOutcome } from '../outcome.js';
import { sendResource } from '../reply.js';
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

export function binaryRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  fhir.get<{ Params: { id: string } }>('/Binary/:id', async (req, reply) => {
    const { entry, content } = await ctx.services.documents.retrieve(callerOf(req), { entryUuid: entryUuidOfId(req.params.id) });
    const mimeType = entry.mimeType || 'application/octet-stream';
    switch (wantedForm(req, mimeType)) {
      case 'raw': {
        // Text without a charset is served as UTF-8 only if it is: read through once more for that
        const utf8 = charsetFollowsBytes(mimeType) ? await isUtf8Slices(content.slices()) : undefined;
        // The bytes go out as they are read from the store, as fast as the client takes them; a
        // store that fails mid-way cuts the connection (Fastify destroys it), short of the length.
        return reply
          .code(200)
          .headers(documentResponseHeaders({ mimeType, baseName: `document-${req.params.id.toLowerCase()}`, utf8 }))
          .header('content-length', content.size)
          .send(Readable.from(content.slices(), { objectMode: false }));
      }
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
