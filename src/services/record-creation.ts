// DMP-01/02/03: creating a record, with the consent it needs, its legal representatives and the
// accounts opened at the desk, all in one transaction. The largest use case of the record
// service, and the one the online self-creation reuses inside its own transaction (createIn),
// so it stands apart from reading, closing and purging (records.ts).
import { randomUUID } from 'node:crypto';
import { checkCreationConsent, creationChannel, type CreationConsent } from '../domain/creation.js';
import { decide } from '../domain/decide.js';
import { CarnetError } from '../domain/errors.js';
import { majorityDate } from '../domain/minors.js';
import type { PatientIdentifier } from '../domain/model.js';
import type { RecordContext } from '../domain/record.js';
import type { ReasonCode } from '../domain/reasons.js';
import { versionOf, type ResourceVersion } from '../domain/resource-versions.js';
import type { Tx } from '../store/db.js';
import { findPatientKey, insertDmp, loadRecord, type LoadedRecord } from '../store/record-repo.js';
import { insertRepresentative } from '../store/representative-repo.js';
import type { Holder, IssuedCredentials } from './accounts.js';
import { traceIdOf } from './actor-trace-id.js';
import type { Caller, ServiceDeps } from './deps.js';
import { refusal, traceCall } from './guard.js';
import { admitNamedPatient } from './patient-binding.js';

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

export interface CreatedRecord {
  patientKey: string;
  /** the new Patient's version: 1, at its creation */
  version: ResourceVersion;
  representativeIds: string[];
  credentials: CreationCredentials[];
}

export type CreationOutcome = { ok: true; created: CreatedRecord } | { ok: false; denied: ReasonCode };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The creation of records: `create` in its own transaction, `createIn` inside a caller's. */
export function recordCreation(deps: ServiceDeps, issueCredentials?: CreationCredentialIssuer) {
  const now = () => deps.clock.now();

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
  };
}
