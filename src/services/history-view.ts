// TRACE-03: the access history as the patient side reads it: own actions or professionals'
// actions, filtered by author, each entry marked new since the reader's previous login, as a
// professional's first access to the record, or as an emergency access. The marks are the
// domain's (trace-view.ts); this service gathers what they need in the read's transaction.
import { markPage, SIDE_ACTOR_KINDS, type HistoryEntry, type MarkedEntry } from '../domain/trace-view.js';
import type { Actor } from '../domain/actor.js';
import { getAccount } from '../store/account-repo.js';
import { firstProfessionalAccesses } from '../store/trace-marks-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';
import { historyReader, readRows, type HistoryQuery, type TraceRow } from './history.js';

export interface HistoryViewQuery extends HistoryQuery {
  /** own: the patient's and representatives' actions; professional: the professionals' */
  side?: 'own' | 'professional';
}

export interface MarkedRow {
  row: TraceRow;
  marks: Pick<MarkedEntry, 'side' | 'newSinceLastLogin' | 'firstAccessByProfessional' | 'emergency'>;
}

export interface HistoryViewPage {
  rows: MarkedRow[];
  total: number;
  /** the reader's previous login, the reference of "new" (null: none recorded) */
  lastLoginAt: string | null;
}

function entryOf(row: TraceRow): HistoryEntry {
  const details = (row.details ?? {}) as Record<string, unknown>;
  return {
    id: row.trace_id,
    at: new Date(row.occurred_at).toISOString(),
    actorKind: row.actor_kind as Actor['kind'],
    actorId: row.actor_id,
    // the decision's flag (ACC-05), not the declared mode: an authorised professional who
    // declares an emergency mode reads normally
    emergency: details.emergency === true,
    ...(row.document_logical_id ? { documentId: row.document_logical_id } : {}),
  };
}

export function historyViewService(deps: ServiceDeps) {
  return {
    read(caller: Caller, patientKey: string, query: HistoryViewQuery): Promise<HistoryViewPage> {
      const { side, ...rest } = query;
      const q: HistoryQuery = { ...rest, limit: Math.min(rest.limit, deps.limits.maxPageSize) };
      if (side) q.actorKinds = q.actorKinds ? q.actorKinds.filter((k) => SIDE_ACTOR_KINDS[side].includes(k as Actor['kind'])) : SIDE_ACTOR_KINDS[side];
      return guarded(deps, caller, {
        patientKey,
        action: 'trace.read',
        trace: { details: { view: side ?? 'all' } },
        act: async ({ tx, record }) => {
          const reader = await historyReader(tx, deps, caller.actor, record.context, patientKey);
          const page = await readRows(tx, patientKey, reader, q);
          const a = caller.actor;
          const account = (a.kind === 'patient' || a.kind === 'legal_representative') && a.accountId ? await getAccount(tx, patientKey, a.accountId) : null;
          const lastLoginAt = account?.previous_login_at ? new Date(account.previous_login_at).toISOString() : null;
          const pros = [...new Set(page.rows.filter((r) => r.actor_kind === 'professional').map((r) => r.actor_id))];
          // the first access the reader is shown (TRACE-05): a hidden one is not marked through another
          const firstAccessOf = await firstProfessionalAccesses(tx, patientKey, pros, reader);
          const marked = markPage(page.rows.map(entryOf), { lastLoginAt, firstAccessOf });
          return {
            rows: page.rows.map((row, i) => {
              const { side: s, newSinceLastLogin, firstAccessByProfessional, emergency } = marked[i];
              return { row, marks: { side: s, newSinceLastLogin, firstAccessByProfessional, emergency } };
            }),
            total: page.total,
            lastLoginAt,
          };
        },
      });
    },
  };
}

export type HistoryViewService = ReturnType<typeof historyViewService>;
