// PAT-03: an e-mail to the record's alert address when documents are added. Enqueued in the
// submission's transaction (nothing is announced that was not stored), and only for documents
// every holder of the patient side may see, while the holder who chose the address still holds
// the record (domain/announcements.ts): a document hidden from the patient (MASK-02) or from a
// legal representative (MASK-03, MASK-04) is neither announced nor counted, and a representative's
// address is told of nothing once their access has ended (MIN-03).
import { announceable } from '../domain/announcements.js';
import type { DocumentFacts } from '../domain/record.js';
import type { Tx } from '../store/db.js';
import { insertOutbox } from '../store/outbox-repo.js';
import type { LoadedRecord } from '../store/record-repo.js';
import { randomUUID } from 'node:crypto';
import type { ServiceDeps } from './deps.js';
import { documentAlertText } from './messages.js';

export async function alertNewDocuments(tx: Tx, deps: ServiceDeps, record: LoadedRecord, added: DocumentFacts[]): Promise<void> {
  const to = record.row.alert_email;
  if (!to || !added.length) return;
  const now = deps.clock.now();
  const visible = added.filter((facts) => announceable(deps.policy, record.context, facts, now, record.row.alert_set_by)).length;
  if (!visible) return;
  const text = documentAlertText(visible);
  await insertOutbox(
    tx,
    { messageId: randomUUID(), patientKey: record.context.patientKey, channel: 'email', recipient: to, subject: text.subject, body: text.body, kind: 'document_alert' },
    now,
  );
}
