// Online self-creation (DMP-02) in production: the patient asks the support service (DMP Info
// Service) for a creation code; an agent, having checked the identity out of band, issues a
// single-use code for that identity (by e-mail, or in a letter the answer holds); the patient then
// presents the card's data and the code, unauthenticated, and gets a DMP and the internet
// account's login and temporary password (AUTH-03: the first login replaces it).
// - The code is kept as an HMAC; it expires; a newer code revokes the older one.
// - Checking it has login's lockout (AUTH-02, src/domain/lockout.ts) and rate limits.
// - The record is created with the identity held with the code (birth date, emancipation),
//   by the same decision and the same transaction as every creation (records.createIn); the
//   code is spent, the account opened and everything traced in that transaction.
import { randomUUID } from 'node:crypto';
import { readableSecret } from '../auth/passwords.js';
import { CarnetError } from '../domain/errors.js';
import type { PatientIdentifier } from '../domain/model.js';
import type { ReasonCode } from '../domain/reasons.js';
import { checkCreationCode, DEFAULT_CREATION_CODE_TTL_DAYS, identityMatches, normaliseCreationCode } from '../domain/self-creation.js';
import { findLiveCreationCode, insertCreationCode, recordCodeFailure, spendCreationCode } from '../store/creation-code-repo.js';
import { findPatientKey } from '../store/record-repo.js';
import { closeSupportRequest, getSupportRequest } from '../store/support-repo.js';
import type { Tx } from '../store/db.js';
import { logUnidentifiedIn } from './access-refusals.js';
import { isUuid, tracedWork } from './auth-trace.js';
import { maskContact, normaliseEmail, normalisePhone } from './contact.js';
import type { Caller, ServiceDeps } from './deps.js';
import { traceCall } from './guard.js';
import type { LoginService, RequestOrigin } from './login.js';
import { creationCodeText, type MessageText } from './messages.js';
import type { OutboxService } from './outbox.js';
import type { RecordService } from './records.js';
import { civilDate, identifierOf, text } from './request-fields.js';

export interface SelfCreationOptions {
  /** how long an issued code is valid */
  codeTtlDays?: number;
}

/** What the support agent gets back: where the code went, or the letter to post. */
export interface IssuedCreationCode {
  codeId: string;
  delivery: 'email' | 'post';
  expiresAt: string;
  /** by e-mail: the address, masked */
  sentTo?: string;
  /** by post: what the letter says (the only place the code appears) */
  letter?: MessageText & { to: { family: string; given: string } };
}

export interface SelfCreated {
  patient: string;
  login: string;
  temporaryPassword: string;
  passwordChangeRequired: true;
}

const ACTION_ISSUE = 'auth.creation_code.issue';
const ACTION_CHECK = 'auth.creation_code.check';

const WRONG_CODE = 'the creation code, or the card data given with it, is wrong; after 3 failed attempts the code is locked for 15 minutes';

/** The sentence of each refusal of an otherwise right code. */
const REFUSED: Partial<Record<ReasonCode, string>> = {
  adults_only:
    'a DMP is created online by adults only (an emancipated minor counts as one when the support service recorded it): ' +
    "a minor's DMP is created with a legal representative, at a pharmacy, by a health professional or by the health insurance",
  legal_representative_required: 'this DMP must be created with the legal representative or the tutor',
};

function emailOrNull(v: unknown, field: string): string | null {
  return v === undefined || v === null || v === '' ? null : normaliseEmail(v, field);
}

function parisDayOf(d: Date): string {
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
}

export function selfCreationService(deps: ServiceDeps, login: LoginService, outbox: OutboxService, records: RecordService, options: SelfCreationOptions = {}) {
  const ttlMs = (options.codeTtlDays ?? DEFAULT_CREATION_CODE_TTL_DAYS) * 24 * 3600_000;

  return {
    codeTtlMs: ttlMs,

    /**
     * The support agent issues a creation code for an identity it checked (the card's data;
     * `emancipated` only on the judgement's evidence). Traced; the code is answered only inside
     * a letter to post, or sent by e-mail and never answered.
     */
    async issue(caller: Caller, input: Record<string, unknown>): Promise<IssuedCreationCode> {
      if (caller.actor.kind !== 'support') {
        throw new CarnetError('forbidden', 'only the support service issues creation codes', { reason: 'unsupported_actor' });
      }
      const identifier = identifierOf(input.identifier, 'identifier', true)!;
      const family = text(input.family, 'family', 100, true)!;
      const given = text(input.given, 'given', 100, true)!;
      const birthDate = civilDate(input.birthDate, 'birthDate', true)!;
      const gender = text(input.gender, 'gender', 20) ?? null;
      if (gender !== null && !['male', 'female', 'other', 'unknown'].includes(gender)) {
        throw new CarnetError('invalid_metadata', 'gender is one of male, female, other, unknown', { location: 'gender', reason: 'invalid_request' });
      }
      if (input.emancipated !== undefined && typeof input.emancipated !== 'boolean') {
        throw new CarnetError('invalid_metadata', 'emancipated: expected true or false', { location: 'emancipated', reason: 'invalid_request' });
      }
      const delivery = input.delivery;
      if (delivery !== 'email' && delivery !== 'post') {
        throw new CarnetError('invalid_metadata', 'delivery is email or post', { location: 'delivery', reason: 'invalid_request' });
      }
      const email = emailOrNull(input.email, 'email');
      if (delivery === 'email' && !email) throw new CarnetError('invalid_metadata', 'email is required for a code sent by e-mail', { location: 'email', reason: 'invalid_request' });
      const requestId = input.requestId === undefined || input.requestId === null ? null : input.requestId;
      if (requestId !== null && !isUuid(requestId)) throw new CarnetError('invalid_metadata', 'requestId must be a UUID', { location: 'requestId', reason: 'invalid_request' });
      await deps.availability?.ensureAvailable('record.create');

      const codeId = randomUUID();
      const code = readableSecret(3);
      const now = deps.clock.now();
      const expiresAt = new Date(now.getTime() + ttlMs);
      const agent = caller.actor.agentId;
      const trace = { target: { kind: 'creation_code', id: codeId }, details: { delivery, emancipated: input.emancipated === true, requestId } };
      // TRACE-01: learning that the INS has a DMP is an existence check on that record; its
      // refusal is traced on the record's chain, where the patient reads it.
      const existing = await findPatientKey(deps.db, identifier);
      await tracedWork(deps, caller, { patientKey: existing, action: ACTION_ISSUE, trace }, async (tx) => {
        if (existing || (await findPatientKey(tx, identifier))) {
          throw new CarnetError('conflict', 'a DMP already exists for this patient: no creation code is needed', { reason: 'record_exists' });
        }
        if (requestId !== null) {
          const request = await getSupportRequest(tx, requestId, true);
          if (!request) throw new CarnetError('not_found', 'no such support request');
          if (request.status !== 'open') throw new CarnetError('conflict', `the request is already ${request.status}`, { reason: 'request_closed' });
          await closeSupportRequest(tx, requestId, { status: 'handled', patientKey: null, handledBy: agent, now });
        }
        await insertCreationCode(tx, {
          codeId,
          identifier,
          family,
          given,
          birthDate,
          gender,
          emancipated: input.emancipated === true,
          delivery,
          email,
          codeHmac: login.codeHmac(codeId, normaliseCreationCode(code)),
          issuedBy: agent,
          supportRequestId: requestId,
          now,
          expiresAt,
        });
        if (delivery === 'email') {
          const t = creationCodeText(code, parisDayOf(expiresAt));
          await outbox.enqueue(tx, { patientKey: null, channel: 'email', recipient: email!, subject: t.subject, body: t.body, kind: 'creation_code' });
        }
      });
      outbox.kick();
      const answer: IssuedCreationCode = { codeId, delivery, expiresAt: expiresAt.toISOString() };
      if (delivery === 'email') answer.sentTo = maskContact('email', email!);
      else answer.letter = { to: { family, given }, ...creationCodeText(code, parisDayOf(expiresAt)) };
      return answer;
    },

    /**
     * The patient, unauthenticated, presents the card's data and the code: a DMP and the
     * account's credentials, once. Every refusal is a sentence, and traced.
     */
    async create(input: Record<string, unknown>, origin: RequestOrigin): Promise<SelfCreated> {
      const identifier: PatientIdentifier = identifierOf(input.identifier, 'identifier', true)!;
      const presented = {
        family: text(input.family, 'family', 100, true)!,
        given: text(input.given, 'given', 100, true)!,
        birthDate: civilDate(input.birthDate, 'birthDate', true)!,
      };
      const code = normaliseCreationCode(text(input.code, 'code', 64, true)!);
      const contact = {
        email: emailOrNull(input.email, 'email') ?? undefined,
        phone: input.phone === undefined || input.phone === null || input.phone === '' ? undefined : normalisePhone(input.phone, 'phone'),
      };
      await deps.availability?.ensureAvailable('record.create');
      await login.limitLike('creation', origin.address, `${identifier.system}|${identifier.value}`);

      const channel = origin.channel ?? 'auth';
      // TRACE-05: until the code and the card data are right the caller is no one: a refusal goes
      // to the server's security log, naming the code it aimed at.
      const refused = (tx: Tx, reason: string, codeId?: string) =>
        logUnidentifiedIn(tx, deps, { channel, requestId: origin.requestId, operation: ACTION_CHECK, reason, clientAddress: origin.address, claims: { creationCode: codeId } });
      type Outcome = { ok: true; created: SelfCreated } | { ok: false; error: CarnetError };
      const outcome = await deps.db.transaction(async (tx): Promise<Outcome> => {
        const now = deps.clock.now();
        const row = await findLiveCreationCode(tx, identifier);
        const remote = { remote: origin.address };
        if (!row) {
          await refused(tx, 'invalid_code');
          return { ok: false, error: new CarnetError('unauthenticated', WRONG_CODE, { reason: 'invalid_code' }) };
        }
        const target = { kind: 'creation_code', id: row.code_id };
        const check = checkCreationCode(
          { lock: { failedAttempts: row.failed_attempts, lockedUntil: row.locked_until }, expiresAt: row.expires_at },
          login.codeMatches(row.code_id, code, row.code_hmac),
          identityMatches({ family: row.family, given: row.given, birthDate: row.birth_date }, presented),
          now,
        );
        if (!check.ok) {
          if (check.reason === 'invalid_code') {
            await recordCodeFailure(tx, row.code_id, check.next);
            await refused(tx, check.next.lockedNow ? 'invalid_code_locked' : 'invalid_code', row.code_id);
            return { ok: false, error: new CarnetError('unauthenticated', WRONG_CODE, { reason: 'invalid_code' }) };
          }
          if (check.reason === 'code_locked') {
            const seconds = Math.max(1, Math.ceil((check.until.getTime() - now.getTime()) / 1000));
            await refused(tx, 'code_locked', row.code_id);
            return {
              ok: false,
              error: new CarnetError('rate_limited', `too many wrong attempts: this creation code is locked; retry in ${Math.ceil(seconds / 60)} minutes`, { reason: 'code_locked', retryAfter: seconds }),
            };
          }
          await refused(tx, 'code_expired', row.code_id);
          return {
            ok: false,
            error: new CarnetError('business_rule', 'this creation code has expired: ask the support service (DMP Info Service) for a new one', { reason: 'code_expired' }),
          };
        }
        if (await findPatientKey(tx, identifier)) {
          await refused(tx, 'record_exists', row.code_id);
          return {
            ok: false,
            error: new CarnetError('conflict', 'a DMP already exists for this patient: log in, or ask the support service for your credentials', { reason: 'record_exists' }),
          };
        }
        if (!contact.email && !contact.phone && !row.email) {
          await refused(tx, 'contact_required', row.code_id);
          return {
            ok: false,
            error: new CarnetError('business_rule', 'an e-mail address or a phone number is needed: login codes are sent there (AUTH-01)', { reason: 'contact_required' }),
          };
        }
        const patientKey = randomUUID();
        const patient: Caller = { actor: { kind: 'patient', patientKey }, channel, requestId: origin.requestId };
        const created = await records.createIn(tx, patient, {
          identifiers: [identifier],
          family: row.family,
          given: row.given,
          gender: row.gender ?? undefined,
          birthDate: row.birth_date,
          emancipated: row.emancipated,
          consent: { givenBy: 'patient' },
          accounts: [{ holder: 'patient', email: contact.email ?? (contact.phone ? undefined : row.email!), phone: contact.phone }],
        });
        if (!created.ok) {
          // decide() refused (a minor): its trace is written; the code stays unspent.
          return { ok: false, error: new CarnetError('forbidden', REFUSED[created.denied] ?? `refused: ${created.denied.replace(/_/g, ' ')}`, { reason: created.denied }) };
        }
        await spendCreationCode(tx, row.code_id, patientKey, now);
        await traceCall(tx, deps, patient, patientKey, ACTION_CHECK, 'success', { target, details: remote });
        const account = created.created.credentials[0];
        return { ok: true, created: { patient: patientKey, login: account.login, temporaryPassword: account.temporaryPassword, passwordChangeRequired: true } };
      });
      if (!outcome.ok) throw outcome.error;
      return outcome.created;
    },
  };
}

export type SelfCreationService = ReturnType<typeof selfCreationService>;
