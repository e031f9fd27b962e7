// PAT-06: `GET /Patient/{id}/$download?parts=documents,history,authorisations&documents=<id>,…`
// answers the record (default: every part) as a zip streamed while it is written: the export
// service decides and traces once, then hands entries whose bytes are read one after the other;
// this route only pipes them into yazl. Inside: documents/<id>.<ext> with
// documents/<id>.metadata.json, history.json, authorisations.json, and manifest.json last.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ZipFile } from 'yazl';
import { CarnetError } from '../../domain/errors.js';
import type { ExportPart } from '../../services/export.js';
import { documentResponseHeaders } from '../../http/content-headers.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { operationUrl } from '../mappings/carnet-fhir.js';
import { keyOf, searchParamsOf, values } from './search-params.js';
import { orNotFound } from './support.js';

export function registerDownloadRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  fhir.get<{ Params: { id: string } }>('/Patient/:id/$download', async (req, reply) => {
    const q = searchParamsOf(req);
    // what OperationDefinition dmp-download documents, and nothing else
    const unknown = q.find((p) => p.modifier !== undefined || !['parts', 'documents', '_format'].includes(p.name));
    if (unknown) throw new CarnetError('invalid_metadata', `$download: unknown parameter ${keyOf(unknown)} (parts, documents)`, { location: unknown.name });
    const parts = values(q, 'parts') as ExportPart[];
    const documents = values(q, 'documents').map((d) => d.replace(/^DocumentReference\//, ''));
    const opened = await orNotFound(
      ctx.services.exports.open(callerOf(req), req.params.id, {
        ...(parts.length ? { parts } : {}),
        ...(documents.length ? { documentIds: documents } : {}),
      }),
      'Patient',
    );
    const zip = new ZipFile();
    for (const entry of opened.entries) {
      zip.addReadStreamLazy(entry.name, { mtime: opened.createdAt }, (cb) => cb(null, Readable.from(entry.data())));
    }
    zip.on('error', (err: Error) => {
      // the answer has started: the only honest thing left is to cut it (a truncated zip)
      req.log.error({ err }, 'record export failed while streaming');
      (zip.outputStream as Readable).destroy(err);
    });
    zip.end();
    return reply
      .code(200)
      .headers(documentResponseHeaders({ mimeType: 'application/zip', baseName: opened.fileName.replace(/\.zip$/, '') }))
      .header('cache-control', 'no-store')
      .send(zip.outputStream);
  });
  ctx.caps.addOperation('Patient', { name: 'download', definition: operationUrl('dmp-download') });
}
