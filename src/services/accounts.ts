// Online accounts (DMP-03, AUTH-03/05, MIN-02): issuing a login and a temporary password to a
// holder of the record (the patient, or each legal representative on an own account), changing
// the password, and the contact details used for codes and alerts.
import { randomUUID } from 'node:crypto';
import { governorAccess, holderAccess } from '../domain/access.js';
import type { LegalRepresentativeActor, PatientActor } from '../domain/actor.js';
import { alertSetterCode, alertSetterHolds } from '../domain/announcements.js';
import { CarnetError } from '../domain/errors.js';
import { supersededSession } from '../domain/sessions.js';
import { hashPassword, passwordProblem, readableSecret, verifyPassword } from '../auth/passwords.js';
import type { Queryable, Tx } from '../store/db.js';
import {
  claimLogin,
  findHolderAccount,
  findLogin,
  getAccount,
  insertAccount,
  updateAccount,
  type AccountRow,
} from '../store/account-repo.js';
import { loadRecord, updateDmp, type LoadedRecord } from '../store/record-repo.js';
import { listRepresentatives, type RepresentativeRow } from '../store/representative-repo.js';
import { accountActor, isUuid, tracedWork } from './auth-trace.js';
import { traceCall } from './guard.js';
import { isJoinedAccount, recordsOfLogin } from '../store/login-record-repo.js';
import { supersedeSessions } from '../store/session-repo.js';
import { normaliseEmail, normalisePhone } from './contact.js';
import type { Caller, ServiceDeps } from './deps.js';
import { contactChangedText, passwordChangedText } from './messages.js';
import { contactOf, type OutboxService } from './outbox.js';

export interface AccountOptions {
  /** scrypt cost of new hashes, log2(N) */
  scryptLog2N: number;
  /** lifetime of an ordinary session */
  sessionTtlSeconds: number;
  /** the current version of the terms of use (CGU); absent: none */
  termsVersion?: string;
}

export type Holder = { role: 'patient' } | { role: 'legal_representative'; representativeId: string };

export interface ContactInput {
  email?: string | null;
  phone?: string | null;
  codeChannel?: 'email' | 'sms';
}

export interface NewAccountInput extends ContactInput {
  patientKey: string;
  role: 'patient' | 'legal_representative';
  representativeId?: string;
}

/** Handed out once, to the support agent or the creation flow; never stored in clear. */
export interface IssuedCredentials {
  accountId: string;
  login: string;
  temporaryPassword: string;
  /** false when an existing account got a new temporary password */
  created: boolean;
}

export interface ContactView {
  login: string;
  email: string | null;
  phone: string | null;
  codeChannel: 'email' | 'sms';
  /** PAT-03: where document alerts go (the record's setting) */
  alertEmail: string | null;
  /**
   * PAT-03: the address is set but told nothing: the holder who chose it no longer holds the
   * record (a representative at the majority, or ended), or who chose it is not known (set before
   * migration 0084 on a represented record). Whoever decides sets it again to hear again.
   */
  alertSilent: boolean;
  passwordTemporary: boolean;
}

export function holderOf(input: { role: string; representativeId?: string }): Holder {
  if (input.role === 'patient') return { role: 'patient' };
  if (input.role === 'legal_representative' && isUuid(input.representativeId)) return { role: 'legal_representative', representativeId: input.representativeId };
  throw new CarnetError('invalid_metadata', 'role must be patient, or legal_representative with a representativeId', { reason: 'invalid_holder' });
}

function holderActor(patientKey: string, holder: Holder): PatientActor | LegalRepresentativeActor {
  return holder.role === 'patient'
    ? { kind: 'patient', patientKey }
    : { kind: 'legal_representative', patientKey, representativeId: holder.representativeId };
}

/** Checks the contact changes and returns the columns to store. */
function contactColumns(current: { email: string | null; phone: string | null; code_channel: 'email' | 'sms' }, input: ContactInput) {
  const email = input.email === undefined ? current.email : input.email === null ? null : normaliseEmail(input.email, 'email');
  const phone = input.phone === undefined ? current.phone : input.phone === null ? null : normalisePhone(input.phone, 'phone');
  let channel = input.codeChannel ?? current.code_channel;
  if (input.codeChannel !== undefined && !['email', 'sms'].includes(input.codeChannel)) {
    throw new CarnetError('invalid_metadata', 'codeChannel must be email or sms', { location: 'codeChannel', reason: 'invalid_contact' });
  }
  // Without an explicit choice, the channel follows what is known.
  if (input.codeChannel === undefined && channel === 'email' && !email && phone) channel = 'sms';
  if (input.codeChannel === undefined && channel === 'sms' && !phone && email) channel = 'email';
  if (channel === 'email' && !email) throw new CarnetError('business_rule', 'login codes sent by e-mail need an e-mail address', { reason: 'contact_required' });
  if (channel === 'sms' && !phone) throw new CarnetError('business_rule', 'login codes sent by SMS need a phone number', { reason: 'contact_required' });
  return { email, phone, code_channel: channel };
}

/**
 * Gives a holder of the record a login and a new temporary password (DMP-03, AUTH-03/04):
 * creates the account, or resets an existing one (unlocked, open codes closed). A caller that
 * has already read the representative it issues for gives it (`representative`), read again
 * otherwise.
 */
export async function issueCredentialsIn(
  tx: Tx,
  deps: ServiceDeps,
  options: AccountOptions,
  record: LoadedRecord,
  holder: Holder,
  contact: ContactInput,
  representative?: RepresentativeRow,
): Promise<IssuedCredentials> {
  const patientKey = record.context.patientKey;
  const now = deps.clock.now();
  const gate = holderAccess(holderActor(patientKey, holder), record.context, now);
  if (!gate.ok) {
    throw new CarnetError('business_rule', `no account for this holder: ${gate.reason.replace(/_/g, ' ')}`, { reason: gate.reason });
  }
  const temporaryPassword = readableSecret(4);
  const passwordHash = await hashPassword(temporaryPassword, options.scryptLog2N);
  const existing = await findHolderAccount(tx, patientKey, holder, true);
  // MIN-02: an account joined to another login has no password of its own: that login's is reset
  if (existing && (await isJoinedAccount(tx, patientKey, existing.account_id))) {
    throw new CarnetError('business_rule', `this holder logs in with the login ${existing.login}, whose own account gets a new password`, { reason: 'joined_login' });
  }
  if (existing) {
    await updateAccount(tx, patientKey, existing.account_id, {
      ...contactColumns(existing, contact),
      password_hash: passwordHash,
      password_temporary: true,
      failed_attempts: 0,
      locked_until: null,
    });
    await tx.query('UPDATE auth_challenge SET used_at = $3 WHERE patient_key = $1 AND account_id = $2 AND used_at IS NULL', [patientKey, existing.account_id, now]);
    // AUTH-04: credentials are reset because they may be in someone else's hands: every session
    // the login has open ends with them.
    await supersedeSessions(tx, existing.login, null);
    return { accountId: existing.account_id, login: existing.login, temporaryPassword, created: false };
  }
  // MIN-02: a representative's account starts from the contact the record holds for them.
  let known: { email: string | null; phone: string | null } = { email: null, phone: null };
  if (holder.role === 'legal_representative') {
    const rep = representative?.representative_id === holder.representativeId
      ? representative
      : (await listRepresentatives(tx, patientKey)).find((r) => r.representative_id === holder.representativeId);
    // Stored as given at creation: normalised here, and left out if unusable.
    const usable = (f: () => string) => {
      try {
        return f();
      } catch {
        return null;
      }
    };
    known = {
      email: rep?.email ? usable(() => normaliseEmail(rep.email, 'email')) : null,
      phone: rep?.phone ? usable(() => normalisePhone(rep.phone, 'phone')) : null,
    };
  }
  const columns = contactColumns({ ...known, code_channel: 'email' }, contact);
  const accountId = randomUUID();
  let login = '';
  for (let i = 0; i < 8 && !login; i++) {
    const candidate = readableSecret(3);
    if (await claimLogin(tx, candidate, patientKey, accountId)) login = candidate;
  }
  if (!login) throw new CarnetError('conflict', 'could not draw a free login; try again');
  await insertAccount(tx, {
    patientKey,
    accountId,
    role: holder.role,
    representativeId: holder.role === 'legal_representative' ? holder.representativeId : null,
    login,
    passwordHash,
    email: columns.email,
    phone: columns.phone,
    codeChannel: columns.code_channel,
    now,
  });
  return { accountId, login, temporaryPassword, created: true };
}

/** The caller's own account, as a logged-in patient or representative. */
function sessionOf(caller: Caller): { patientKey: string; accountId: string; actor: PatientActor | LegalRepresentativeActor } {
  const a = caller.actor;
  if ((a.kind === 'patient' || a.kind === 'legal_representative') && a.accountId) return { patientKey: a.patientKey, accountId: a.accountId, actor: a };
  throw new CarnetError('forbidden', 'only a logged-in patient or legal representative has an account here', { reason: 'unsupported_actor' });
}

async function ownAccount(tx: Queryable, caller: Caller, forUpdate: boolean): Promise<AccountRow> {
  const s = sessionOf(caller);
  const row = await getAccount(tx, s.patientKey, s.accountId, forUpdate);
  if (!row || row.disabled_at) throw new CarnetError('unauthenticated', 'this account is no longer active', { reason: 'account_inactive' });
  return row;
}

/**
 * MIN-02: the account that holds the login's password and code contact. An account joined to
 * another account's login has neither of its own: they are that account's.
 */
async function loginAccountOf(q: Queryable, row: AccountRow, forUpdate: boolean): Promise<AccountRow> {
  if (!(await isJoinedAccount(q, row.patient_key, row.account_id))) return row;
  const ref = await findLogin(q, row.login);
  const own = ref ? await getAccount(q, ref.patient_key, ref.account_id, forUpdate) : null;
  if (!own || own.disabled_at) throw new CarnetError('unauthenticated', 'this account is no longer active', { reason: 'account_inactive' });
  return own;
}

export function accountService(deps: ServiceDeps, options: AccountOptions, outbox: OutboxService) {
  /** AUTH-05 / PAT-03: what the logged-in holder's codes and alerts use. */
  async function getContact(caller: Caller): Promise<ContactView> {
    const own = await ownAccount(deps.db, caller, false);
    const row = await loginAccountOf(deps.db, own, false);
    const record = await loadRecord(deps.db, own.patient_key);
    return {
      login: row.login,
      email: row.email,
      phone: row.phone,
      codeChannel: row.code_channel,
      alertEmail: record?.row.alert_email ?? null,
      alertSilent: !!record?.row.alert_email && !alertSetterHolds(record.context, record.row.alert_set_by, deps.clock.now()),
      passwordTemporary: row.password_temporary,
    };
  }

  return {
    /**
     * DMP-03, MIN-02: an account for the patient or one legal representative of an existing
     * record. For the support service and the creation flow (a system caller); the credentials
     * are returned once.
     */
    async create(caller: Caller, input: NewAccountInput): Promise<IssuedCredentials> {
      if (!isUuid(input.patientKey)) throw new CarnetError('invalid_metadata', 'patientKey must be a UUID', { location: 'patientKey' });
      const holder = holderOf(input);
      return tracedWork(deps, caller, { patientKey: input.patientKey, action: 'account.create', trace: { details: { role: holder.role } } }, async (tx, trace) => {
        if (caller.actor.kind !== 'support' && caller.actor.kind !== 'system') {
          throw new CarnetError('forbidden', 'accounts are issued by the support service or the creation flow', { reason: 'unsupported_actor' });
        }
        const record = await loadRecord(tx, input.patientKey, true);
        if (!record) throw new CarnetError('unknown_patient', 'no DMP for this patient');
        if (await findHolderAccount(tx, input.patientKey, holder)) {
          throw new CarnetError('conflict', 'this holder already has an account; the support flow issues a new temporary password', { reason: 'account_exists' });
        }
        const issued = await issueCredentialsIn(tx, deps, options, record, holder, input);
        trace({ target: { kind: 'account', id: issued.accountId } });
        return issued;
      });
    },

    /** DMP-03: issues credentials inside a caller's transaction (a creation, a representative added); the caller traces it. */
    issueIn: (tx: Tx, record: LoadedRecord, holder: Holder, contact: ContactInput) => issueCredentialsIn(tx, deps, options, record, holder, contact),

    getContact,

    /**
     * The terms of use (CGU) changed: the holder accepts the current version, kept on the account
     * and traced; answers the lifetime of the ordinary session that follows.
     */
    async acceptTerms(caller: Caller, version: unknown, session: { generation: number; sessionId?: string }): Promise<{ ttlSeconds: number; sessionGeneration: number }> {
      const s = sessionOf(caller);
      const current = options.termsVersion;
      let sessionGeneration = 0;
      await tracedWork(deps, caller, { patientKey: s.patientKey, action: 'auth.terms.accept', trace: { target: { kind: 'account', id: s.accountId }, details: { version: typeof version === 'string' ? version.slice(0, 50) : null } } }, async (tx) => {
        const own = await ownAccount(tx, caller, true);
        // A new password since the session opened ends it unless it chose that password (checked
        // again here: one may have come since the door let the request in); the next token it
        // gets is of the account's current generation.
        const token = { sessionId: isUuid(session.sessionId) ? session.sessionId : null, generation: session.generation };
        if (supersededSession({ generation: own.session_generation, kept: own.session_kept }, token)) {
          throw new CarnetError('unauthenticated', 'the session has ended: the password was changed since it was opened; log in again', { reason: 'session_superseded' });
        }
        sessionGeneration = own.session_generation;
        if (!current) throw new CarnetError('business_rule', 'this service publishes no terms of use to accept', { reason: 'no_terms' });
        if (version !== current) throw new CarnetError('business_rule', `the current terms of use are version ${current}`, { location: 'version', reason: 'terms_version_mismatch' });
        await updateAccount(tx, s.patientKey, s.accountId, { terms_version: current, terms_accepted_at: deps.clock.now() });
        // MIN-02: the person accepts for every record their login opens, traced on each
        for (const ref of await recordsOfLogin(tx, own.login)) {
          if (ref.patient_key === s.patientKey) continue;
          const other = await getAccount(tx, ref.patient_key, ref.account_id, true);
          if (!other || other.disabled_at || other.terms_version === current) continue;
          await updateAccount(tx, other.patient_key, other.account_id, { terms_version: current, terms_accepted_at: deps.clock.now() });
          await traceCall(tx, deps, { ...caller, actor: accountActor(other) }, other.patient_key, 'auth.terms.accept', 'success', {
            target: { kind: 'account', id: other.account_id },
            details: { version: current, sameLogin: true },
          });
        }
      });
      return { ttlSeconds: options.sessionTtlSeconds, sessionGeneration };
    },

    /**
     * AUTH-05: the logged-in holder changes the e-mail / phone used for codes, and the code
     * channel; PAT-03: the record's alert address (null removes it), for whoever decides for the
     * record. The previous address is told of a change of the code contact.
     */
    async updateContact(caller: Caller, input: ContactInput & { alertEmail?: string | null }): Promise<ContactView> {
      const s = sessionOf(caller);
      const changed = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
      await tracedWork(deps, caller, { patientKey: s.patientKey, action: 'account.contact.update', trace: { target: { kind: 'account', id: s.accountId }, details: { changed } } }, async (tx) => {
        const row = await loginAccountOf(tx, await ownAccount(tx, caller, true), true);
        const record = await loadRecord(tx, s.patientKey, true);
        if (!record) throw new CarnetError('unknown_patient', 'no DMP for this patient');
        const now = deps.clock.now();
        const gate = holderAccess(s.actor, record.context, now);
        if (!gate.ok) throw new CarnetError('forbidden', `refused: ${gate.reason.replace(/_/g, ' ')}`, { reason: gate.reason });
        const columns = contactColumns(row, input);
        await updateAccount(tx, row.patient_key, row.account_id, columns);
        if (input.alertEmail !== undefined) {
          const governs = governorAccess(s.actor, record.context, now);
          if (!governs.ok) throw new CarnetError('forbidden', `refused: ${governs.reason.replace(/_/g, ' ')}`, { reason: governs.reason });
          const alert = input.alertEmail === null ? null : normaliseEmail(input.alertEmail, 'alertEmail');
          // PAT-03: the address is the chooser's; it falls silent when their access ends (announcements.ts)
          await updateDmp(tx, s.patientKey, { alert_email: alert, alert_set_by: alert === null ? null : alertSetterCode(s.actor) }, now);
        }
        const previous = contactOf(row.code_channel, row.email, row.phone);
        const next = contactOf(columns.code_channel, columns.email, columns.phone);
        if (previous && (previous.recipient !== next?.recipient)) {
          const text = contactChangedText();
          await outbox.enqueue(tx, { patientKey: s.patientKey, channel: previous.channel, recipient: previous.recipient, subject: previous.channel === 'email' ? text.subject : null, body: text.body, kind: 'contact_changed' });
        }
      });
      outbox.kick();
      return getContact(caller);
    },

    /**
     * AUTH-03: a session opened with the temporary password replaces it (and nothing else);
     * an ordinary session changes its password by giving the current one.
     */
    async changePassword(caller: Caller, input: { newPassword: unknown; currentPassword?: unknown; temporarySession: boolean; sessionId?: unknown }): Promise<void> {
      const s = sessionOf(caller);
      await tracedWork(deps, caller, { patientKey: s.patientKey, action: 'auth.password.change', trace: { target: { kind: 'account', id: s.accountId } } }, async (tx) => {
        const row = await loginAccountOf(tx, await ownAccount(tx, caller, true), true);
        if (typeof input.newPassword !== 'string') throw new CarnetError('invalid_metadata', 'newPassword is required', { location: 'newPassword', reason: 'password_policy' });
        if (input.temporarySession) {
          if (!row.password_temporary) throw new CarnetError('forbidden', 'the temporary password has already been replaced; log in again', { reason: 'temporary_password_replaced' });
        } else {
          if (typeof input.currentPassword !== 'string' || !(await verifyPassword(input.currentPassword, row.password_hash))) {
            throw new CarnetError('unauthenticated', 'the current password is wrong', { reason: 'invalid_credentials' });
          }
        }
        const problem = passwordProblem(input.newPassword, row.login);
        if (problem) throw new CarnetError('business_rule', problem, { location: 'newPassword', reason: 'password_policy' });
        const now = deps.clock.now();
        await updateAccount(tx, row.patient_key, row.account_id, {
          password_hash: await hashPassword(input.newPassword, options.scryptLog2N),
          password_temporary: false,
          failed_attempts: 0,
          locked_until: null,
        });
        await tx.query('UPDATE auth_challenge SET used_at = $3 WHERE patient_key = $1 AND account_id = $2 AND used_at IS NULL', [row.patient_key, row.account_id, now]);
        // The login's other sessions end (a copy of one may be what made the holder change it);
        // this one stays open: its holder has just shown the password and goes on where they are.
        const kept = isUuid(input.sessionId) ? input.sessionId : null;
        await supersedeSessions(tx, row.login, kept);
        const to = contactOf(row.code_channel, row.email, row.phone);
        if (to) {
          const text = passwordChangedText();
          await outbox.enqueue(tx, { patientKey: s.patientKey, channel: to.channel, recipient: to.recipient, subject: to.channel === 'email' ? text.subject : null, body: text.body, kind: 'password_changed' });
        }
      });
      outbox.kick();
    },
  };
}

export { accountActor };
export type AccountService = ReturnType<typeof accountService>;
