// A document's content read in slices (`substring` of the bytea), so that a large document never
// sits whole in the server's memory on its way out (ITI-43, ITI-68). The first slice and the size
// are read in the access's own transaction, with its decision and its trace: an absent content is
// refused before anything is sent. The other slices are read after that transaction committed:
// content is immutable and named by its SHA-256 within its record, so they are the same bytes.
// The column is stored uncompressed (migration 0077) so that a slice costs its own length, not
// the decompression of everything before it; rows written earlier stay as they were stored.
// A slice travels from PostgreSQL as hex text (twice its length, then decoded): `pg`'s binary
// result format is no way around it, as pg 8 reads every field of a binary row as UTF-8 text
// before making it a Buffer again, which mangles bytes; the slice bounds what the hex costs.
import type { Queryable } from './db.js';

/** Bytes per slice: a round trip per half megabyte, and at most that much held per answer. */
export const CONTENT_SLICE_BYTES = 512 * 1024;

export interface ContentHead {
  size: number;
  /** whether the content is UTF-8, as decided at deposit; null for a row stored before that was kept (migration 0065) */
  utf8: boolean | null;
  /** the first slice (the whole content when it is no longer than a slice) */
  first: Buffer;
}

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** The content's size and first slice, or null when the record holds no such content. */
export async function getContentHead(q: Queryable, patientKey: string, sha256: string, sliceBytes = CONTENT_SLICE_BYTES): Promise<ContentHead | null> {
  const r = await q.query<{ size: number; is_utf8: boolean | null; head: Uint8Array }>(
    'SELECT size, is_utf8, substring(bytes FROM 1 FOR $3) AS head FROM document_content WHERE patient_key = $1 AND sha256 = $2',
    [patientKey, sha256, sliceBytes],
  );
  const row = r.rows[0];
  return row ? { size: Number(row.size), utf8: row.is_utf8, first: asBuffer(row.head) } : null;
}

/**
 * Stores whether a content stored before that was kept (migration 0065) is UTF-8, once a read
 * decided it from its bytes: the content never changes, so neither does the fact, and a row that
 * already has one keeps it.
 */
export async function recordContentUtf8(q: Queryable, patientKey: string, sha256: string, utf8: boolean): Promise<void> {
  await q.query('UPDATE document_content SET is_utf8 = $3 WHERE patient_key = $1 AND sha256 = $2 AND is_utf8 IS NULL', [patientKey, sha256, utf8]);
}

/** `length` bytes of the content from `offset` (0-based); anything else than those bytes is an error. */
export async function getContentSlice(q: Queryable, patientKey: string, sha256: string, offset: number, length: number): Promise<Buffer> {
  const r = await q.query<{ slice: Uint8Array }>(
    'SELECT substring(bytes FROM $3 FOR $4) AS slice FROM document_content WHERE patient_key = $1 AND sha256 = $2',
    [patientKey, sha256, offset + 1, length],
  );
  const slice = r.rows[0]?.slice;
  if (!slice || slice.byteLength !== length) {
    throw new Error(`the content ${sha256} gave ${slice ? `${slice.byteLength} bytes` : 'no row'} for the ${length} bytes at ${offset}`);
  }
  return asBuffer(slice);
}

/** A part of a content: `length` bytes from `offset` (0-based). */
export interface ContentPart {
  offset: number;
  length: number;
}

/**
 * The content's bytes in order, or those of `part` only (a byte range of ITI-68): what the head's
 * first slice holds of them, then each next slice read when asked for, never a byte outside them.
 */
export async function* contentSlices(
  q: Queryable,
  patientKey: string,
  sha256: string,
  head: ContentHead,
  part: ContentPart = { offset: 0, length: head.size },
  sliceBytes = CONTENT_SLICE_BYTES,
): AsyncGenerator<Buffer> {
  const end = Math.min(part.offset + part.length, head.size);
  if (part.offset < 0 || part.length < 0) throw new Error(`no part of a content starts at ${part.offset} with ${part.length} bytes`);
  const fromHead = head.first.subarray(part.offset, end);
  if (fromHead.byteLength) yield fromHead;
  for (let offset = Math.max(part.offset, head.first.byteLength); offset < end; offset += sliceBytes) {
    yield await getContentSlice(q, patientKey, sha256, offset, Math.min(sliceBytes, end - offset));
  }
}
