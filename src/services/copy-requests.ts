// PAT-07: a formal request for a copy of the record. It is stored, traced on the record's chain,
// and announced to the support service through the outbox in the same transaction (nothing is
// announced that was not stored). Without a support address it waits in the table, where the
// support service lists it.
import { randomUUID } from 'node:crypto';
import { actorId } from '../domain/actor.js';
import { CarnetError } from '../domain/errors.js';
import {
  COPY_REQUEST_STATUSES,
  getCopyRequest,
  insertCopyRequest,
  listCopyRequests,
  listCopyRequestsByStatus,
  updateCopyRequest,
  type CopyRequestRow,
  type CopyRequestStatus,
} from '../store/copy-request-repo.js';
import { isUuid, readAndTraceListed, tracedWork } from './auth-trace.js';
import { normaliseEmail } from './contact.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';
import { copyRequestText } from './messages.js';
import type { OutboxService } from './outbox.js';

export const COPY_PARTS = ['documents', 'history', 'authorisations'] as const;
export type CopyPart = (typeof COPY_PARTS)[number];

export interface CopyRequestInput {
  reason: string;
  delivery: 'postal' | 'email';
  /** a postal address (postal) or an e-mail address (email; default: none, the support asks) */
  address?: string;
  /** default: the whole record */
  parts?: CopyPart[];
}

export interface CopyRequestOptions {
  outbox: Pick<OutboxService, 'enqueue' | 'kick'>;
  /** where the support service reads its mail; absent: requests wait in the table */
  supportEmail?: string;
}

function check(input: CopyRequestInput): Required<Omit<CopyRequestInput, 'address'>> & { address: string | null } {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason || reason.length > 2000) throw new CarnetError('invalid_metadata', 'reason: a text of 1 to 2000 characters', { location: 'reason' });
  if (input.delivery !== 'postal' && input.delivery !== 'email') {
    throw new CarnetError('invalid_metadata', 'delivery is postal or email', { location: 'delivery' });
  }
  let address: string | null = null;
  if (input.address !== undefined && input.address !== null) {
    if (typeof input.address !== 'string' || !input.address.trim() || input.address.length > 500) {
      throw new CarnetError('invalid_metadata', 'address: a text of at most 500 characters', { location: 'address' });
    }
    address = input.delivery === 'email' ? normaliseEmail(input.address, 'address') : input.address.trim();
  }
  if (input.delivery === 'postal' && !address) throw new CarnetError('invalid_metadata', 'a postal delivery needs an address', { location: 'address' });
  const parts = input.parts ?? [...COPY_PARTS];
  if (!parts.length || !parts.every((p) => (COPY_PARTS as readonly string[]).includes(p))) {
    throw new CarnetError('invalid_metadata', `parts are among ${COPY_PARTS.join(', ')}`, { location: 'parts' });
  }
  return { reason, delivery: input.delivery, address, parts: [...new Set(parts)] };
}

function supportOnly(caller: Caller): void {
  if (caller.actor.kind !== 'support') throw new CarnetError('forbidden', 'only the support service handles these requests', { reason: 'unsupported_actor' });
}

export function copyRequestService(deps: ServiceDeps, options: CopyRequestOptions) {
  return {
    async request(caller: Caller, patientKey: string, input: CopyRequestInput): Promise<{ requestId: string; createdAt: string; notified: boolean }> {
      const r = check(input);
      const requestId = randomUUID();
      const out = await guarded(deps, caller, {
        patientKey,
        action: 'record.copy_request',
        lock: true,
        trace: { target: { kind: 'copy_request', id: requestId }, details: { delivery: r.delivery, parts: r.parts } },
        act: async ({ tx }) => {
          const now = deps.clock.now();
          await insertCopyRequest(tx, patientKey, { requestId, requestedBy: `${caller.actor.kind}:${actorId(caller.actor)}`, ...r, now });
          if (options.supportEmail) {
            const text = copyRequestText(requestId, patientKey, r.delivery, r.parts);
            await options.outbox.enqueue(tx, { patientKey, channel: 'email', recipient: options.supportEmail, subject: text.subject, body: text.body, kind: 'copy_request' });
          }
          return { requestId, createdAt: now.toISOString(), notified: !!options.supportEmail };
        },
      });
      options.outbox.kick();
      return out;
    },

    /** The record's requests and where each stands, for the patient side (a closed record's too). */
    list(caller: Caller, patientKey: string): Promise<CopyRequestRow[]> {
      return guarded(deps, caller, { patientKey, action: 'record.copy_request', trace: { action: 'record.copy_request.read' }, act: ({ tx }) => listCopyRequests(tx, patientKey) });
    },

    /** The support desk's work list (PAT-07): every record's requests in one state, oldest first. */
    async listForSupport(caller: Caller, status: string = 'open', max = 100): Promise<Array<CopyRequestRow & { patient_key: string }>> {
      supportOnly(caller);
      if (!(COPY_REQUEST_STATUSES as readonly string[]).includes(status)) {
        throw new CarnetError('invalid_metadata', `status is one of ${COPY_REQUEST_STATUSES.join(', ')}`, { location: 'status', reason: 'invalid_request' });
      }
      // TRACE-01: the list shows each record's request (address, reason): traced on its chain.
      return readAndTraceListed(deps, caller, 'record.copy_request.read', (tx) => listCopyRequestsByStatus(tx, status as CopyRequestStatus, Math.min(Math.max(1, max), 500)), (r) => r.patient_key, { status });
    },

    /**
     * PAT-07: the support desk takes a request in hand (`in_progress`), then closes it (`handled`:
     * the copy was sent; `rejected`, saying why in the note); each step is recorded with the agent
     * and traced on the record's chain. A closed request does not reopen.
     */
    async handle(caller: Caller, patientKey: string, requestId: string, input: { status: unknown; note?: unknown }): Promise<CopyRequestRow> {
      if (!isUuid(patientKey) || !isUuid(requestId)) throw new CarnetError('not_found', 'no such copy request');
      const status = input.status;
      if (status !== 'in_progress' && status !== 'handled' && status !== 'rejected') {
        throw new CarnetError('invalid_metadata', 'status is in_progress, handled or rejected', { location: 'status', reason: 'invalid_request' });
      }
      const note = input.note === undefined || input.note === null ? null : typeof input.note === 'string' && input.note.length <= 2000 ? input.note.trim() : undefined;
      if (note === undefined) throw new CarnetError('invalid_metadata', 'note: a text of at most 2000 characters', { location: 'note', reason: 'invalid_request' });
      return tracedWork(deps, caller, { patientKey, action: 'record.copy_request.handle', trace: { target: { kind: 'copy_request', id: requestId }, details: { status } } }, async (tx) => {
        supportOnly(caller);
        const row = await getCopyRequest(tx, patientKey, requestId);
        if (!row) throw new CarnetError('not_found', 'no such copy request');
        if (row.status === 'handled' || row.status === 'rejected') throw new CarnetError('conflict', `the request is already ${row.status}`, { reason: 'request_closed' });
        await updateCopyRequest(tx, patientKey, requestId, { status, handledBy: actorId(caller.actor), note, now: deps.clock.now() });
        return (await getCopyRequest(tx, patientKey, requestId))!;
      });
    },
  };
}

export type CopyRequestService = ReturnType<typeof copyRequestService>;
