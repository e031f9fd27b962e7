// Request bodies are taken as sent, never decompressed: a body with a Content-Encoding other than
// `identity` is refused (415) before a byte of it is read. Decompressing would let a few kilobytes
// grow into gigabytes (a compression bomb) past every limit counted on the wire; reading the
// compressed bytes as the body would take something else than what the sender, or a proxy or log
// honouring the header, means by it (RFC 9110 §8.4: a server refuses a coding it does not know).

/** A refused coding; its statusCode makes each door answer 415 in its own shape, with this message. */
export class ContentEncodingError extends Error {
  readonly statusCode = 415;
  readonly code = 'CARNET_CONTENT_ENCODING';
}

/** The refusal of a request announcing a body in a content coding, if it does. */
export function refusedContentEncoding(headers: { 'content-encoding'?: string; 'content-length'?: string; 'transfer-encoding'?: string }): ContentEncodingError | undefined {
  const coding = headers['content-encoding'];
  if (coding === undefined) return undefined;
  // a request without a body decodes nothing, whatever it says (a GET some client labels)
  const length = headers['content-length'];
  if (headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0)) return undefined;
  const codings = coding.split(',').map((c) => c.trim().toLowerCase());
  if (codings.every((c) => c === '' || c === 'identity')) return undefined;
  const shown = coding.length > 60 ? `${coding.slice(0, 60)}…` : coding;
  return new ContentEncodingError(`Content-Encoding ${shown} is not accepted: send the body uncompressed (no Content-Encoding, or identity)`);
}
