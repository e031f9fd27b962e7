// The DMP row and what hangs off it that the rules need: authorisations and blocks, legal
// representatives, identifiers. `loadRecordContext` reads it all in one round trip.
import type { RecordContext } from '../domain/record.js';
import type { PatientIdentifier } from '../domain/model.js';
import type { Queryable } from './db.js';
import { isUuid } from '../domain/identifiers.js';
import type { SqlParams } from './sql-params.js';
import type { ReadPrecondition } from './trace-repo.js';

export interface DmpRow {
  patient_key: string;
  status: 'open' | 'closed';
  given: string | null;
  family: string | null;
  gender: string | null;
  birth_date: string | null;
  emancipated: boolean;
  protected_adult: boolean;
  consent_by: string;
  consent_at: Date;
  creation_channel: string;
  created_by: string;
  created_at: Date;
  closed_at: Date | null;
  closed_by: string | null;
  closure_reason: string | null;
  purge_after: Date | null;
  oppose_bris_de_glace: boolean;
  oppose_centre_15: boolean;
  medecin_traitant: string | null;
  alert_email: string | null;
  /** who chose alert_email (domain/announcements.ts alertSetterCode); null: unknown (migration 0084) */
  alert_set_by: string | null;
  emergency_contacts: unknown[];
  page_size: number;
  sort_order: 'date' | 'author';
  updated_at: Date;
}

export interface LoadedRecord {
  row: DmpRow;
  context: RecordContext;
  identifiers: PatientIdentifier[];
  /**
   * The head of a lane of the record's trace chain (lane 0 unless the load asked for another) as
   * the load read it, without a lock (null: no row traced yet): appendTrace tries it first, and
   * locks another lane's head when that one is held by another access or has moved since
   * (trace-repo.ts).
   */
  traceHead?: { lane: number; seq: number; hash: string } | null;
}

/** The record's columns and its rule context, read from `d` (dmp). */
const RECORD_COLUMNS = `
SELECT d.patient_key::text, d.status, d.given, d.family, d.gender, d.birth_date::text AS birth_date,
  d.emancipated, d.protected_adult, d.consent_by, d.consent_at, d.creation_channel, d.created_by, d.created_at,
  d.closed_at, d.closed_by, d.closure_reason, d.purge_after, d.oppose_bris_de_glace, d.oppose_centre_15,
  d.medecin_traitant, d.alert_email, d.alert_set_by, d.emergency_contacts, d.page_size, d.sort_order, d.updated_at,
  COALESCE((SELECT json_agg(json_build_object('subjectKind', g.subject_kind, 'subjectId', g.subject_id, 'effect', g.effect)
            ORDER BY g.created_at)
            FROM access_grant g WHERE g.patient_key = d.patient_key AND g.revoked_at IS NULL), '[]'::json) AS grants,
  COALESCE((SELECT json_agg(json_build_object('representativeId', r.representative_id, 'doctorPresenceRequired',
            r.doctor_presence_required, 'accessEndsAt', r.access_ends_at, 'endedAt', r.ended_at) ORDER BY r.created_at)
            FROM legal_representative r WHERE r.patient_key = d.patient_key), '[]'::json) AS reps,
  COALESCE((SELECT json_agg(json_build_object('system', i.system, 'value', i.value) ORDER BY i.system, i.value)
            FROM patient_identifier i WHERE i.patient_key = d.patient_key), '[]'::json) AS identifiers`;

/** The record's columns, its rule context and its trace lane's head ($2), read from `d` (dmp) and `h`. */
const LOAD_COLUMNS = `${RECORD_COLUMNS},
  h.seq AS trace_head_seq, h.hash AS trace_head_hash`;

const LOAD_SQL = `${LOAD_COLUMNS}
FROM dmp d LEFT JOIN access_trace_head h ON h.chain_key = d.patient_key AND h.lane = $2 WHERE d.patient_key = $1`;

/** The same load, of the record one of its identifiers ($1 system, $3 value) names: no look-up of its own. */
const LOAD_BY_IDENTIFIER_SQL = `${LOAD_COLUMNS}
FROM patient_identifier n JOIN dmp d ON d.patient_key = n.patient_key
  LEFT JOIN access_trace_head h ON h.chain_key = d.patient_key AND h.lane = $2
WHERE n.system = $1 AND n.value = $3`;

const LOAD_FOR_UPDATE = `${LOAD_SQL} FOR UPDATE OF d`;

const LOAD_BY_IDENTIFIER_FOR_UPDATE = `${LOAD_BY_IDENTIFIER_SQL} FOR UPDATE OF d`;

/** How a read names a record: by its key, or by one of its identifiers. */
export type RecordName = { patientKey: string } | PatientIdentifier;

/** The FROM and WHERE of RECORD_COLUMNS for the record `named` names, its values added to `p`. */
function recordFrom(p: SqlParams, named: RecordName): string {
  return 'patientKey' in named
    ? `FROM dmp d WHERE d.patient_key = ${p.add(named.patientKey)}`
    : `FROM patient_identifier n JOIN dmp d ON d.patient_key = n.patient_key WHERE n.system = ${p.add(named.system)} AND n.value = ${p.add(named.value)}`;
}

/**
 * The record's state: RECORD_COLUMNS of its row as one text (row_to_json). Equal texts are equal
 * columns (every value written out in full), so a state read again and found equal is the same
 * record, the same rule context and the same identifiers as the load that gave the first text.
 */
const stateOf = (from: string) => `SELECT row_to_json(s)::text AS record_state FROM (${RECORD_COLUMNS} ${from}) s`;

/** LOAD_SQL and LOAD_BY_IDENTIFIER_SQL with the record's state (stateOf), on the same parameters. */
const withState = (from: string) => `SELECT s.*, row_to_json(s)::text AS record_state, h.seq AS trace_head_seq, h.hash AS trace_head_hash
FROM (${RECORD_COLUMNS} ${from}) s LEFT JOIN access_trace_head h ON h.chain_key = s.patient_key::uuid AND h.lane = $2`;
const LOAD_WITH_STATE_SQL = withState('FROM dmp d WHERE d.patient_key = $1');
const LOAD_BY_IDENTIFIER_WITH_STATE_SQL = withState('FROM patient_identifier n JOIN dmp d ON d.patient_key = n.patient_key WHERE n.system = $1 AND n.value = $3');

/**
 * loadRecord (or loadRecordByIdentifier) of the record `named` names, with its state as the same
 * statement read it: what recordUnchanged() compares a later statement's state with. Null when
 * there is no such record.
 */
export async function loadRecordWithState(q: Queryable, named: RecordName, lane = 0): Promise<{ record: LoadedRecord; state: string } | null> {
  if ('patientKey' in named && !isUuid(named.patientKey)) return null;
  const r =
    'patientKey' in named
      ? await q.query<LoadedJson & { record_state: string }>(LOAD_WITH_STATE_SQL, [named.patientKey, lane])
      : await q.query<LoadedJson & { record_state: string }>(LOAD_BY_IDENTIFIER_WITH_STATE_SQL, [named.system, lane, named.value]);
  const raw = r.rows[0];
  if (!raw) return null;
  const { record_state: state, ...rest } = raw;
  const record = loaded(rest, lane);
  return record && { record, state };
}

/**
 * What must hold for a decision made on a remembered load (loadRecordWithState) to be the
 * decision the statement's own snapshot would give: the record `named` names is still there, in
 * the same state, column for column (appendTraceWithRead's precondition; its values added to `p`).
 */
export function recordUnchanged(p: SqlParams, named: RecordName, state: string): ReadPrecondition {
  return {
    with: `record_state_now AS (${stateOf(recordFrom(p, named))})`,
    condition: `EXISTS (SELECT 1 FROM record_state_now WHERE record_state = ${p.add(state)})`,
  };
}

type LoadedJson = DmpRow & {
  trace_head_seq: number | string | null;
  trace_head_hash: string | null;
  grants: RecordContext['grants'] | string;
  reps: Array<{ representativeId: string; doctorPresenceRequired: boolean; accessEndsAt: string | null; endedAt: string | null }> | string;
  identifiers: PatientIdentifier[] | string;
};

function json<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

function isoOrUndefined(v: string | null): string | undefined {
  return v ? new Date(v).toISOString() : undefined;
}

/**
 * Loads a record and its rule context, with the head of its trace's lane `lane` (0 unless the
 * caller means to append to another); `forUpdate` locks the DMP row for the transaction.
 */
export async function loadRecord(q: Queryable, patientKey: string, forUpdate = false, lane = 0): Promise<LoadedRecord | null> {
  // `Patient/example` names no record: it is not found, rather than a uuid cast error.
  if (!isUuid(patientKey)) return null;
  const r = await q.query<LoadedJson>(forUpdate ? LOAD_FOR_UPDATE : LOAD_SQL, [patientKey, lane]);
  return loaded(r.rows[0], lane);
}

/**
 * loadRecord of the record an identifier names, in the same one round trip: what findPatientKey
 * then loadRecord would read (null when no record has that identifier). `forUpdate` locks the DMP
 * row, as loadRecord's does: a deposit naming its patient by identifier (ITI-41) then needs no
 * look-up of its own before its transaction.
 */
export async function loadRecordByIdentifier(q: Queryable, id: PatientIdentifier, forUpdate = false, lane = 0): Promise<LoadedRecord | null> {
  const r = await q.query<LoadedJson>(forUpdate ? LOAD_BY_IDENTIFIER_FOR_UPDATE : LOAD_BY_IDENTIFIER_SQL, [id.system, lane, id.value]);
  return loaded(r.rows[0], lane);
}

function loaded(raw: LoadedJson | undefined, lane: number): LoadedRecord | null {
  if (!raw) return null;
  const { grants, reps, identifiers: identifiersJson, trace_head_seq: headSeq, trace_head_hash: headHash, ...row } = raw;
  const identifiers = json(identifiersJson);
  const context: RecordContext = {
    patientKey: row.patient_key,
    identifiers,
    status: row.status,
    birthDate: row.birth_date ?? undefined,
    emancipated: row.emancipated,
    protectedAdult: row.protected_adult,
    medecinTraitant: row.medecin_traitant,
    grants: json(grants),
    emergencyOppositions: { bris_de_glace: row.oppose_bris_de_glace, centre_15: row.oppose_centre_15 },
    legalRepresentatives: json(reps).map((rep) => ({
      representativeId: rep.representativeId,
      doctorPresenceRequired: rep.doctorPresenceRequired,
      accessEndsAt: isoOrUndefined(rep.accessEndsAt),
      endedAt: isoOrUndefined(rep.endedAt),
    })),
    closedAt: row.closed_at ? new Date(row.closed_at).toISOString() : undefined,
  };
  const traceHead = headSeq !== null && headHash !== null ? { lane, seq: Number(headSeq), hash: headHash } : null;
  return { row: row as DmpRow, context, identifiers, traceHead };
}

export async function findPatientKey(q: Queryable, id: PatientIdentifier): Promise<string | null> {
  const r = await q.query<{ patient_key: string }>(
    'SELECT patient_key::text FROM patient_identifier WHERE system = $1 AND value = $2',
    [id.system, id.value],
  );
  return r.rows[0]?.patient_key ?? null;
}

/** The identifiers of a record (INS...), in a stable order; empty when there is no such record. */
export async function identifiersOfRecord(q: Queryable, patientKey: string): Promise<PatientIdentifier[]> {
  if (!isUuid(patientKey)) return [];
  const r = await q.query<PatientIdentifier>(
    'SELECT system, value FROM patient_identifier WHERE patient_key = $1 ORDER BY system, value',
    [patientKey],
  );
  return r.rows.map((row) => ({ system: row.system, value: row.value }));
}

export interface NewDmp {
  patientKey: string;
  identifiers: PatientIdentifier[];
  given?: string;
  family?: string;
  gender?: string;
  birthDate?: string;
  emancipated: boolean;
  protectedAdult: boolean;
  consentBy: string;
  creationChannel: string;
  createdBy: string;
  now: Date;
}

export async function insertDmp(q: Queryable, d: NewDmp): Promise<void> {
  await q.query(
    `INSERT INTO dmp (patient_key, status, given, family, gender, birth_date, emancipated, protected_adult,
       consent_by, consent_at, creation_channel, created_by, created_at, updated_at)
     VALUES ($1, 'open', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9, $9)`,
    [d.patientKey, d.given ?? null, d.family ?? null, d.gender ?? null, d.birthDate ?? null, d.emancipated, d.protectedAdult,
      d.consentBy, d.now, d.creationChannel, d.createdBy],
  );
  for (const id of d.identifiers) {
    await q.query('INSERT INTO patient_identifier (system, value, patient_key) VALUES ($1, $2, $3)', [id.system, id.value, d.patientKey]);
  }
}

/** Updates some columns of the DMP row; column names come from the code, never from input. */
export async function updateDmp(q: Queryable, patientKey: string, changes: Partial<Record<keyof DmpRow, unknown>>, now: Date): Promise<void> {
  const entries = Object.entries(changes);
  const sets = entries.map(([col], i) => `${col} = $${i + 2}`);
  await q.query(
    `UPDATE dmp SET ${[...sets, `updated_at = $${entries.length + 2}`].join(', ')} WHERE patient_key = $1`,
    [patientKey, ...entries.map(([, v]) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v)), now],
  );
}
