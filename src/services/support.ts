// Lost credentials (AUTH-04): anyone files a request with identity details; a support agent,
// having checked the identity out of band, issues the login and a new temporary password
// (AUTH-03), or rejects the request. Both steps are traced: the request on the server's security
// log (its author is not established, TRACE-05), the handling on the record's chain once the
// record is known.
import { randomUUID } from 'node:crypto';
import { CarnetError } from '../domain/errors.js';
import { supportIdentityMismatch, type ClaimedIdentity } from '../domain/support-identity.js';
import { findHolderAccount } from '../store/account-repo.js';
import { loadRecord, findPatientKey } from '../store/record-repo.js';
import { listRepresentatives } from '../store/representative-repo.js';
import { closeSupportRequest, getSupportRequest, insertSupportRequest, listSupportRequests, SUPPORT_REQUEST_KINDS, type SupportRequestKind, type SupportRequestRow } from '../store/support-repo.js';
import { holderOf, issueCredentialsIn, type AccountOptions, type ContactInput, type IssuedCredentials } from './accounts.js';
import { logUnidentifiedIn } from './access-refusals.js';
import { isUuid, readAndTraceListed, tracedWork } from './auth-trace.js';
import { normaliseEmail, normalisePhone } from './contact.js';
import type { Caller, ServiceDeps } from './deps.js';
import type { LoginService, RequestOrigin } from './login.js';
import { identifierOf, text } from './request-fields.js';
import { credentialsResetText } from './messages.js';
import { contactOf, type OutboxService } from './outbox.js';

export interface SupportRequestInput {
  family?: unknown;
  given?: unknown;
  /** YYYY-MM-DD */
  birthDate?: unknown;
  /** the INS or another identifier of the record */
  identifier?: unknown;
  /** an e-mail address or phone where support can answer */
  email?: unknown;
  phone?: unknown;
  /** the login, if the requester remembers it */
  loginHint?: unknown;
  /** who asks: the patient or a legal representative */
  role?: unknown;
  message?: unknown;
  /** credentials (default) | account | intervention */
  kind?: unknown;
}

function kindOf(v: unknown, field: string): SupportRequestKind | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (!(SUPPORT_REQUEST_KINDS as readonly unknown[]).includes(v)) {
    throw new CarnetError('invalid_metadata', `${field} is one of ${SUPPORT_REQUEST_KINDS.join(', ')}`, { location: field, reason: 'invalid_request' });
  }
  return v as SupportRequestKind;
}

export interface HandleInput extends ContactInput {
  decision: 'issue' | 'reject';
  /** the record, if the request did not identify it */
  patientKey?: string;
  role?: 'patient' | 'legal_representative';
  representativeId?: string;
}

export function supportService(deps: ServiceDeps, options: AccountOptions, outbox: OutboxService, login: LoginService) {
  function agentOnly(caller: Caller): void {
    if (caller.actor.kind !== 'support') {
      throw new CarnetError('forbidden', 'only the support service handles these requests', { reason: 'unsupported_actor' });
    }
  }

  return {
    /**
     * Files a request. The answer is the same whether or not the details match a record, so the
     * form tells nothing about who has a DMP.
     */
    async request(input: SupportRequestInput, origin: RequestOrigin): Promise<{ requestId: string; status: 'open' }> {
      const details = {
        family: text(input.family, 'family', 100, true),
        given: text(input.given, 'given', 100),
        birthDate: text(input.birthDate, 'birthDate', 10),
        email: input.email ? normaliseEmail(input.email, 'email') : undefined,
        phone: input.phone ? normalisePhone(input.phone, 'phone') : undefined,
        role: input.role === 'legal_representative' ? 'legal_representative' : 'patient',
        message: text(input.message, 'message', 2000),
      };
      if (details.birthDate && !/^\d{4}-\d{2}-\d{2}$/.test(details.birthDate)) {
        throw new CarnetError('invalid_metadata', 'birthDate: expected YYYY-MM-DD', { location: 'birthDate', reason: 'invalid_request' });
      }
      if (!details.email && !details.phone) {
        throw new CarnetError('invalid_metadata', 'an e-mail address or a phone number is needed to answer the request', { reason: 'invalid_request' });
      }
      const identifier = identifierOf(input.identifier);
      const kind = kindOf(input.kind, 'kind') ?? 'credentials';
      const loginHint = text(input.loginHint, 'loginHint', 200)?.toLowerCase();
      await login.limit(`support:address:${origin.address}`, login.limits.supportPerAddress);
      const patientKey = identifier ? await findPatientKey(deps.db, identifier) : null;
      const requestId = randomUUID();
      const channel = origin.channel ?? 'auth';
      // TRACE-05: whoever files it is not established (anyone may type a patient's details), so
      // the request is traced on the server's security log, in its own transaction, never on the
      // record's chain; its handling, by an agent, is (handle below).
      await deps.db.transaction(async (tx) => {
        await logUnidentifiedIn(tx, deps, {
          channel,
          requestId: origin.requestId,
          operation: 'auth.support.request',
          reason: 'support_request_filed',
          clientAddress: origin.address,
          claims: { supportRequest: requestId },
        });
        await insertSupportRequest(tx, {
          requestId,
          patientKey,
          loginHint: loginHint ?? null,
          channel,
          details: { ...details, ...(identifier ? { identifier } : {}) },
          kind,
          now: deps.clock.now(),
        });
      });
      return { requestId, status: 'open' };
    },

    /** The agents' work list: credentials, account and intervention requests (AUTH-04), or one kind. */
    async list(caller: Caller, status: SupportRequestRow['status'] = 'open', max = 100, kind?: unknown): Promise<SupportRequestRow[]> {
      agentOnly(caller);
      const only = kindOf(kind, 'kind');
      const details = { status, ...(only ? { kind: only } : {}) };
      // TRACE-01: the agent learns which requests name a record, and the requesters' details:
      // each record named is traced on its chain, the listing itself on the security log.
      return readAndTraceListed(deps, caller, 'auth.support.list', (tx) => listSupportRequests(tx, status, Math.min(Math.max(1, max), 500), only), (r) => r.patient_key, details, { listing: true });
    },

    /** Issues the login and a new temporary password (AUTH-03/04), or rejects the request. */
    async handle(caller: Caller, requestId: string, input: HandleInput): Promise<IssuedCredentials | { status: 'rejected' }> {
      if (!isUuid(requestId)) throw new CarnetError('not_found', 'no such support request');
      const request = await getSupportRequest(deps.db, requestId);
      if (input.patientKey !== undefined && !isUuid(input.patientKey)) throw new CarnetError('invalid_metadata', 'patientKey must be a UUID', { location: 'patientKey' });
      const patientKey = input.patientKey ?? request?.patient_key ?? null;
      const result = await tracedWork(deps, caller, { patientKey, action: 'auth.support.handle', trace: { target: { kind: 'support_request', id: requestId }, details: { decision: input.decision } } }, async (tx, trace) => {
        agentOnly(caller);
        const row = await getSupportRequest(tx, requestId, true);
        if (!row) throw new CarnetError('not_found', 'no such support request');
        if (row.status !== 'open') throw new CarnetError('conflict', `the request is already ${row.status}`, { reason: 'request_closed' });
        const now = deps.clock.now();
        const agent = caller.actor.kind === 'support' ? caller.actor.agentId : 'unknown';
        if (input.decision === 'reject') {
          await closeSupportRequest(tx, requestId, { status: 'rejected', patientKey, handledBy: agent, now });
          return { status: 'rejected' as const };
        }
        if (input.decision !== 'issue') throw new CarnetError('invalid_metadata', 'decision must be issue or reject', { location: 'decision', reason: 'invalid_request' });
        if (!patientKey) throw new CarnetError('business_rule', 'the request names no known record: give the patientKey', { reason: 'record_required' });
        const record = await loadRecord(tx, patientKey, true);
        if (!record) throw new CarnetError('unknown_patient', 'no DMP for this patient');
        const holder = holderOf({ role: input.role ?? 'patient', representativeId: input.representativeId });
        // The identity typed must be the future holder's: a representative is compared with the
        // names the record keeps for them (no birth date is kept), the patient with the record's.
        // An identifier that found no record (a typo) is not held against the request; one that
        // found a record other than the agent's is.
        const typed = row.details as ClaimedIdentity;
        const claimed = { ...typed, identifier: row.patient_key ? typed.identifier : undefined };
        const rep = holder.role === 'legal_representative'
          ? (await listRepresentatives(tx, patientKey)).find((r) => r.representative_id === holder.representativeId)
          : undefined;
        // a representative the record does not keep has no identity to compare: none to issue for
        if (holder.role === 'legal_representative' && !rep) throw new CarnetError('not_found', 'no such legal representative on this record');
        const known = holder.role === 'patient'
          ? { family: record.row.family, given: record.row.given, birthDate: record.context.birthDate, identifiers: record.identifiers }
          : { family: rep?.family, given: rep?.given, identifiers: record.identifiers };
        const mismatch = supportIdentityMismatch(claimed, known);
        if (mismatch) {
          trace({ details: { mismatch } });
          throw new CarnetError('business_rule', `the request's identity does not match the record's (${mismatch.replace('_', ' ')}): check it with the requester`, { reason: 'identity_mismatch' });
        }
        const before = await findHolderAccount(tx, patientKey, holder);
        // The request's own contact serves a new account; an existing one keeps its own unless told.
        const requested = row.details as { email?: string; phone?: string };
        const contact: ContactInput = before
          ? { email: input.email, phone: input.phone, codeChannel: input.codeChannel }
          : { email: input.email ?? requested.email, phone: input.phone ?? requested.phone, codeChannel: input.codeChannel };
        const issued = await issueCredentialsIn(tx, deps, options, record, holder, contact, rep);
        await closeSupportRequest(tx, requestId, { status: 'handled', patientKey, handledBy: agent, now });
        if (before) {
          // Whoever holds the account learns that its credentials were reset.
          const to = contactOf(before.code_channel, before.email, before.phone);
          const t = credentialsResetText();
          if (to) await outbox.enqueue(tx, { patientKey, channel: to.channel, recipient: to.recipient, subject: to.channel === 'email' ? t.subject : null, body: t.body, kind: 'credentials_reset' });
        }
        trace({ details: { account: issued.accountId, accountCreated: issued.created, role: holder.role } });
        return issued;
      });
      outbox.kick();
      return result;
    },
  };
}

export type SupportService = ReturnType<typeof supportService>;
