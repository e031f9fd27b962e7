// Reading the access trace (TRACE-03/04) and checking its chains (TRACE-02).
import type { Queryable } from '../store/db.js';
import { NO_RECORD_CHAIN, verifyTrace, type TraceRow, type TraceVerification } from '../store/trace-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';

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
  limit: number;
  offset: number;
}

export interface HistoryPage {
  rows: TraceRow[];
  total: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function readRows(q: Queryable, patientKey: string, query: HistoryQuery): Promise<HistoryPage> {
  const params: unknown[] = [patientKey];
  const add = (v: unknown) => `$${params.push(v)}`;
  const where = ['chain_key = $1'];
  if (query.from) where.push(`occurred_at >= ${add(query.from)}`);
  if (query.to) where.push(`occurred_at < ${add(query.to)}`);
  if (query.actorId) where.push(`actor_id = ${add(query.actorId)}`);
  if (query.actorKinds) where.push(`actor_kind = ANY(${add(query.actorKinds)}::text[])`);
  if (query.actions) where.push(`action = ANY(${add(query.actions)}::text[])`);
  if (query.documentLogicalId) where.push(`document_logical_id = ${add(query.documentLogicalId)}::uuid`);
  if (query.documentId !== undefined) {
    // Not a uuid: no row can match, and the cast below must not fail the query.
    if (!UUID.test(query.documentId)) where.push('false');
    else where.push(`(document_logical_id = ${add(query.documentId)}::uuid OR document_entry_uuid = $${params.length}::uuid)`);
  }
  if (query.traceId !== undefined) {
    if (!UUID.test(query.traceId)) where.push('false');
    else where.push(`trace_id = ${add(query.traceId)}::uuid`);
  }
  if (query.accessModes) where.push(`access_mode = ANY(${add(query.accessModes)}::text[])`);
  if (query.emergencyOnly) where.push(`access_mode IN ('bris_de_glace', 'centre_15')`);
  const w = where.join(' AND ');
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM access_trace WHERE ${w}`, params);
  const rows = await q.query<TraceRow>(
    `SELECT chain_key::text, seq::int AS seq, trace_id::text, occurred_at, actor_kind, actor_id, actor_name, actor_profession,
       actor_specialty, actor_structure, action, outcome, reason, access_mode, on_patient_request, document_logical_id::text,
       document_entry_uuid::text, document_unique_id, target_kind, target_id, channel, request_id, details, prev_hash, hash
     FROM access_trace WHERE ${w} ORDER BY seq DESC LIMIT ${add(query.limit)} OFFSET ${add(query.offset)}`,
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
        act: ({ tx }) => readRows(tx, patientKey, { ...query, limit }),
      });
    },

    /** TRACE-02: checks every chain; names the first broken row of each. */
    verify(): Promise<TraceVerification> {
      return verifyTrace(deps.db);
    },
  };
}

export type { TraceRow };
/** The chain of the accesses that concern no record: its key names no patient. */
export { NO_RECORD_CHAIN };
export type HistoryService = ReturnType<typeof historyService>;
