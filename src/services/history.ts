// Reading the access trace (TRACE-03/04) and checking its chains (TRACE-02). A reader is never
// shown entries about documents hidden from it (TRACE-05), nor about the objects around them that
// do not exist for it (ACC-08): the reader's history filter and those objects are part of the
// SQL, so pages and totals count only what it is shown.
import type { Actor } from '../domain/actor.js';
import { hiddenObjectsAround, historyFilter, type HistoryReader } from '../domain/history-visibility.js';
import type { RecordContext } from '../domain/record.js';
import { visibilityFilter, type VisibilityFilter } from '../domain/visibility.js';
import type { Queryable } from '../store/db.js';
import { hiddenDocumentsAround } from '../store/hidden-documents-around.js';
import { loadRegistryGraph } from '../store/registry-graph.js';
import { SqlParams } from '../store/sql-params.js';
import { NO_RECORD_CHAIN, type TraceRow } from '../store/trace-repo.js';
import { inReadOnlySnapshot } from '../store/snapshot.js';
import { verifyTrace, type TraceVerification } from '../store/trace-verify.js';
import { historyVisibilitySql } from '../store/visibility-sql.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';
import { idKey } from './known-ids.js';

export interface HistoryQuery {
  from?: Date;
  to?: Date;
  actorId?: string;
  actorKinds?: string[];
  actions?: string[];
  documentLogicalId?: string;
  /** a document by its logical id or by the entryUUID of one of its versions */
  documentId?: string;
  /** one row by its trace id */
  traceId?: string;
  /** rows whose declared access mode (purpose of use) is one of these */
  accessModes?: string[];
  emergencyOnly?: boolean;
  /**
   * The chain as it stood at one instant: each lane's rows up to its head then (laneHeads), and
   * the reading access's own row, written after it in its lane.
   */
  asOf?: { heads: Array<{ lane: number; seq: number }>; own?: { lane: number; seq: number } };
  limit: number;
  offset: number;
}

export interface HistoryPage {
  rows: TraceRow[];
  total: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** TRACE-05: the filter of what `actor` is shown of the record's history. */
export function readerFilter(deps: ServiceDeps, actor: Actor, ctx: RecordContext): VisibilityFilter {
  return historyFilter(visibilityFilter(deps.policy, actor, ctx, deps.clock.now()));
}

/**
 * TRACE-05 with ACC-08: what `actor` is shown of the record's history, read in `q` (the read's
 * transaction): its history filter, and the objects around the documents it hides that do not
 * exist for it (the domain's hiddenObjectsAround over the record read around them).
 */
export async function historyReader(q: Queryable, deps: ServiceDeps, actor: Actor, ctx: RecordContext, patientKey: string): Promise<HistoryReader> {
  const filter = readerFilter(deps, actor, ctx);
  const around = await hiddenDocumentsAround(q, patientKey, filter);
  if (!around.around.length) return { filter, hiddenObjects: [] };
  const graph = await loadRegistryGraph(q, patientKey, around.around);
  const knowsDocument = (id: string) => !around.documents.has(idKey(id));
  return { filter, hiddenObjects: hiddenObjectsAround(graph, knowsDocument, around.around) };
}

/** A page of the record's history as `reader` is shown it. */
export async function readRows(q: Queryable, patientKey: string, reader: HistoryReader, query: HistoryQuery): Promise<HistoryPage> {
  const p = new SqlParams();
  const add = (v: unknown) => p.add(v);
  const params = p.values;
  const where = [`t.chain_key = ${add(patientKey)}`, historyVisibilitySql(reader, p, 't')];
  if (query.from) where.push(`t.occurred_at >= ${add(query.from)}`);
  if (query.to) where.push(`t.occurred_at < ${add(query.to)}`);
  if (query.actorId) where.push(`t.actor_id = ${add(query.actorId)}`);
  if (query.actorKinds) where.push(`t.actor_kind = ANY(${add(query.actorKinds)}::text[])`);
  if (query.actions) where.push(`t.action = ANY(${add(query.actions)}::text[])`);
  if (query.documentLogicalId) where.push(`t.document_logical_id = ${add(query.documentLogicalId)}::uuid`);
  if (query.documentId !== undefined) {
    // Not a uuid: no row can match, and the cast below must not fail the query.
    if (!UUID.test(query.documentId)) where.push('false');
    else where.push(`(t.document_logical_id = ${add(query.documentId)}::uuid OR t.document_entry_uuid = $${params.length}::uuid)`);
  }
  if (query.traceId !== undefined) {
    if (!UUID.test(query.traceId)) where.push('false');
    else where.push(`t.trace_id = ${add(query.traceId)}::uuid`);
  }
  if (query.accessModes) where.push(`t.access_mode = ANY(${add(query.accessModes)}::text[])`);
  if (query.emergencyOnly) where.push(`t.access_mode IN ('bris_de_glace', 'centre_15')`);
  if (query.asOf) {
    const { heads, own } = query.asOf;
    const upToHead = `EXISTS (SELECT 1 FROM unnest(${add(heads.map((h) => h.lane))}::int[], ${add(heads.map((h) => String(h.seq)))}::bigint[]) AS h(lane, seq) WHERE h.lane = t.lane AND t.seq <= h.seq)`;
    where.push(own ? `(${upToHead} OR (t.lane = ${add(own.lane)} AND t.seq = ${add(String(own.seq))}::bigint))` : upToHead);
  }
  const w = where.join(' AND ');
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM access_trace t WHERE ${w}`, params);
  const rows = await q.query<TraceRow>(
    `SELECT t.chain_key::text, t.lane::int AS lane, t.seq::int AS seq, t.trace_id::text, t.occurred_at, t.actor_kind, t.actor_id, t.actor_name, t.actor_profession,
       t.actor_specialty, t.actor_structure, t.action, t.outcome, t.reason, t.access_mode, t.on_patient_request, t.document_logical_id::text,
       t.document_entry_uuid::text, t.document_unique_id, t.target_kind, t.target_id, t.channel, t.request_id, t.details, t.prev_hash, t.hash
     FROM access_trace t WHERE ${w} ORDER BY t.occurred_at DESC, t.seq DESC, t.lane DESC LIMIT ${add(query.limit)} OFFSET ${add(query.offset)}`,
    params,
  );
  return { rows: rows.rows, total: total.rows[0].n };
}

export function historyService(deps: ServiceDeps) {
  return {
    /**
     * The record's history for whoever may read it (the patient side, the médecin traitant).
     * Reading it is itself an access and is traced, after the rows are read.
     */
    async read(caller: Caller, patientKey: string, query: HistoryQuery): Promise<HistoryPage> {
      const limit = Math.min(query.limit, deps.limits.maxPageSize);
      return guarded(deps, caller, {
        patientKey,
        action: 'trace.read',
        act: async ({ tx, record }) => readRows(tx, patientKey, await historyReader(tx, deps, caller.actor, record.context, patientKey), { ...query, limit }),
      });
    },

    /** TRACE-02: checks every lane of every chain; names the first broken row of each. */
    verify(): Promise<TraceVerification> {
      return inReadOnlySnapshot(deps.db, (snapshot) => verifyTrace(snapshot));
    },
  };
}

export type { TraceRow };
/** The chain of the accesses that concern no record: its key names no patient. */
export { NO_RECORD_CHAIN };
export type HistoryService = ReturnType<typeof historyService>;
