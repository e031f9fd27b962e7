// ITI-67 Find Document References (GET and POST _search) and the read of one DocumentReference.
// The services answer only what the caller may see, so totals and pages never count a hidden
// document (ACC-08) and a hidden document reads exactly like an absent one.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CarnetError } from '../../domain/errors.js';
import type { StoredDocumentEntry } from '../../domain/model.js';
import type { DocumentRelation } from '../../services/documents.js';
import { readFormBody } from '../../http/bodies.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { PROFILE_COMPREHENSIVE_DOCUMENT_REFERENCE, PROFILE_PDSM_DOCUMENT_REFERENCE } from '../mhd/document-reference.js';
import { toDocumentReference } from '../mhd/document-reference-to-fhir.js';
import { contentTypeOf } from '../format.js';
import { formatFor, sendResource } from '../reply.js';
import { DocumentJsonCache } from './document-json-cache.js';
import { DOCUMENT_REFERENCE_SEARCH_PARAMS, readDocumentSearch } from './document-search.js';
import { documentReferenceOptions } from './patients.js';
import { isLenient, PAGING_PARAM_DECLS, pagingOf, searchParamsOf } from './search-params.js';
import { searchset, searchsetJson } from './searchset.js';
import { atVersion, baseOf } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The FHIR id of a DocumentReference is its entryUUID without the urn:uuid: prefix. */
export function entryUuidOfId(id: string): string {
  if (!UUID.test(id)) throw new CarnetError('not_found', 'no such document');
  return `urn:uuid:${id.toLowerCase()}`;
}

/** `relations`: the entry's replaces / transforms / appends / signs, from `documents.relations`. */
export function documentReferenceOf(publicUrl: string, entry: StoredDocumentEntry, relations: DocumentRelation[] = []) {
  return toDocumentReference(entry, { ...documentReferenceOptions(publicUrl, entry), relatesTo: relations });
}

/** Form bodies of POST _search stay strings, checked as UTF-8 as a URL's query is; the search reads them itself. */
export function acceptFormBodies(fhir: FastifyInstance): void {
  if (fhir.hasContentTypeParser('application/x-www-form-urlencoded')) return;
  fhir.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, readFormBody(body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

export function documentRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const { services, config } = ctx;
  acceptFormBodies(fhir);

  // one per door: the rows it holds are those of its own database, the URLs its own
  const jsonCache = new DocumentJsonCache(() => config.publicUrl, config.entryCacheBytes);

  function searchOf(req: FastifyRequest) {
    const params = searchParamsOf(req);
    const paging = pagingOf(params, config);
    const { patient, criteria, ignored } = readDocumentSearch(params, isLenient(req));
    // MHD ITI-67 §2:3.67.4.2.2: the searchset carries Bundle.total, so it is counted even under
    // _total=none (which R4 lets a server ignore).
    const query = { ...criteria, limit: paging.count, offset: paging.offset, countTotal: true };
    // PAT-02: what the request leaves out, the patient's stored display settings may fill.
    const defaults = { count: !params.some((p) => p.name === '_count' && p.modifier === undefined), sort: !params.some((p) => p.name === '_sort' && p.modifier === undefined) };
    const patientRef = 'identifier' in patient ? patient.identifier : { patientKey: patient.patientId };
    return { params, paging, ignored, query, defaults, patientRef };
  }

  async function search(req: FastifyRequest): Promise<ReturnType<typeof searchset>> {
    const caller = callerOf(req);
    const { params, paging, ignored, query, defaults, patientRef } = searchOf(req);
    const page = await services.documents.find(caller, patientRef, query, defaults, { withRelations: true });
    if (page.pageSize !== undefined) paging.count = page.pageSize;
    const relations = page.relations ?? new Map<string, DocumentRelation[]>();
    return searchset({
      base: baseOf(ctx),
      type: 'DocumentReference',
      params,
      paging,
      resources: page.entries.map((e) => documentReferenceOf(config.publicUrl, e, relations.get(e.entryUuid))),
      total: page.total ?? 0,
      more: page.entries.length === paging.count,
      ignored,
    });
  }

  /** search() answered in FHIR JSON from the entries' JSON held by row version: the same bytes. */
  async function searchJson(req: FastifyRequest): Promise<Buffer> {
    const caller = callerOf(req);
    const { params, paging, ignored, query, defaults, patientRef } = searchOf(req);
    const reader = jsonCache.reader();
    const page = await services.documents.findVersioned(caller, patientRef, query, defaults, reader.known);
    if (page.pageSize !== undefined) paging.count = page.pageSize;
    const matches = page.rows.map((row) => ({ resourceType: 'DocumentReference', id: row.entryUuid, json: reader.jsonOf(row, page.relations.get(`urn:uuid:${row.entryUuid}`)) }));
    return searchsetJson({ base: baseOf(ctx), type: 'DocumentReference', params, paging, total: page.total ?? 0, more: page.rows.length === paging.count, ignored }, matches);
  }

  async function answerSearch(req: FastifyRequest, reply: FastifyReply) {
    if (jsonCache.enabled && formatFor(req) === 'json') return reply.code(200).type(contentTypeOf('json')).send(await searchJson(req));
    return sendResource(req, reply, await search(req));
  }

  fhir.get('/DocumentReference', answerSearch);
  fhir.post('/DocumentReference/_search', answerSearch);
  async function read(req: FastifyRequest<{ Params: { id: string } }>) {
    const caller = callerOf(req);
    const entry = await services.documents.read(caller, { entryUuid: entryUuidOfId(req.params.id) });
    const relations = await services.documents.relations(caller, entry.patientKey, [entry.entryUuid]);
    return documentReferenceOf(config.publicUrl, entry, relations.get(entry.entryUuid));
  }
  fhir.get<{ Params: { id: string } }>('/DocumentReference/:id', async (req, reply) => sendResource(req, reply, await read(req)));
  fhir.get<{ Params: { id: string; vid: string } }>('/DocumentReference/:id/_history/:vid', async (req, reply) => sendResource(req, reply, atVersion(await read(req), req.params.vid)));

  ctx.caps.addInteraction('DocumentReference', 'read');
  ctx.caps.addInteraction('DocumentReference', 'vread');
  ctx.caps.addInteraction('DocumentReference', 'search-type');
  ctx.caps.addSearchParams('DocumentReference', DOCUMENT_REFERENCE_SEARCH_PARAMS);
  ctx.caps.addSearchParams('DocumentReference', [...PAGING_PARAM_DECLS, { name: '_sort', type: 'special', documentation: 'date | -date (creation time), author, -_lastUpdated' }]);
  ctx.caps.addProfile('DocumentReference', PROFILE_COMPREHENSIVE_DOCUMENT_REFERENCE);
  ctx.caps.addProfile('DocumentReference', PROFILE_PDSM_DOCUMENT_REFERENCE);
}
