// The record itself: create with consent (DMP-01/02: record-creation.ts), tell whether it exists
// and how the caller stands (TD0.2), close and reactivate (DMP-05), purge after the retention period.
import { isAuthorised, isBlocked, isMedecinTraitant } from '../domain/access.js';
import { CarnetError } from '../domain/errors.js';
import { seesClosureReason } from '../domain/decide.js';
import { retentionEndsAt, retentionExpired } from '../domain/lifecycle.js';
import { METADATA_MAX_VALUE_LENGTH } from '../domain/metadata-limits.js';
import type { PatientIdentifier } from '../domain/model.js';
import type { RecordContext } from '../domain/record.js';
import type { IfMatch, ResourceVersion } from '../domain/resource-versions.js';
import { findPatientKey, identifiersOfRecord, loadRecord, updateDmp, type DmpRow } from '../store/record-repo.js';
import { traceIdOf } from './actor-trace-id.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded, traceCall } from './guard.js';
import { changePatientVersion, checkPatientIfMatch, patientVersion } from './patient-version.js';
import { recordKeyFor } from './patient-binding.js';
import { recordCreation, type CreationCredentialIssuer } from './record-creation.js';

export interface RecordStatus {
  exists: boolean;
  patientKey?: string;
  status?: 'open' | 'closed';
  closedAt?: string;
  closureReason?: string | null;
  /** for a professional caller: authorised (directly or through the care team) */
  authorised?: boolean;
  blocked?: boolean;
  /** for a professional caller: the caller is the médecin traitant DMP */
  medecinTraitant?: boolean;
  /** what the record holds about the patient (TD0.2 returns the identity traits) */
  identity?: RecordIdentity;
  /** the version of the Patient the record shows (R4 meta.versionId, lastUpdated) */
  version?: ResourceVersion;
}

/** The identity traits as the record holds them: nothing is added or guessed. */
export interface RecordIdentity {
  identifiers: PatientIdentifier[];
  given: string | null;
  family: string | null;
  gender: string | null;
  birthDate: string | null;
}

/** A record as read by `get`: its row, its identifiers and how a professional caller stands with it. */
export type RecordView = DmpRow & { identifiers: PatientIdentifier[]; version: ResourceVersion } & Pick<RecordStatus, 'authorised' | 'blocked' | 'medecinTraitant'>;

export type { DmpRow };

/**
 * How a professional caller stands with a record (TD0.2: authorisation and médecin traitant
 * status), in the lock's own terms (domain/access.ts), so that what the Patient tells a doctor
 * never differs from what the lock does with them: a médecin traitant whose authorisation was
 * withdrawn is told they no longer act as one (ACC-06).
 */
function standingOf(actor: Caller['actor'], ctx: RecordContext): Pick<RecordStatus, 'authorised' | 'blocked' | 'medecinTraitant'> {
  if (actor.kind !== 'professional') return {};
  const blocked = isBlocked(ctx, actor);
  return { blocked, authorised: !blocked && isAuthorised(ctx, actor), medecinTraitant: !blocked && isMedecinTraitant(ctx, actor) };
}

function identityOf(row: DmpRow, identifiers: PatientIdentifier[]): RecordIdentity {
  return { identifiers, given: row.given, family: row.family, gender: row.gender, birthDate: row.birth_date };
}

const UUID_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLOSED_OR_UNKNOWN_ERROR = 'no DMP for this patient';

export function recordService(deps: ServiceDeps, issueCredentials?: CreationCredentialIssuer) {
  const now = () => deps.clock.now();

  async function resolve(identifier: PatientIdentifier): Promise<string> {
    const key = await findPatientKey(deps.db, identifier);
    if (!key) throw new CarnetError('unknown_patient', CLOSED_OR_UNKNOWN_ERROR);
    return key;
  }

  const creation = recordCreation(deps, issueCredentials);

  return {
    resolve,

    /** The record key of an identifier, or null (no error: DMP-04, nothing requires a DMP). */
    lookup: (identifier: PatientIdentifier) => findPatientKey(deps.db, identifier),

    /**
     * The identifiers of a record known by its key (the FHIR door names records Patient/<key>).
     * Like lookup, no access is decided: what is then done with the record is.
     */
    identifiersOf: (patientKey: string): Promise<PatientIdentifier[]> =>
      UUID_KEY.test(patientKey) ? identifiersOfRecord(deps.db, patientKey) : Promise.resolve([]),


    create: creation.create,

    createIn: creation.createIn,

    /** TD0.2: does a DMP exist, its state, and how the caller stands with it. */
    async status(caller: Caller, identifier: PatientIdentifier): Promise<RecordStatus> {
      // a patient or representative asking about another person's identifier is answered as for
      // a patient without a DMP (recordKeyFor traces the attempt on the record it concerns)
      const key = await recordKeyFor(deps, caller, identifier, 'record.exists');
      if (!key) {
        await deps.db.transaction((tx) =>
          traceCall(tx, deps, caller, null, 'record.exists', 'success', { details: { exists: false } }),
        );
        return { exists: false };
      }
      return guarded(deps, caller, {
        patientKey: key,
        action: 'record.exists',
        act: async ({ tx, record }) => ({
          exists: true,
          version: await patientVersion(tx, record),
          patientKey: key,
          status: record.context.status,
          closedAt: record.context.closedAt,
          closureReason: seesClosureReason(caller.actor) ? record.row.closure_reason : null,
          ...standingOf(caller.actor, record.context),
          identity: identityOf(record.row, record.identifiers),
        }),
      });
    },

    async get(caller: Caller, patientKey: string): Promise<RecordView> {
      return guarded(deps, caller, {
        patientKey,
        action: 'record.exists',
        act: async ({ tx, record }) => ({
          ...record.row,
          closure_reason: seesClosureReason(caller.actor) ? record.row.closure_reason : null,
          identifiers: record.identifiers,
          version: await patientVersion(tx, record),
          ...standingOf(caller.actor, record.context),
        }),
      });
    },

    /** DMP-05: close; data kept 10 years, no deposit and no professional access meanwhile. */
    async close(caller: Caller, patientKey: string, reason?: string, ifMatch?: IfMatch): Promise<void> {
      // The reason is kept in the record and in its trace, a refused close's included (kept for
      // good): bounded before anything is decided or traced, as any metadata value.
      if (reason !== undefined && reason.length > METADATA_MAX_VALUE_LENGTH) {
        throw new CarnetError('invalid_metadata', `reason: ${reason.length} characters, longer than the ${METADATA_MAX_VALUE_LENGTH} a reason may hold`, { location: 'reason', reason: 'invalid_request' });
      }
      await guarded(deps, caller, {
        patientKey,
        action: 'record.close',
        lock: true,
        trace: { details: { reason: reason ?? null } },
        act: async ({ tx, record }) => {
          await checkPatientIfMatch(tx, record, ifMatch);
          if (record.context.status === 'closed') throw new CarnetError('business_rule', 'the record is already closed');
          const at = now();
          await changePatientVersion(tx, patientKey, at);
          await updateDmp(
            tx,
            patientKey,
            { status: 'closed', closed_at: at, closed_by: traceIdOf(caller), closure_reason: reason ?? null, purge_after: retentionEndsAt(at.toISOString()) },
            at,
          );
        },
      });
    },

    /** DMP-05: reactivate within the retention period, with everything as it was. */
    async reactivate(caller: Caller, patientKey: string, ifMatch?: IfMatch): Promise<void> {
      await guarded(deps, caller, {
        patientKey,
        action: 'record.reactivate',
        lock: true,
        act: async ({ tx, record }) => {
          await checkPatientIfMatch(tx, record, ifMatch);
          if (record.context.status !== 'closed') throw new CarnetError('business_rule', 'the record is not closed');
          const at = now();
          await changePatientVersion(tx, patientKey, at);
          await updateDmp(tx, patientKey, { status: 'open', closed_at: null, closed_by: null, closure_reason: null, purge_after: null }, at);
        },
      });
    },

    /**
     * DMP-05: removes the records closed for longer than the retention period, with all their
     * data. This is the one deletion the trace allows, announced in its own transaction.
     */
    async purgeExpired(caller: Caller): Promise<{ purged: number }> {
      const at = now();
      const due = await deps.db.query<{ patient_key: string }>(
        "SELECT patient_key::text FROM dmp WHERE status = 'closed' AND purge_after <= $1",
        [at],
      );
      let purged = 0;
      for (const { patient_key: key } of due.rows) {
        await deps.db.transaction(async (tx) => {
          const rec = await loadRecord(tx, key, true);
          if (!rec || !retentionExpired(rec.context, at)) return;
          await tx.query("SELECT set_config('carnet.retention_purge', 'on', true)");
          for (const table of PATIENT_TABLES) await tx.query(`DELETE FROM ${table} WHERE patient_key = $1`, [key]);
          for (const table of LOOKUP_TABLES) await tx.query(`DELETE FROM ${table} WHERE patient_key = $1`, [key]);
          await tx.query('DELETE FROM access_trace WHERE chain_key = $1', [key]);
          await tx.query('DELETE FROM access_trace_head WHERE chain_key = $1', [key]);
          await tx.query('DELETE FROM dmp WHERE patient_key = $1', [key]);
          await traceCall(tx, deps, caller, null, 'record.purge', 'success', { target: { kind: 'record', id: key } });
          purged++;
        });
      }
      return { purged };
    },
  };
}

const PATIENT_TABLES = [
  'association', 'folder', 'submission_set', 'document_selection_change', 'document_selection', 'document_entry', 'document_content',
  'access_grant', 'auth_challenge', 'account', 'legal_representative', 'copy_request', 'resource_version',
];
const LOOKUP_TABLES = ['registry_object', 'registry_unique_id', 'patient_identifier', 'account_login', 'auth_challenge_index', 'outbox', 'support_request', 'creation_code'];

export type RecordService = ReturnType<typeof recordService>;
