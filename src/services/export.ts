// PAT-06: the record downloaded, whole or in part (chosen documents, the access history, the
// authorisations). `open` decides and traces once (`record.export`), takes the list of what the
// caller may see, and answers entries whose bytes are read lazily, one after the other, so a
// door can stream them into an archive without holding the record in memory. The manifest comes
// last: it names every file with the size and SHA-256 of the bytes actually written.
import { createHash } from 'node:crypto';
import { actorId } from '../domain/actor.js';
import { CarnetError } from '../domain/errors.js';
import { shownPlaces } from '../domain/history-visibility.js';
import { extensionOf } from '../domain/media-types.js';
import type { StoredDocumentEntry } from '../domain/model.js';
import { visibilityFilter } from '../domain/visibility.js';
import { listGrants } from '../store/consent-repo.js';
import { bareUuid } from '../store/document-repo.js';
import { getContent } from '../store/document-content-repo.js';
import { findDocuments } from '../store/document-search.js';
import { laneHeads } from '../store/trace-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';
import { namedDocuments } from './named-documents.js';
import { historyReader, readRows, type TraceRow } from './history.js';

export const EXPORT_PARTS = ['documents', 'history', 'authorisations'] as const;
export type ExportPart = (typeof EXPORT_PARTS)[number];

export interface ExportRequest {
  /** default: every part */
  parts?: ExportPart[];
  /** with `documents`: only these versions, current or old (entryUUIDs; a logical id is the first version's); default: every current document the caller sees */
  documentIds?: string[];
}

export interface ExportEntry {
  /** path inside the archive */
  name: string;
  /** the bytes, produced when the archive reaches this entry */
  data(): AsyncIterable<Buffer>;
}

export interface OpenedExport {
  fileName: string;
  createdAt: Date;
  entries: ExportEntry[];
}

/** Export format version, named in the manifest. */
export const EXPORT_FORMAT = 'carnet-dmp-export/1';
const HISTORY_PAGE = 500;

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

/** What the archive tells of a document besides its bytes. */
function documentMetadata(e: StoredDocumentEntry) {
  return {
    id: bareUuid(e.entryUuid),
    logicalId: bareUuid(e.logicalId),
    uniqueId: e.uniqueId,
    status: e.availabilityStatus,
    title: e.title ?? null,
    classCode: e.classCode ?? null,
    typeCode: e.typeCode ?? null,
    formatCode: e.formatCode ?? null,
    confidentialityCodes: e.confidentialityCodes,
    creationTime: e.creationTime ?? null,
    serviceStartTime: e.serviceStartTime ?? null,
    serviceStopTime: e.serviceStopTime ?? null,
    storedAt: e.storedAt,
    authors: e.authors.map((a) => ({ person: a.person ?? null, institutions: a.institutions, roles: a.roles, specialties: a.specialties })),
    authoredByPatient: e.authoredByPatient,
    mimeType: e.mimeType,
    size: e.size ?? null,
    sha1: e.hash ?? null,
    comments: e.comments ?? null,
  };
}

/**
 * One history row as the archive keeps it; lane and seq give each lane's order. `seq` is the row's
 * place among the rows of its lane the reader is shown (shownPlaces, TRACE-05), not the lane's own
 * number: a gap there would count the rows about documents hidden from the reader.
 */
function historyItem(r: TraceRow, seq: number) {
  const details = (r.details ?? {}) as Record<string, unknown>;
  return {
    lane: Number(r.lane),
    seq,
    at: new Date(r.occurred_at).toISOString(),
    actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name, profession: r.actor_profession, specialty: r.actor_specialty, structure: r.actor_structure },
    action: r.action,
    outcome: r.outcome,
    reason: r.reason,
    accessMode: r.access_mode,
    emergency: details.emergency === true,
    onPatientRequest: r.on_patient_request,
    document: r.document_logical_id ? { logicalId: r.document_logical_id, entryUuid: r.document_entry_uuid, uniqueId: r.document_unique_id } : null,
    target: r.target_kind ? { kind: r.target_kind, id: r.target_id } : null,
    hash: r.hash,
  };
}

function checkRequest(req: ExportRequest): { parts: ExportPart[]; documentIds?: string[] } {
  const parts = req.parts?.length ? [...new Set(req.parts)] : [...EXPORT_PARTS];
  for (const p of parts) {
    if (!(EXPORT_PARTS as readonly string[]).includes(p)) throw new CarnetError('invalid_metadata', `parts are among ${EXPORT_PARTS.join(', ')}`, { location: 'parts' });
  }
  if (req.documentIds !== undefined) {
    if (!parts.includes('documents')) throw new CarnetError('invalid_metadata', 'chosen documents need the documents part', { location: 'documents' });
    const ids = [...new Set(req.documentIds.map((id) => bareUuid(id).toLowerCase()))];
    if (!ids.length || !ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id))) {
      throw new CarnetError('invalid_metadata', 'documents are named by their id (a uuid)', { location: 'documents' });
    }
    return { parts, documentIds: ids };
  }
  return { parts };
}

export function exportService(deps: ServiceDeps) {
  return {
    async open(caller: Caller, patientKey: string, request: ExportRequest = {}): Promise<OpenedExport> {
      const { parts, documentIds } = checkRequest(request);
      const createdAt = deps.clock.now();
      const details = { parts, ...(documentIds ? { documents: documentIds.length } : {}) };
      const snapshot = await guarded(deps, caller, {
        patientKey,
        action: 'record.export',
        trace: { details },
        skipMainTrace: true,
        act: async ({ tx, record, trace }) => {
          // TRACE-05: the history is read after this transaction, bounded by each lane's head as
          // read here, before anything the reader is worked out from: every row within the bound
          // was committed before that reading, and so were the objects it names. A row filed by a
          // request still in flight now (a chain of new links to a hidden document...) comes
          // after its lane's head and stays out, whenever it commits.
          const heads = parts.includes('history') ? await laneHeads(tx, patientKey) : [];
          let documents: StoredDocumentEntry[] = [];
          if (parts.includes('documents')) {
            // the caller's own read filter: MASK-02/03/04 hold in the archive as online
            const visibility = visibilityFilter(deps.policy, caller.actor, record.context, createdAt);
            // whole: the current documents; chosen: each version named, current or old, as FHIR
            // read answers it (ACC-09)
            documents = documentIds
              ? await namedDocuments(tx, patientKey, documentIds, visibility)
              : (await findDocuments(tx, { patientKey, visibility, statuses: ['Approved', 'Archived'], sort: 'date-desc' })).entries;
          }
          const authorisations = parts.includes('authorisations')
            ? {
                grants: (await listGrants(tx, patientKey, false)).map((g) => ({
                  subject: { kind: g.subject_kind, id: g.subject_id },
                  effect: g.effect === 'permit' ? 'authorised' : 'blocked',
                  since: new Date(g.created_at).toISOString(),
                  onPatientRequest: g.on_patient_request,
                })),
                emergencyOppositions: record.context.emergencyOppositions,
                medecinTraitant: record.context.medecinTraitant,
              }
            : null;
          // TRACE-05: the history part is the one the caller is shown online
          const reader = await historyReader(tx, deps, caller.actor, record.context, patientKey);
          // the export's own row, last of the archive's history: written here to learn its place
          const own = await trace('record.export', { details });
          return { documents, authorisations, identifiers: record.identifiers, reader, asOf: { heads, own: { lane: own.lane, seq: own.seq } } };
        },
      });

      const files: Array<Record<string, unknown>> = [];
      /** Wraps an entry's bytes so the manifest learns their size and hash once written. */
      const entry = (name: string, describe: Record<string, unknown>, produce: () => AsyncIterable<Buffer>): ExportEntry => ({
        name,
        async *data() {
          const hash = createHash('sha256');
          let size = 0;
          for await (const chunk of produce()) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
          files.push({ name, size, sha256: hash.digest('hex'), ...describe });
        },
      });
      const once = (b: () => Promise<Buffer> | Buffer) =>
        async function* () {
          yield await b();
        };

      const entries: ExportEntry[] = [];
      const missingContent: string[] = [];
      for (const doc of snapshot.documents) {
        const id = bareUuid(doc.entryUuid);
        entries.push(entry(`documents/${id}.metadata.json`, { kind: 'document-metadata', document: id }, once(() => json(documentMetadata(doc)))));
        if (!doc.contentKey) {
          missingContent.push(id);
          continue;
        }
        const key = doc.contentKey;
        entries.push(
          entry(`documents/${id}.${extensionOf(doc.mimeType)}`, { kind: 'document', document: id, mimeType: doc.mimeType, title: doc.title ?? null }, once(async () => {
            const bytes = await getContent(deps.db, patientKey, key);
            if (!bytes) throw new CarnetError('not_found', `the content of document ${id} is missing`);
            return bytes;
          })),
        );
      }
      if (parts.includes('history')) {
        entries.push(
          entry('history.json', { kind: 'history' }, async function* () {
            // page by page, oldest first, the chain as the decision read it
            const asOf = snapshot.asOf;
            const total = (await readRows(deps.db, patientKey, snapshot.reader, { asOf, limit: 1, offset: 0 })).total;
            yield Buffer.from('[\n');
            const placeIn = shownPlaces();
            for (let offset = 0; offset < total; offset += HISTORY_PAGE) {
              // the store reads newest first: this page of the oldest-first list, from the end
              const limit = Math.min(HISTORY_PAGE, total - offset);
              const page = await readRows(deps.db, patientKey, snapshot.reader, { asOf, limit, offset: total - offset - limit });
              const rows = [...page.rows].reverse();
              const text = rows.map((r, i) => `${offset + i === 0 ? '' : ',\n'}${JSON.stringify(historyItem(r, placeIn(Number(r.lane))))}`).join('');
              yield Buffer.from(text);
            }
            yield Buffer.from('\n]\n');
          }),
        );
      }
      if (snapshot.authorisations) {
        const a = snapshot.authorisations;
        entries.push(entry('authorisations.json', { kind: 'authorisations' }, once(() => json(a))));
      }
      entries.push({
        name: 'manifest.json',
        async *data() {
          // the archive writes entries in order: every file above is complete by now
          yield json({
            format: EXPORT_FORMAT,
            createdAt: createdAt.toISOString(),
            record: { id: patientKey, identifiers: snapshot.identifiers },
            for: { kind: caller.actor.kind, id: actorId(caller.actor) },
            parts,
            ...(documentIds ? { chosenDocuments: documentIds } : {}),
            documents: snapshot.documents.length,
            ...(missingContent.length ? { documentsWithoutContent: missingContent } : {}),
            files,
          });
        },
      });
      const stamp = createdAt.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      return { fileName: `dmp-${stamp}.zip`, createdAt, entries };
    },
  };
}

export type ExportService = ReturnType<typeof exportService>;
