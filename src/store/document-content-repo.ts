// A document's bytes, kept once per record whatever the number of entries that hold them. The
// content has its own table and none of the metadata's rules, hence its own file.
import type { Queryable } from './db.js';
import type { Statement } from './combined-writes.js';

/** A content as it is stored: its bytes and what was decided of them at deposit (content-hash.ts). */
export interface ContentToStore {
  sha256: string;
  sha1: string;
  /** whether the bytes are UTF-8 (migration 0065) */
  utf8: boolean;
  bytes: Uint8Array;
}

/**
 * A document's content, kept once per record whatever the number of entries that hold it. The
 * same bytes again change nothing, except to store whether they are UTF-8 in a row written
 * before that was kept (migration 0065).
 */
export function putContentStatement(patientKey: string, content: ContentToStore, now: Date): Statement {
  return {
    sql: `INSERT INTO document_content (patient_key, sha256, sha1, size, is_utf8, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (patient_key, sha256) DO UPDATE SET is_utf8 = EXCLUDED.is_utf8 WHERE document_content.is_utf8 IS NULL`,
    params: [patientKey, content.sha256, content.sha1, content.bytes.byteLength, content.utf8, content.bytes, now],
  };
}

export async function putContent(q: Queryable, patientKey: string, content: ContentToStore, now: Date): Promise<void> {
  const st = putContentStatement(patientKey, content, now);
  await q.query(st.sql, st.params);
}

export async function getContent(q: Queryable, patientKey: string, sha256: string): Promise<Buffer | null> {
  const r = await q.query<{ bytes: Uint8Array }>('SELECT bytes FROM document_content WHERE patient_key = $1 AND sha256 = $2', [
    patientKey,
    sha256,
  ]);
  const bytes = r.rows[0]?.bytes;
  if (!bytes) return null;
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
