// The outbox service: messages are enqueued inside the transaction that decides them (so a
// rolled-back action sends nothing and a committed one loses nothing), and a sender loop hands
// them to mail / SMS after commit, retrying with a growing delay. A channel without a sender is
// outbox-only: its messages stay in the table (development and tests read them there).
import { randomUUID } from 'node:crypto';
import type { Senders } from '../notify/sender.js';
import type { Tx } from '../store/db.js';
import { findHolderAccount } from '../store/account-repo.js';
import { claimDue, insertOutbox, listOutbox, markFailed, markSent, type OutboxChannel, type OutboxMessage, type OutboxRow } from '../store/outbox-repo.js';
import type { ServiceDeps } from './deps.js';
import type { Notify } from './representatives.js';

/** Message kinds whose body holds a secret: removed once delivered or expired (AUTH-06). */
export const SECRET_KINDS = ['login_code', 'creation_code'];

export interface OutboxOptions {
  senders?: Senders;
  /** messages claimed per round */
  batchSize?: number;
  /** how long a claimed message is held before another round may retry it */
  leaseMs?: number;
  /** attempts before a message is given up */
  maxAttempts?: number;
  /** first retry delay; doubled at each attempt, capped at one hour */
  retryBaseMs?: number;
  /** told when a round asked by kick() fails (the rows stay due for the next round) */
  onRoundError?: (e: unknown) => void;
}

export type NewMessage = Omit<OutboxMessage, 'messageId'>;

export interface SendReport {
  sent: number;
  failed: number;
  abandoned: number;
}

export function outboxService(deps: ServiceDeps, options: OutboxOptions = {}) {
  const senders = options.senders ?? {};
  const batchSize = options.batchSize ?? 50;
  const leaseMs = options.leaseMs ?? 120_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const retryBaseMs = options.retryBaseMs ?? 30_000;
  const channels = (Object.keys(senders) as OutboxChannel[]).filter((c) => senders[c]);

  let running: Promise<SendReport> | null = null;
  let again = false;
  let closed = false;

  async function deliver(row: OutboxRow): Promise<'sent' | 'failed' | 'abandoned'> {
    const sender = senders[row.channel]!;
    try {
      await sender.send({ recipient: row.recipient, subject: row.subject, body: row.body });
    } catch (e) {
      // The error text is the transport's (status, refusal); it never includes the body.
      const why = e instanceof Error ? e.message : String(e);
      const now = deps.clock.now();
      if (row.attempts >= maxAttempts) {
        await markFailed(deps.db, row.message_id, why, null, now);
        return 'abandoned';
      }
      const delay = Math.min(retryBaseMs * 2 ** (row.attempts - 1), 3_600_000);
      await markFailed(deps.db, row.message_id, why, new Date(now.getTime() + delay), now);
      return 'failed';
    }
    await markSent(deps.db, row.message_id, deps.clock.now(), SECRET_KINDS.includes(row.kind));
    return 'sent';
  }

  async function sendDue(): Promise<SendReport> {
    const report: SendReport = { sent: 0, failed: 0, abandoned: 0 };
    for (;;) {
      const batch = await claimDue(deps.db, channels, deps.clock.now(), leaseMs, batchSize);
      for (const row of batch) report[await deliver(row)]++;
      if (batch.length < batchSize) return report;
    }
  }

  const service = {
    /** Writes a message in the caller's transaction; it leaves only if that transaction commits. */
    async enqueue(tx: Tx, message: NewMessage): Promise<string> {
      const messageId = randomUUID();
      await insertOutbox(tx, { ...message, messageId }, deps.clock.now());
      return messageId;
    },

    /** Sends what is due now (one round, until nothing due is left). Never runs twice at once. */
    sendDue(): Promise<SendReport> {
      if (running) {
        again = true;
        return running;
      }
      running = sendDue().finally(() => {
        running = null;
        if (again && !closed) {
          again = false;
          service.kick();
        }
      });
      return running;
    },

    /** Asks for a round soon, after the current request's commit; failures wait for the next round. */
    kick(): void {
      if (closed || !channels.length) return;
      setImmediate(() => {
        service.sendDue().catch((e: unknown) => options.onRoundError?.(e));
      });
    },

    /** The outbox as development tools and tests read it. */
    list: (filter: { recipient?: string; kind?: string; patientKey?: string } = {}) => listOutbox(deps.db, filter),

    /**
     * MIN-03 notice (and any message to a representative): to the representative's own account
     * contact when there is one (AUTH-05 may have changed it), else to the address or phone the
     * record holds.
     */
    notifyRepresentative: (async (tx, m) => {
      const account = await findHolderAccount(tx, m.patientKey, { role: 'legal_representative', representativeId: m.to.representative_id });
      const target = contactOf(account?.code_channel, account?.email ?? m.to.email, account?.phone ?? m.to.phone);
      if (!target) return;
      await service.enqueue(tx, {
        patientKey: m.patientKey,
        channel: target.channel,
        recipient: target.recipient,
        subject: target.channel === 'email' ? m.subject : null,
        body: m.body,
        kind: m.kind,
      });
    }) as Notify,

    /** Stops kicking new rounds and waits for the current one; closes the transports. */
    async close(): Promise<void> {
      closed = true;
      await running?.catch(() => {});
      for (const s of Object.values(senders)) s?.close?.();
    },
  };
  return service;
}

/** Where a message goes: the preferred channel if its contact is known, else the other one. */
export function contactOf(
  preferred: 'email' | 'sms' | undefined,
  email: string | null | undefined,
  phone: string | null | undefined,
): { channel: OutboxChannel; recipient: string } | null {
  if (preferred === 'sms' && phone) return { channel: 'sms', recipient: phone };
  if (email) return { channel: 'email', recipient: email };
  if (phone) return { channel: 'sms', recipient: phone };
  return null;
}

export type OutboxService = ReturnType<typeof outboxService>;
