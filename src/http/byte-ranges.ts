// RFC 9110 §14 byte ranges for an answer whose body is one document of a known size (ITI-68):
// which part of it a `Range` header asks for, once `If-Range` allowed the range at all.
//
// One range only. A header that does not parse, that names another unit, or that asks for
// several ranges is ignored and the whole document is answered (200): RFC 9110 §14.2 lets a
// server ignore Range, and serving several ranges would mean a multipart/byteranges body that no
// document consumer here needs.

/** Bytes `start` to `end` of the document, both included (as Content-Range writes them). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * What to answer: `whole` (no usable Range: 200 with every byte), `partial` (206 with the range),
 * or `unsatisfiable` (416: a well-formed single range of which no byte lies in the document).
 */
export type RangeDecision = { kind: 'whole' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

export const WHOLE: RangeDecision = { kind: 'whole' };

// `bytes=a-b`, `bytes=a-` or `bytes=-n`, spaces allowed around the set (RFC 9110 §14.1.1)
const SINGLE_RANGE = /^bytes[ \t]*=[ \t]*(?:(\d+)-(\d*)|-(\d+))[ \t]*$/i;

/** The range a `Range` header asks of a document of `size` bytes. */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return WHOLE;
  const m = SINGLE_RANGE.exec(header);
  // malformed, another unit, or several ranges (a comma): ignored, the whole answer (§14.2)
  if (!m) return WHOLE;
  // Positions past the document are clamped to it (§14.1.2), however many digits they have.
  const [, first, last, suffix] = m;
  if (suffix !== undefined) {
    const length = Number(suffix);
    // a suffix of zero bytes asks for nothing the document has (§14.1.3)
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  // a last position before the first makes the header invalid, to be ignored (§14.1.1)
  if (end < start) return WHOLE;
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } };
}

/**
 * Whether `If-Range` lets the range apply (RFC 9110 §13.1.5): only when it names the answer's
 * current validator, compared strongly. `validator` is the answer's ETag or Last-Modified, when
 * it has one; without one, no If-Range can match, and the whole document is answered.
 */
export function ifRangeAllows(ifRange: string | undefined, validator: { etag?: string; lastModified?: string } = {}): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  // a weak entity tag never matches (§13.1.5)
  if (value.startsWith('W/')) return false;
  if (value.startsWith('"')) return validator.etag !== undefined && !validator.etag.startsWith('W/') && validator.etag === value;
  return validator.lastModified !== undefined && validator.lastModified === value;
}

// The `Content-Range` of a partial answer (`bytes a-b/size`), or of a 416 (`bytes */size`).
export function contentRange(size: number, range?: ByteRange): string {
  return range ? `bytes ${range.start}-${range.end}/${size}` : `bytes */${size}`;
}
