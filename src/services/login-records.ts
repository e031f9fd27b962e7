// One login for the several records a legal representative holds (MIN-01/02): each child's
// record keeps the representative's own account (its trace, its last login, its terms of use),
// and the support service joins it to the login the person already has. A session opened with
// that login then opens each of the other records without a second password or code: the
// person proved who they are once, and each record's holder gate (MIN-03, an ended access)
// still decides, record by record. Every opening is traced on the record it opens.
import { randomUUID } from 'node:crypto';
import { holderAccess } from '../domain/access.js';
import type { LegalRepresentativeActor, PatientActor } from '../domain/actor.js';
import { CarnetError } from '../domain/errors.js';
import type { CarnetClaims } from '../auth/claims.js';
import { hashPassword } from '../auth/passwords.js';
import { findHolderAccount, findLogin, getAccount, insertAccount, updateAccount, type AccountRow } from '../store/account-repo.js';
import type { Queryable } from '../store/db.js';
import { joinLogin, recordsOfLogin } from '../store/login-record-repo.js';
import { identifiersOfRecord, loadRecord } from '../store/record-repo.js';
import { accountActor, isUuid, tracedWork } from './auth-trace.js';
import type { Caller, ServiceDeps } from './deps.js';
import { traceCall } from './guard.js';

export interface LoginRecordOptions {
  scryptLog2N: number;
  sessionTtlSeconds: number;
  termsVersion?: string;
}

/** A record a session's login reaches, as the session's answer names it. */
export interface ReachableRecord {
  patient: string;
  /** the holder's account in that record (not shown to clients) */
  accountId: string;
  holder: { role: 'patient' } | { role: 'legal_representative'; representativeId: string };
}

export interface OpenedSession {
  claims: CarnetClaims;
  ttlSeconds: number;
  termsVersion?: string;
  records: ReachableRecord[];
}

/** The claims of an ordinary session of this account. */
export function sessionClaims(row: AccountRow): CarnetClaims {
  return row.role === 'patient'
    ? { sub: row.account_id, subject_type: 'patient', patient_key: row.patient_key, account_id: row.account_id, session_gen: row.session_generation }
    : { sub: row.account_id, subject_type: 'legal_representative', patient_key: row.patient_key, representative_id: row.representative_id!, account_id: row.account_id, session_gen: row.session_generation };
}

export function holderOfRow(row: AccountRow): ReachableRecord['holder'] {
  return row.role === 'patient' ? { role: 'patient' } : { role: 'legal_representative', representativeId: row.representative_id! };
}

/** The records this login opens now: live accounts whose holder the record still lets in. */
export async function reachableRecords(q: Queryable, login: string, now: Date): Promise<ReachableRecord[]> {
  const out: ReachableRecord[] = [];
  for (const ref of await recordsOfLogin(q, login)) {
    const row = await getAccount(q, ref.patient_key, ref.account_id);
    const record = row && !row.disabled_at ? await loadRecord(q, ref.patient_key) : null;
    if (!row || !record || !holderAccess(accountActor(row) as PatientActor | LegalRepresentativeActor, record.context, now).ok) continue;
    out.push({ patient: row.patient_key, accountId: row.account_id, holder: holderOfRow(row) });
  }
  return out;
}

function ownSession(caller: Caller): { patientKey: string; accountId: string } {
  const a = caller.actor;
  if ((a.kind === 'patient' || a.kind === 'legal_representative') && a.accountId) return { patientKey: a.patientKey, accountId: a.accountId };
  throw new CarnetError('forbidden', 'only a logged-in patient or legal representative opens records here', { reason: 'unsupported_actor' });
}

export function loginRecordService(deps: ServiceDeps, options: LoginRecordOptions) {
  return {
    /**
     * MIN-02: the support service gives a representative an account on another child's record,
     * reached with the login they already hold (a representative's login) instead of a new one.
     * Nothing secret is issued: the existing password and codes serve.
     */
    async join(caller: Caller, input: { patientKey: unknown; representativeId: unknown; login: unknown }): Promise<{ accountId: string; login: string }> {
      if (!isUuid(input.patientKey)) throw new CarnetError('invalid_metadata', 'patientKey must be a UUID', { location: 'patientKey' });
      if (!isUuid(input.representativeId)) throw new CarnetError('invalid_metadata', 'a joined account is a legal representative\'s: representativeId is required', { location: 'representativeId', reason: 'invalid_holder' });
      // logins are drawn from letters, digits and dashes (readableSecret); anything else names none
      if (typeof input.login !== 'string' || input.login.length > 200 || !/^[a-z0-9._@-]+$/i.test(input.login.trim())) throw new CarnetError('invalid_metadata', 'login must name an existing login', { location: 'login' });
      const patientKey = input.patientKey;
      const holder = { role: 'legal_representative' as const, representativeId: input.representativeId };
      const login = input.login.trim().toLowerCase();
      return tracedWork(deps, caller, { patientKey, action: 'account.create', trace: { details: { role: holder.role, joinedLogin: true } } }, async (tx, trace) => {
        if (caller.actor.kind !== 'support' && caller.actor.kind !== 'system') {
          throw new CarnetError('forbidden', 'accounts are issued by the support service or the creation flow', { reason: 'unsupported_actor' });
        }
        const record = await loadRecord(tx, patientKey, true);
        if (!record) throw new CarnetError('unknown_patient', 'no DMP for this patient');
        const now = deps.clock.now();
        const gate = holderAccess({ kind: 'legal_representative', patientKey, representativeId: holder.representativeId }, record.context, now);
        if (!gate.ok) throw new CarnetError('business_rule', `no account for this holder: ${gate.reason.replace(/_/g, ' ')}`, { reason: gate.reason });
        if (await findHolderAccount(tx, patientKey, holder)) {
          throw new CarnetError('conflict', 'this holder already has an account; the support flow issues a new temporary password', { reason: 'account_exists' });
        }
        const ref = await findLogin(tx, login);
        const owner = ref ? await getAccount(tx, ref.patient_key, ref.account_id) : null;
        // only a representative's login is joined: a patient's login is theirs alone
        if (!owner || owner.disabled_at || owner.role !== 'legal_representative') {
          throw new CarnetError('business_rule', 'no active legal representative\'s login by this name', { location: 'login', reason: 'unknown_login' });
        }
        if ((await recordsOfLogin(tx, login)).some((r) => r.patient_key === patientKey)) {
          throw new CarnetError('conflict', 'this login already reaches this record', { reason: 'account_exists' });
        }
        const accountId = randomUUID();
        await insertAccount(tx, {
          patientKey,
          accountId,
          role: 'legal_representative',
          representativeId: holder.representativeId,
          login,
          // never used: the login's own account checks the password
          passwordHash: await hashPassword(randomUUID(), options.scryptLog2N),
          email: owner.email,
          phone: owner.phone,
          codeChannel: owner.code_channel,
          now,
        });
        await updateAccount(tx, patientKey, accountId, { password_temporary: false, terms_version: owner.terms_version });
        await joinLogin(tx, login, patientKey, accountId, now);
        trace({ target: { kind: 'account', id: accountId } });
        return { accountId, login };
      });
    },

    /**
     * MIN-01/02: a session opens another record its login reaches; the answer is an ordinary
     * session of the account held there. Refused (and traced) where the record no longer lets
     * that holder in; a record the login does not reach is not found, whatever it is.
     */
    async open(caller: Caller, patientKey: unknown): Promise<OpenedSession> {
      const s = ownSession(caller);
      if (!isUuid(patientKey)) throw new CarnetError('invalid_metadata', 'patient must be a record id', { location: 'patient' });
      const own = await getAccount(deps.db, s.patientKey, s.accountId);
      if (!own || own.disabled_at) throw new CarnetError('unauthenticated', 'this account is no longer active', { reason: 'account_inactive' });
      const ref = (await recordsOfLogin(deps.db, own.login)).find((r) => r.patient_key === patientKey);
      if (!ref) {
        // TRACE-01: an established caller tried to open a record it does not hold; the attempt is
        // traced on that record when there is one, and the answer is the same either way (ACC-08)
        if ((await identifiersOfRecord(deps.db, patientKey)).length) {
          await deps.db.transaction((tx) => traceCall(tx, deps, caller, patientKey, 'auth.login', 'denied', { reason: 'wrong_record', details: { sameLogin: true } }));
        }
        throw new CarnetError('not_found', 'this login reaches no such record');
      }
      // a refusal is traced and committed, then thrown
      const outcome = await deps.db.transaction(async (tx): Promise<{ ok: true; session: OpenedSession } | { ok: false; error: CarnetError }> => {
        const now = deps.clock.now();
        const row = await getAccount(tx, ref.patient_key, ref.account_id, true);
        const record = row && !row.disabled_at ? await loadRecord(tx, ref.patient_key) : null;
        if (!row || !record) return { ok: false, error: new CarnetError('not_found', 'this login reaches no such record') };
        const as: Caller = { ...caller, actor: accountActor(row) };
        const trace = { target: { kind: 'account', id: row.account_id }, details: { sameLogin: true } };
        const gate = holderAccess(as.actor as PatientActor | LegalRepresentativeActor, record.context, now);
        if (!gate.ok) {
          await traceCall(tx, deps, as, row.patient_key, 'auth.login', 'denied', { ...trace, reason: gate.reason });
          return { ok: false, error: new CarnetError('forbidden', `refused: ${gate.reason.replace(/_/g, ' ')}`, { reason: gate.reason }) };
        }
        await updateAccount(tx, row.patient_key, row.account_id, { previous_login_at: row.last_login_at, last_login_at: now });
        await traceCall(tx, deps, as, row.patient_key, 'auth.login', 'success', trace);
        const claims = sessionClaims(row);
        const terms = options.termsVersion && row.terms_version !== options.termsVersion ? options.termsVersion : undefined;
        if (terms) claims.terms_pending = terms;
        const records = await reachableRecords(tx, own.login, now);
        return { ok: true, session: { claims, ttlSeconds: options.sessionTtlSeconds, ...(terms ? { termsVersion: terms } : {}), records } };
      });
      if (!outcome.ok) throw outcome.error;
      return outcome.session;
    },
  };
}

export type LoginRecordService = ReturnType<typeof loginRecordService>;
