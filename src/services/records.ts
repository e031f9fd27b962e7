// The record itself: create with consent (DMP-01/02), tell whether it exists and how the caller
// stands (TD0.2), close and reactivate (DMP-05), purge after the retention period.
import { randomUUID } from 'node:crypto';
import { checkCreationConsent, creationChannel, type CreationConsent } from '../domain/creation.js';
import { decide } from '../domain/decide.js';
import { CarnetError } from '../domain/errors.js';
import { retentionEndsAt, retentionExpired } from '../domain/lifecycle.js';
import { majorityDate } from '../domain/minors.js';
import type { PatientIdentifier } from '../domain/model.js';
import type { RecordContext } from '../domain/record.js';
import type { ReasonCode } from '../domain/reasons.js';
import { checkIfMatch, versionOf, type IfMatch, type ResourceVersion } from '../domain/resource-versions.js';
import type { Tx } from '../store/db.js';
import { findPatientKey, identifiersOfRecord, insertDmp, loadRecord, updateDmp, type DmpRow, type LoadedRecord } from '../store/record-repo.js';
import { insertRepresentative } from '../store/representative-repo.js';
import { bumpVersion, getVersion } from '../store/resource-version-repo.js';
import type { Holder, IssuedCredentials } from './accounts.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded, refusal, traceCall } from './guard.js';
import { admitNamedPatient, recordKeyFor } from './patient-binding.js';

export interface NewRepresentative {
  representativeId?: string;
  relationship: 'parent' | 'tutor';
  given?: string;
  family: string;
  email?: string;
  phone?: string;
}

export interface CreateRecordInput {
  identifiers: PatientIdentifier[];
  given?: string;
  family?: string;
  gender?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  emancipated?: boolean;
  protectedAdult?: boolean;
  /** legal representatives known at creation (a minor's record needs their consent) */
  representatives?: NewRepresentative[];
  consent: { givenBy: 'patient' | 'legal_representative'; representativeIndex?: number } | null;
  /**
   * DMP-03: internet accounts opened at the creation desk, each for the patient or one of the
   * representatives above (by index); their credentials come back once, in the creation's answer.
   */
  accounts?: CreationAccountRequest[];
}

export interface CreationAccountRequest {
  holder: 'patient' | { representativeIndex: number };
  email?: string;
  phone?: string;
}

/** Issues one holder's credentials inside the creation's transaction (the accounts service does it). */
export type CreationCredentialIssuer = (tx: Tx, record: LoadedRecord, holder: Holder, contact: { email?: string; phone?: string }) => Promise<IssuedCredentials>;

/** Credentials handed over at creation, with whom they belong to. */
export type CreationCredentials = IssuedCredentials & { holder: Holder };

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

export interface CreatedRecord {
  patientKey: string;
  /** the new Patient's version: 1, at its creation */
  version: ResourceVersion;
  representativeIds: string[];
  credentials: CreationCredentials[];
}

export type CreationOutcome = { ok: true; created: CreatedRecord } | { ok: false; denied: ReasonCode };

/**
 * The version of the Patient a record shows. Its state (closed or open, emergency contacts) and
 * the consents a reader's standing comes from change it (bumpPatientVersion); read in the
 * transaction that reads the record.
 */
export async function patientVersion(tx: Tx, record: LoadedRecord): Promise<ResourceVersion> {
  return versionOf(await getVersion(tx, record.row.patient_key, 'Patient', record.row.patient_key), new Date(record.row.created_at));
}

/**
 * R4 http.html#concurrency: a change of the Patient asked against another version than the
 * current one is refused (412). Checked before the change's own rules, as a precondition is.
 */
export async function checkPatientIfMatch(tx: Tx, record: LoadedRecord, ifMatch: IfMatch | undefined): Promise<void> {
  if (ifMatch) checkIfMatch(ifMatch, await patientVersion(tx, record));
}

/** A change of what the Patient shows: its next version, in the change's transaction. */
export async function changePatientVersion(tx: Tx, patientKey: string, at: Date): Promise<void> {
  await bumpVersion(tx, patientKey, 'Patient', patientKey, at);
}

/** How a professional caller stands with a record (TD0.2: authorisation and médecin traitant status). */
function standingOf(actor: Caller['actor'], ctx: RecordContext): Pick<RecordStatus, 'authorised' | 'blocked' | 'medecinTraitant'> {
  if (actor.kind !== 'professional') return {};
  const matches = (effect: 'permit' | 'deny') =>
    ctx.grants.some(
      (g) =>
        g.effect === effect &&
        ((g.subjectKind === 'professional' && g.subjectId === actor.idNatPs) ||
          (g.subjectKind === 'structure' && g.subjectId === actor.structureId)),
    );
  const blocked = ctx.grants.some((g) => g.effect === 'deny' && g.subjectKind === 'professional' && g.subjectId === actor.idNatPs);
  return { blocked, authorised: !blocked && matches('permit'), medecinTraitant: ctx.medecinTraitant === actor.idNatPs };
}

function identityOf(row: DmpRow, identifiers: PatientIdentifier[]): RecordIdentity {
  return { identifiers, given: row.given, family: row.family, gender: row.gender, birthDate: row.birth_date };
}

const UUID_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLOSED_OR_UNKNOWN_ERROR = 'no DMP for this patient';

export function recordService(deps: ServiceDeps, issueCredentials?: CreationCredentialIssuer) {
  const now = () => deps.clock.now();

  async function resolve(identifier: PatientIdentifier): Promise<string> {
    const key = await findPatientKey(deps.db, identifier);
    if (!key) throw new CarnetError('unknown_patient', CLOSED_OR_UNKNOWN_ERROR);
    return key;
  }

  /**
   * DMP-03: the creation desk hands the holder's login and temporary password over there and
   * then. Issued in the creation's transaction (a record never exists with half its accounts)
   * and traced there; the answer is the only place the password ever appears.
   */
  async function openAccountsAtCreation(
    tx: Tx,
    caller: Caller,
    patientKey: string,
    requests: CreationAccountRequest[],
    reps: Array<{ representativeId: string }>,
  ): Promise<CreationCredentials[]> {
    if (!requests.length) return [];
    if (!issueCredentials) throw new CarnetError('unavailable', 'accounts cannot be issued here');
    const record = await loadRecord(tx, patientKey, true);
    const issued: CreationCredentials[] = [];
    for (const r of requests) {
      let holder: Holder = { role: 'patient' };
      if (r.holder !== 'patient') {
        const rep = reps[r.holder.representativeIndex];
        if (!rep) throw new CarnetError('invalid_metadata', 'an account is asked for a legal representative the request does not give');
        holder = { role: 'legal_representative', representativeId: rep.representativeId };
      }
      const credentials = await issueCredentials(tx, record!, holder, { email: r.email, phone: r.phone });
      await traceCall(tx, deps, caller, patientKey, 'account.create', 'success', {
        target: { kind: 'account', id: credentials.accountId },
        details: { role: holder.role, atCreation: true },
      });
      issued.push({ ...credentials, holder });
    }
    return issued;
  }

  /**
   * The creation inside the caller's transaction (the online self-creation spends its code in
   * the same one): decides, writes the record, its representatives, the accounts asked for and
   * the trace. A refusal writes its trace and answers `ok: false`; the caller commits it.
   */
  async function createIn(tx: Tx, caller: Caller, input: CreateRecordInput): Promise<CreationOutcome> {
    if (!input.identifiers.length) throw new CarnetError('invalid_metadata', 'a patient identifier (INS) is required');
    // Online self-creation (DMP-02): the patient's identity session already names the key of
    // the record it is creating; every other channel gets a fresh one.
    const patientKey = caller.actor.kind === 'patient' && UUID.test(caller.actor.patientKey) ? caller.actor.patientKey : randomUUID();
    const at = now();
    const reps = (input.representatives ?? []).map((r) => ({ ...r, representativeId: r.representativeId ?? randomUUID() }));
    const accessEndsAt = input.birthDate && !input.protectedAdult ? new Date(`${majorityDate(input.birthDate)}T00:00:00Z`) : null;
    const ctx: RecordContext = {
      patientKey,
      identifiers: input.identifiers,
      status: 'open',
      birthDate: input.birthDate,
      emancipated: !!input.emancipated,
      protectedAdult: !!input.protectedAdult,
      medecinTraitant: null,
      grants: [],
      emergencyOppositions: { bris_de_glace: false, centre_15: false },
      legalRepresentatives: reps.map((r) => ({
        representativeId: r.representativeId,
        doctorPresenceRequired: false,
        accessEndsAt: r.relationship === 'tutor' || !accessEndsAt ? undefined : accessEndsAt.toISOString(),
      })),
    };
    const consent: CreationConsent | null = input.consent
      ? {
          givenBy: input.consent.givenBy,
          representativeId:
            input.consent.givenBy === 'legal_representative' ? reps[input.consent.representativeIndex ?? 0]?.representativeId : undefined,
          at: at.toISOString(),
        }
      : null;
    const channel = creationChannel(caller.actor);
    // A patient's session that already opens a record (a login's) creates no other one.
    if (caller.actor.kind === 'patient' && (await loadRecord(tx, patientKey))) {
      throw new CarnetError('conflict', 'this session is the patient of an existing DMP: a patient has one DMP', { reason: 'record_exists' });
    }
    for (const id of input.identifiers) {
      if (await findPatientKey(tx, id)) throw new CarnetError('conflict', 'a DMP already exists for this patient', { reason: 'record_exists' });
    }
    const decision = decide(deps.policy, caller.actor, ctx, null, 'record.create', at);
    const consentDecision = decision.permit ? checkCreationConsent(ctx, consent, at) : decision;
    if (!decision.permit || !consentDecision.permit || !channel) {
      // Nothing is created, so the refusal is chained with the accesses that concern no record.
      const reason: ReasonCode = !decision.permit ? decision.reason : !consentDecision.permit ? consentDecision.reason : 'unsupported_actor';
      await traceCall(tx, deps, caller, null, 'record.create', 'denied', { reason });
      return { ok: false, denied: reason };
    }
    await insertDmp(tx, {
      patientKey,
      identifiers: input.identifiers,
      given: input.given,
      family: input.family,
      gender: input.gender,
      birthDate: input.birthDate,
      emancipated: !!input.emancipated,
      protectedAdult: !!input.protectedAdult,
      consentBy: consent!.givenBy === 'legal_representative' ? `legal_representative:${consent!.representativeId}` : 'patient',
      creationChannel: channel,
      createdBy: traceIdOf(caller),
      now: at,
    });
    for (const r of reps) {
      await insertRepresentative(tx, patientKey, {
        ...r,
        accessEndsAt: r.relationship === 'tutor' ? null : accessEndsAt,
        now: at,
      });
    }
    await traceCall(tx, deps, caller, patientKey, 'record.create', 'success', {
      details: { channel, consentBy: consent!.givenBy },
    });
    const credentials = await openAccountsAtCreation(tx, caller, patientKey, input.accounts ?? [], reps);
    return { ok: true, created: { patientKey, version: versionOf(undefined, at), representativeIds: reps.map((r) => r.representativeId), credentials } };
  }

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

    /**
     * DMP-01/02: creates a record in its own transaction. A refusal is traced (on the chain of
     * accesses that concern no record, since nothing is created) before the caller is told.
     */
    async create(caller: Caller, input: CreateRecordInput): Promise<CreatedRecord> {
      await deps.availability?.ensureAvailable('record.create');
      if (!input.identifiers.length) throw new CarnetError('invalid_metadata', 'a patient identifier (INS) is required');
      // ACC-10: before saying whether this patient already has a DMP.
      await admitNamedPatient(deps, caller, input.identifiers, 'record.create');
      const outcome = await deps.db.transaction((tx) => createIn(tx, caller, input));
      // The refusal's trace is committed above; only then is the caller told.
      if (!outcome.ok) throw refusal(outcome.denied);
      return outcome.created;
    },

    createIn,

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
          closureReason: record.row.closure_reason,
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
          identifiers: record.identifiers,
          version: await patientVersion(tx, record),
          ...standingOf(caller.actor, record.context),
        }),
      });
    },

    /** DMP-05: close; data kept 10 years, no deposit and no professional access meanwhile. */
    async close(caller: Caller, patientKey: string, reason?: string, ifMatch?: IfMatch): Promise<void> {
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

function traceIdOf(caller: Caller): string {
  const a = caller.actor;
  switch (a.kind) {
    case 'professional':
      return `professional:${a.idNatPs}`;
    case 'patient':
      return 'patient';
    case 'legal_representative':
      return `legal_representative:${a.representativeId}`;
    case 'support':
      return `support:${a.agentId}`;
    case 'insurer':
      return `insurer:${a.insurerId}`;
    case 'system':
      return `system:${a.component}`;
  }
}

export type RecordService = ReturnType<typeof recordService>;
