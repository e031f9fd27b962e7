// Logging in (AUTH-01/02/03/06): login + password, then a one-time code sent by e-mail or SMS.
// - The password step answers the same status, body and (through a scrypt run against a dummy
//   hash) the same time for an unknown login, a wrong password and a locked account.
// - Three wrong passwords lock the account for 15 minutes; the state is in the account row, so
//   every instance agrees.
// - The code: 6 random digits, stored as an HMAC, valid 5 minutes, once, with 3 tries.
// - Rate limits per login name and per client address hold across instances (rate_limit table).
// Every attempt is traced (TRACE-01). Until both factors are right the caller's identity is not
// established (TRACE-05): anyone who knows a login can type a wrong password or code, so those
// attempts go to the server's security log, naming the account they aimed at, never to the
// record's chain, where they would claim that the holder acted. A right password followed by a
// right code is the holder: that login, and a refusal after it (MIN-03), is on the record's chain.
import { createHash, randomUUID } from 'node:crypto';
import { holderAccess } from '../domain/access.js';
import type { LegalRepresentativeActor, PatientActor } from '../domain/actor.js';
import { CarnetError } from '../domain/errors.js';
import { afterFailure, CLEARED, isLocked } from '../domain/lockout.js';
import type { CarnetClaims } from '../auth/claims.js';
import { holderOfRow, reachableRecords, sessionClaims, type ReachableRecord } from './login-records.js';
import { codeHmac, codeMatches, newCode } from '../auth/codes.js';
import { dummyHash, hashPassword, verifyPassword } from '../auth/passwords.js';
import type { Tx } from '../store/db.js';
import { findLogin, getAccount, getChallengeForUpdate, insertChallenge, updateAccount, updateChallenge } from '../store/account-repo.js';
import { hitRateLimit } from '../store/rate-limit-repo.js';
import { loadRecord } from '../store/record-repo.js';
import { logUnidentifiedIn } from './access-refusals.js';
import { accountActor, isUuid } from './auth-trace.js';
import { maskContact } from './contact.js';
import type { Caller, Channel, ServiceDeps } from './deps.js';
import { traceCall } from './guard.js';
import { loginCodeText } from './messages.js';
import { contactOf, type OutboxService } from './outbox.js';

export { LOCK_AFTER_FAILURES, LOCK_MS } from '../domain/lockout.js';
export const CODE_TTL_MS = 5 * 60_000;
export const CODE_MAX_ATTEMPTS = 3;
/** a session opened with a temporary password lives just long enough to replace it */
export const TEMPORARY_SESSION_TTL_SECONDS = 600;

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface LoginLimits {
  loginPerAddress: RateLimit;
  loginPerAccount: RateLimit;
  verifyPerAddress: RateLimit;
  supportPerAddress: RateLimit;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  loginPerAddress: { limit: 30, windowMs: 15 * 60_000 },
  loginPerAccount: { limit: 10, windowMs: 15 * 60_000 },
  verifyPerAddress: { limit: 30, windowMs: 15 * 60_000 },
  supportPerAddress: { limit: 5, windowMs: 60 * 60_000 },
};

export interface LoginOptions {
  codeSecret: Buffer;
  scryptLog2N: number;
  sessionTtlSeconds: number;
  limits?: Partial<LoginLimits>;
  /** the current version of the terms of use (CGU); absent: none to accept */
  termsVersion?: string;
}

/** Where the request comes from: the client address (rate limits) and the request id (trace). */
export interface RequestOrigin {
  address: string;
  requestId?: string;
  channel?: Channel;
}

export interface ChallengeSent {
  challengeId: string;
  channel: 'email' | 'sms';
  /** masked: says where the code went without disclosing the address */
  sentTo: string;
  expiresIn: number;
}

export interface Session {
  claims: CarnetClaims;
  ttlSeconds: number;
  passwordChangeRequired: boolean;
  /** the version of the terms of use to accept before anything else, when they changed */
  termsVersion?: string;
  /** the records this login reaches, the one opened included */
  records: ReachableRecord[];
}

/** The one answer of a failed password step, whatever the cause (no account enumeration). */
export const INVALID_CREDENTIALS_MESSAGE =
  'wrong login or password; after 3 failed attempts the account is locked for 15 minutes';
const INVALID_CODE_MESSAGE = 'the code is wrong, expired or already used; after 3 wrong codes, log in again';

function invalidCredentials(): CarnetError {
  return new CarnetError('unauthenticated', INVALID_CREDENTIALS_MESSAGE, { reason: 'invalid_credentials' });
}


export function normaliseLogin(login: string): string {
  return login.trim().toLowerCase();
}

export function loginService(deps: ServiceDeps, options: LoginOptions, outbox: OutboxService) {
  const limits: LoginLimits = { ...DEFAULT_LOGIN_LIMITS, ...options.limits };
  let dummy: Promise<string> | null = null;
  const dummyPassword = () => (dummy ??= dummyHash(options.scryptLog2N));

  /** Counts a hit in its own statement (committed whatever happens next); 429 beyond the limit. */
  async function limit(bucket: string, rule: RateLimit): Promise<void> {
    const { hits, resetsAt } = await hitRateLimit(deps.db, bucket, rule.windowMs, deps.clock.now());
    if (hits > rule.limit) {
      const retryAfter = Math.max(1, Math.ceil((resetsAt.getTime() - deps.clock.now().getTime()) / 1000));
      throw new CarnetError('rate_limited', `too many attempts; retry in ${retryAfter} seconds`, { reason: `retry_after:${retryAfter}` });
    }
  }

  /** Login's limits, per client address and per what the secret opens (a login, a card's identifier). */
  async function limitLike(what: string, address: string, subject: string): Promise<void> {
    await limit(`${what}:address:${address}`, limits.loginPerAddress);
    // The bucket names a hash of the login (or identifier), never the thing itself.
    await limit(`${what}:account:${createHash('sha256').update(subject).digest('base64url').slice(0, 22)}`, limits.loginPerAccount);
  }

  function callerFor(actor: Caller['actor'], origin: RequestOrigin): Caller {
    return { actor, channel: origin.channel ?? 'auth', requestId: origin.requestId };
  }

  /** A failed step, whose caller is not established: the security log, with the account aimed at. */
  function unidentified(tx: Tx, origin: RequestOrigin, step: string, reason: string, accountId?: string): Promise<void> {
    return logUnidentifiedIn(tx, deps, {
      channel: origin.channel ?? 'auth',
      requestId: origin.requestId,
      operation: step,
      reason,
      clientAddress: origin.address,
      claims: { account: accountId },
    });
  }

  return {
    limits,
    /** For other use cases that count per address (the support requests). */
    limit,

    /**
     * The secret of the other codes (DMP-02: creation codes) is this one too: kept only as an
     * HMAC bound to what the code is for, compared in constant time (AUTH-06).
     */
    codeHmac: (boundTo: string, code: string) => codeHmac(options.codeSecret, boundTo, code),
    codeMatches: (boundTo: string, code: string, stored: string) => codeMatches(options.codeSecret, boundTo, code, stored),

    limitLike,

    /** Step 1 (AUTH-01/02): login + password; on success a code goes out by the account's channel. */
    async start(input: { login: unknown; password: unknown }, origin: RequestOrigin): Promise<ChallengeSent> {
      if (typeof input.login !== 'string' || typeof input.password !== 'string' || !input.login.trim() || input.login.length > 200 || input.password.length > 1024) {
        throw new CarnetError('invalid_metadata', 'login and password are required strings', { reason: 'invalid_request' });
      }
      const login = normaliseLogin(input.login);
      const password = input.password;
      await limitLike('login', origin.address, login);

      type Outcome = { ok: true; sent: ChallengeSent } | { ok: false; error: CarnetError };
      const outcome = await deps.db.transaction(async (tx): Promise<Outcome> => {
        const now = deps.clock.now();
        const ref = await findLogin(tx, login);
        const row = ref ? await getAccount(tx, ref.patient_key, ref.account_id, true) : null;
        if (!row || row.disabled_at) {
          await verifyPassword(password, await dummyPassword());
          await unidentified(tx, origin, 'auth.login.password', 'invalid_credentials');
          return { ok: false, error: invalidCredentials() };
        }
        const caller = callerFor(accountActor(row), origin);
        const trace = { target: { kind: 'account', id: row.account_id }, details: { remote: origin.address } };
        const lock = { failedAttempts: row.failed_attempts, lockedUntil: row.locked_until };
        const good = await verifyPassword(password, row.password_hash);
        if (isLocked(lock, now)) {
          // AUTH-02: during the lock even the right password is refused, with the same answer.
          await unidentified(tx, origin, 'auth.login.password', 'account_locked', row.account_id);
          return { ok: false, error: invalidCredentials() };
        }
        if (!good) {
          const next = afterFailure(lock, now);
          await updateAccount(tx, row.patient_key, row.account_id, { failed_attempts: next.failedAttempts, locked_until: next.lockedUntil });
          // the failure that starts a lock says so (AUTH-02)
          await unidentified(tx, origin, 'auth.login.password', next.lockedNow ? 'invalid_credentials_locked' : 'invalid_credentials', row.account_id);
          return { ok: false, error: invalidCredentials() };
        }
        const target = contactOf(row.code_channel, row.email, row.phone);
        if (!target) {
          await unidentified(tx, origin, 'auth.login.password', 'no_contact', row.account_id);
          return { ok: false, error: new CarnetError('business_rule', 'this account has no e-mail address or phone for codes; contact the support service', { reason: 'no_contact' }) };
        }
        await updateAccount(tx, row.patient_key, row.account_id, { failed_attempts: CLEARED.failedAttempts, locked_until: CLEARED.lockedUntil });
        const challengeId = randomUUID();
        const code = newCode();
        await insertChallenge(tx, {
          patientKey: row.patient_key,
          challengeId,
          accountId: row.account_id,
          codeHmac: codeHmac(options.codeSecret, challengeId, code),
          purpose: row.password_temporary ? 'login_temporary' : 'login',
          expiresAt: new Date(now.getTime() + CODE_TTL_MS),
          now,
        });
        const text = loginCodeText(code, CODE_TTL_MS / 60_000, target.channel);
        await outbox.enqueue(tx, {
          patientKey: row.patient_key,
          channel: target.channel,
          recipient: target.recipient,
          subject: target.channel === 'email' ? text.subject : null,
          body: text.body,
          kind: 'login_code',
        });
        // The holder's history no longer holds the failed attempts (security log): this row says
        // how many wrong passwords came since the last login or lock, and the last lock, if any.
        const before = { ...(row.failed_attempts > 0 ? { failedAttemptsBefore: row.failed_attempts } : {}), ...(row.locked_until ? { lockedUntil: row.locked_until.toISOString() } : {}) };
        await traceCall(tx, deps, caller, row.patient_key, 'auth.login.password', 'success', {
          ...trace,
          details: { ...trace.details, codeChannel: target.channel, temporaryPassword: row.password_temporary, ...before },
        });
        return {
          ok: true,
          sent: { challengeId, channel: target.channel, sentTo: maskContact(target.channel, target.recipient), expiresIn: CODE_TTL_MS / 1000 },
        };
      });
      if (!outcome.ok) throw outcome.error;
      outbox.kick();
      return outcome.sent;
    },

    /** Step 2 (AUTH-01): the code; opens a session, a restricted one after a temporary password. */
    async verify(input: { challengeId: unknown; code: unknown }, origin: RequestOrigin): Promise<Session> {
      if (typeof input.challengeId !== 'string' || typeof input.code !== 'string' || input.code.length > 20) {
        throw new CarnetError('invalid_metadata', 'challengeId and code are required strings', { reason: 'invalid_request' });
      }
      await limit(`verify:address:${origin.address}`, limits.verifyPerAddress);
      const challengeId = input.challengeId.toLowerCase();
      const code = input.code.trim();
      const invalidCode = () => new CarnetError('unauthenticated', INVALID_CODE_MESSAGE, { reason: 'invalid_code' });

      type Outcome = { ok: true; session: Session } | { ok: false; error: CarnetError };
      const outcome = await deps.db.transaction(async (tx): Promise<Outcome> => {
        const now = deps.clock.now();
        const ch = isUuid(challengeId) ? await getChallengeForUpdate(tx, challengeId) : null;
        const row = ch ? await getAccount(tx, ch.patient_key, ch.account_id, true) : null;
        if (!ch || !row) {
          await unidentified(tx, origin, 'auth.login.code', 'unknown_challenge');
          return { ok: false, error: invalidCode() };
        }
        const trace = { target: { kind: 'account', id: row.account_id }, details: { remote: origin.address } };
        const why =
          ch.used_at !== null ? 'code_used' : ch.expires_at.getTime() <= now.getTime() ? 'code_expired' : ch.attempts >= CODE_MAX_ATTEMPTS ? 'too_many_attempts' : null;
        if (why) {
          await unidentified(tx, origin, 'auth.login.code', why, row.account_id);
          return { ok: false, error: invalidCode() };
        }
        if (!/^\d{6}$/.test(code) || !codeMatches(options.codeSecret, ch.challenge_id, code, ch.code_hmac)) {
          const attempts = ch.attempts + 1;
          // The last allowed wrong code closes the challenge: a new login is needed.
          await updateChallenge(tx, ch.patient_key, ch.challenge_id, { attempts, ...(attempts >= CODE_MAX_ATTEMPTS ? { used_at: now } : {}) });
          await unidentified(tx, origin, 'auth.login.code', 'wrong_code', row.account_id);
          return { ok: false, error: invalidCode() };
        }
        await updateChallenge(tx, ch.patient_key, ch.challenge_id, { used_at: now, attempts: ch.attempts + 1 });
        // A disabled account establishes no one, as at the password step.
        if (row.disabled_at) {
          await unidentified(tx, origin, 'auth.login.code', 'account_inactive', row.account_id);
          return { ok: false, error: invalidCode() };
        }
        const caller = callerFor(accountActor(row), origin);
        // MIN-03: a representative whose access has ended cannot open that record any more; a
        // login that reaches other records (MIN-02) opens the first that still lets its holder in.
        const record = await loadRecord(tx, row.patient_key);
        const actor = accountActor(row) as PatientActor | LegalRepresentativeActor;
        const gate = record ? holderAccess(actor, record.context, now) : { ok: false as const, reason: 'not_authorised' as const };
        const temporary = ch.purpose === 'login_temporary';
        let opened = row;
        if (!gate.ok) {
          await traceCall(tx, deps, caller, row.patient_key, 'auth.login.code', 'denied', { ...trace, reason: gate.reason });
          const next = temporary ? undefined : (await reachableRecords(tx, row.login, now))[0];
          const nextRow = next ? await getAccount(tx, next.patient, next.accountId, true) : null;
          if (!nextRow) return { ok: false, error: new CarnetError('forbidden', `login refused: ${gate.reason.replace(/_/g, ' ')}`, { reason: gate.reason }) };
          opened = nextRow;
        }
        await updateAccount(tx, opened.patient_key, opened.account_id, {
          previous_login_at: opened.last_login_at,
          last_login_at: now,
          // AUTH-03: the temporary password serves one login only: it is spent now.
          ...(temporary ? { password_hash: await hashPassword(randomUUID(), options.scryptLog2N) } : {}),
        });
        await traceCall(tx, deps, callerFor(accountActor(opened), origin), opened.patient_key, 'auth.login', 'success', {
          target: { kind: 'account', id: opened.account_id },
          details: { ...trace.details, temporaryPassword: temporary, ...(opened !== row ? { sameLogin: true } : {}) },
        });
        const claims = sessionClaims(opened);
        if (temporary) claims.pwd_temporary = true;
        // The terms changed since this holder accepted them: asked at this login (after a
        // temporary password is replaced, at the next one).
        const terms = !temporary && options.termsVersion && opened.terms_version !== options.termsVersion ? options.termsVersion : undefined;
        if (terms) claims.terms_pending = terms;
        return {
          ok: true,
          session: {
            claims,
            ttlSeconds: temporary ? TEMPORARY_SESSION_TTL_SECONDS : options.sessionTtlSeconds,
            passwordChangeRequired: temporary,
            ...(terms ? { termsVersion: terms } : {}),
            // MIN-01/02: the other records this login opens (POST /auth/switch), once the
            // session is an ordinary one
            records: temporary ? [{ patient: row.patient_key, accountId: row.account_id, holder: holderOfRow(row) }] : await reachableRecords(tx, row.login, now),
          },
        };
      });
      if (!outcome.ok) throw outcome.error;
      return outcome.session;
    },
  };
}

export type LoginService = ReturnType<typeof loginService>;
