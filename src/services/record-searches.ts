// The two shapes of a search of one record, shared by the document reads (documents.ts): the
// record named by its patient, `record.read` decided by the rules (src/domain) and traced in the
// transaction that reads (TRACE-01), the caller's visibility filter in the query (ACC-08); and,
// when the read allows it, the read and its trace row in one statement (traced-read.ts).
import { boundPatientOf } from '../domain/binding.js';
import { CarnetError } from '../domain/errors.js';
import { boundTraceText } from '../domain/trace-bounds.js';
import { visibilityFilter, type VisibilityFilter } from '../domain/visibility.js';
import { bareUuid } from '../store/document-repo.js';
import type { DocumentQuery } from '../store/document-search.js';
import type { DocumentRowsRow } from '../store/document-stream.js';
import type { Tx } from '../store/db.js';
import type { LoadedRecord } from '../store/record-repo.js';
import type { SqlParams } from '../store/sql-params.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';
import { recordKeyFor, type PatientRef } from './patient-binding.js';
import { ContendedRecords, LanesInFlight, readTracedInOneStatement, RememberedLoads, type TracedSelect } from './traced-read.js';

/**
 * A page search that can also be read and traced in one statement (traced-read.ts): its SELECT
 * on the caller's query, gated, and the page of its rows.
 */
export interface PageInOneStatement<T> {
  select(query: DocumentQuery, visibility: VisibilityFilter): (p: SqlParams, gate: string) => string;
  page(rows: DocumentRowsRow[], query: DocumentQuery): T;
}

export type DocumentCriteria = Omit<DocumentQuery, 'patientKey' | 'visibility'>;

/** Filters of a search that its trace does not list (XDS objectType and referenceIdList). */
export type DocumentNarrowing = Pick<DocumentQuery, 'objectTypes' | 'referenceIdGroups'>;

/** The searches of one record of a document service, with the lanes its reads in one statement share. */
export function recordSearches(deps: ServiceDeps) {
  // lanes of records that reads in one statement lately found held or moved (traced-read.ts)
  const contended = new ContendedRecords();
  // the lanes this service's reads in one statement are appending to (traced-read.ts)
  const lanes = new LanesInFlight();
  // each lane's last load, decided on by the lane's next read in one statement (traced-read.ts)
  const remembered = new RememberedLoads();
  const limitOf = (n?: number) => Math.min(Math.max(n ?? deps.limits.defaultPageSize, 0), deps.limits.maxPageSize);

  /**
   * A search of one record as find() runs it: the record by patient, `record.read` decided and
   * traced (with the criteria, as find() traces them) in the transaction `act` reads in, the
   * caller's visibility filter in the query. `none` when the patient has no record. With
   * `inOneStatement`, the read and its trace row are first tried in one statement
   * (traced-read.ts), on the same query; `act` answers whenever that way cannot.
   */
  async function searchRecord<T, R extends object = never>(
    caller: Caller,
    patient: PatientRef,
    criteria: DocumentCriteria,
    narrowing: DocumentNarrowing,
    none: T,
    act: (tx: Tx, query: DocumentQuery) => Promise<T>,
    inOneStatement?: { select: (query: DocumentQuery) => TracedSelect; value: (rows: R[]) => T },
  ): Promise<T> {
    await deps.availability?.ensureAvailable('document.search');
    const trace = { details: { search: summarise(criteria) } };
    const queryOf = (record: LoadedRecord): DocumentQuery => ({
      ...criteria,
      ...narrowing,
      patientKey: record.context.patientKey,
      visibility: visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now()),
    });
    const inOne = async (record: PatientRef) => {
      if (!inOneStatement) return undefined;
      const work = { record, action: 'record.read' as const, trace, select: (loaded: LoadedRecord) => inOneStatement.select(queryOf(loaded)) };
      return readTracedInOneStatement<R>(deps, caller, work, contended, lanes, remembered);
    };
    const unbound = boundPatientOf(caller.actor) === undefined;
    // An unbound caller may name any patient (ACC-10 binds it to none: recordKeyFor only finds the
    // record): the read in one statement loads the record by the name the request gives, key or
    // identifier, without a look-up of its own. When that way answers nothing (no such record, a
    // lane held, a refusal...), the usual way answers, look-up included.
    const early = unbound ? await inOne(patient) : undefined;
    if (early) return inOneStatement!.value(early.rows);
    const patientKey = await recordKeyFor(deps, caller, patient, 'record.read', trace);
    if (!patientKey) return none;
    const done = unbound ? undefined : await inOne({ patientKey });
    if (done) return inOneStatement!.value(done.rows);
    return guarded(deps, caller, {
      patientKey,
      action: 'record.read',
      trace,
      act: ({ tx, record }) => act(tx, queryOf(record)),
    });
  }

  /**
   * The page of a search of one record (find, findVersioned): the record by patient, `record.read`
   * decided and traced in the transaction that reads the page, the caller's visibility filter in
   * the query. `none` when the patient has no record.
   */
  async function pageSearch<T extends object>(
    caller: Caller,
    patient: PatientRef,
    criteria: DocumentCriteria,
    displayDefaults: { count?: boolean; sort?: boolean },
    none: T,
    read: (tx: Tx, query: DocumentQuery, visibility: VisibilityFilter, unbounded: boolean) => Promise<T>,
    inOneStatement?: PageInOneStatement<T>,
  ): Promise<T & { pageSize?: number }> {
    await deps.availability?.ensureAvailable('document.search');
    // An unbound caller naming a record by its key (ITI-67's patient=Patient/<key>) needs no
    // look-up before the transaction: the transaction's own read of the record says whether
    // there is one (every record has its identifiers, DMP-01), and none is the same empty
    // answer, untraced, as recordKeyFor's null. A bound caller (ACC-10) and a patient named by
    // an identifier go through recordKeyFor first.
    const direct = boundPatientOf(caller.actor) === undefined && 'patientKey' in patient;
    const patientKey = direct ? patient.patientKey : await recordKeyFor(deps, caller, patient, 'record.read', { details: { search: summarise(criteria) } });
    if (!patientKey) return none;
    const trace = { details: { search: summarise(criteria) } };
    /** The caller's query of the page on the loaded record: its filter, the owner's display settings, its limit. */
    const pageQuery = (record: LoadedRecord) => {
      const visibility = visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now());
      const owner = caller.actor.kind === 'patient' || caller.actor.kind === 'legal_representative';
      let c = criteria;
      if (owner && displayDefaults.count) c = { ...c, limit: record.row.page_size };
      if (owner && displayDefaults.sort) c = { ...c, sort: record.row.sort_order === 'author' ? 'author' : 'date-desc' };
      // no limit asked: up to one more than a search may find, to know it found too many
      const limit = c.limit === undefined ? deps.limits.maxQueryResults + 1 : limitOf(c.limit);
      return { query: { ...c, patientKey, visibility, limit, limitInText: isUsualPageSize(limit, deps.limits) }, visibility, asked: c.limit };
    };
    const sized = (page: T, asked: number | undefined) => (asked === undefined ? page : { ...page, pageSize: limitOf(asked) });
    if (inOneStatement) {
      let made: ReturnType<typeof pageQuery> | undefined;
      const work = {
        record: { patientKey },
        action: 'record.read' as const,
        trace,
        select: (record: LoadedRecord) => {
          made = pageQuery(record);
          // a page that cannot be refused once read (too many results) and that tells its total itself
          if (made.asked === undefined || made.query.offset || made.query.limit === 0) return null;
          return inOneStatement.select(made.query, made.visibility);
        },
      };
      const done = await readTracedInOneStatement<DocumentRowsRow>(deps, caller, work, contended, lanes, remembered);
      if (done && made) return sized(inOneStatement.page(done.rows, made.query), made.asked);
    }
    return guarded(deps, caller, {
      patientKey,
      action: 'record.read',
      trace,
      act: async ({ tx, record }) => {
        const { query, visibility, asked } = pageQuery(record);
        const page = await read(tx, query, visibility, asked === undefined);
        return sized(page, asked);
      },
    }).catch((e: unknown) => {
      if (direct && e instanceof CarnetError && e.code === 'unknown_patient') return none;
      throw e;
    });
  }

  return { limitOf, searchRecord, pageSearch };
}

/**
 * What the trace keeps of a criterion's values: the first few, each cut short. The trace is kept
 * for good, hashed and read back with every page of the history, while one search may name
 * thousands of values of thousands of characters (an ITI-18 of 1,000 authorPerson patterns of
 * 4,000 characters wrote a row of 4 MB).
 */
const TRACED_VALUES = 20;
const TRACED_VALUE_CHARS = 200;

/** A value as traced: cut as every traced text is (boundTraceText: never half of a character the store would refuse). */
function tracedValue(x: unknown): unknown {
  const v = typeof x === 'object' && x !== null ? JSON.stringify(x) : x;
  return typeof v === 'string' ? boundTraceText(v, TRACED_VALUE_CHARS) : v;
}

/** What a search asked, for the trace (no free text beyond the criteria names and values, bounded as above). */
function summarise(c: DocumentCriteria): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined) continue;
    const values = k === 'entryUuids' && Array.isArray(v) ? (v as string[]).map(bareUuid) : v;
    if (values instanceof Date) out[k] = values.toISOString();
    else if (Array.isArray(values)) {
      const kept = values.slice(0, TRACED_VALUES).map(tracedValue);
      out[k] = values.length > TRACED_VALUES ? [...kept, `… ${values.length} values in all`] : kept;
    } else out[k] = tracedValue(values);
  }
  return out;
}

/** Page sizes a patient's settings or a client commonly ask for, besides the configured ones. */
const COMMON_PAGE_SIZES: ReadonlySet<number> = new Set([10, 20, 25, 50, 100]);

/**
 * Whether a page's size is one of the few the page statement writes as a number
 * (DocumentQuery.limitInText): the configured default and largest page, and the common sizes.
 * Any other `_count` is sent as a parameter: the same rows, planned for each request.
 */
export function isUsualPageSize(limit: number, limits: { defaultPageSize: number; maxPageSize: number }): boolean {
  return limit === limits.defaultPageSize || limit === limits.maxPageSize || COMMON_PAGE_SIZES.has(limit);
}
