// An XDS answer's text as the bytes sent. Given a string, Fastify measures its UTF-8 length (a
// pass over the whole text, a long concatenation flattened into one more copy on the way) and
// Node encodes it again inside the socket's write, into a buffer of three bytes per character it
// allocates for the purpose: an ObjectRef answer of 1,000 ids is 68 KB. Nearly every answer is
// ASCII (ids, codes, the envelope): its bytes are then its characters, copied once. Any other
// answer is encoded as UTF-8, as before. The bytes on the wire are the same either way.

/** The UTF-8 bytes of `text`. */
export function answerBytes(text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  // as many bytes as characters: every character is ASCII, where Latin-1 and UTF-8 agree
  if (length !== text.length) return Buffer.from(text, 'utf8');
  const bytes = Buffer.allocUnsafe(length);
  bytes.write(text, 0, length, 'latin1');
  return bytes;
}
