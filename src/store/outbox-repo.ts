// The outbox: messages (mail, SMS) written in the transaction that decides to send them, and
// sent after commit by the sender loop. A message is claimed with a lease (its next attempt is
// pushed forward) before sending, so a process that dies mid-send leaves it to be retried, and
// two instances never send the same message at the same time.
import type { Queryable } from './db.js';

export type OutboxChannel = 'email' | 'sms';

export interface OutboxMessage {
  messageId: string;
  patientKey: string | null;
  channel: OutboxChannel;
  recipient: string;
  subject: string | null;
  body: string;
  /** what the message is: login_code, majority_notice, document_alert, contact_changed... */
  kind: string;
}

export interface OutboxRow {
  message_id: string;
  patient_key: string | null;
  channel: OutboxChannel;
  recipient: string;
  subject: string | null;
  body: string;
  kind: string;
  created_at: Date;
  next_attempt_at: Date;
  attempts: number;
  sent_at: Date | null;
  last_error: string | null;
  abandoned_at: Date | null;
}

const COLUMNS = `message_id::text, patient_key::text, channel, recipient, subject, body, kind, created_at, next_attempt_at, attempts,
  sent_at, last_error, abandoned_at`;

export async function insertOutbox(q: Queryable, m: OutboxMessage, now: Date): Promise<void> {
  await q.query(
    `INSERT INTO outbox (message_id, patient_key, channel, recipient, subject, body, kind, created_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
    [m.messageId, m.patientKey, m.channel, m.recipient, m.subject, m.body, m.kind, now],
  );
}

/**
 * Claims up to `limit` due messages of the given channels: each gets one more attempt and its
 * next attempt moves to `now + leaseMs`. Rows another transaction holds are skipped.
 */
export async function claimDue(q: Queryable, channels: OutboxChannel[], now: Date, leaseMs: number, limit: number): Promise<OutboxRow[]> {
  if (!channels.length) return [];
  const r = await q.query<OutboxRow>(
    `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3
     WHERE message_id IN (
       SELECT message_id FROM outbox
       WHERE sent_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= $1 AND channel = ANY($2::text[])
       ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [now, channels, new Date(now.getTime() + leaseMs), limit],
  );
  return r.rows;
}

export async function markSent(q: Queryable, messageId: string, now: Date, scrubBody: boolean): Promise<void> {
  await q.query(
    `UPDATE outbox SET sent_at = $2, last_error = NULL${scrubBody ? ", body = '[removed after delivery]'" : ''} WHERE message_id = $1`,
    [messageId, now],
  );
}

export async function markFailed(q: Queryable, messageId: string, error: string, nextAttemptAt: Date | null, now: Date): Promise<void> {
  await q.query(
    nextAttemptAt
      ? 'UPDATE outbox SET last_error = $2, next_attempt_at = $3 WHERE message_id = $1'
      : 'UPDATE outbox SET last_error = $2, abandoned_at = $3 WHERE message_id = $1',
    [messageId, error.slice(0, 500), nextAttemptAt ?? now],
  );
}

/**
 * Messages carrying a secret (login codes) are worth nothing once the code has expired: their
 * body is removed, and an unsent one is given up.
 */
export async function scrubExpiredSecrets(q: Queryable, kinds: string[], createdBefore: Date, now: Date): Promise<number> {
  const r = await q.query(
    `UPDATE outbox SET body = '[removed: expired]', abandoned_at = CASE WHEN sent_at IS NULL THEN COALESCE(abandoned_at, $3) ELSE abandoned_at END
     WHERE kind = ANY($1::text[]) AND created_at < $2 AND body NOT LIKE '[removed%'`,
    [kinds, createdBefore, now],
  );
  return r.rowCount;
}

/** The outbox as tests and development tools read it (outbox-only channels). */
export async function listOutbox(q: Queryable, filter: { recipient?: string; kind?: string; patientKey?: string } = {}): Promise<OutboxRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.recipient) where.push(`recipient = $${params.push(filter.recipient)}`);
  if (filter.kind) where.push(`kind = $${params.push(filter.kind)}`);
  if (filter.patientKey) where.push(`patient_key = $${params.push(filter.patientKey)}`);
  const r = await q.query<OutboxRow>(
    `SELECT ${COLUMNS} FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, message_id`,
    params,
  );
  return r.rows;
}
