// DOC-03 / DOC-04: the checks of a document's bytes against its metadata. Pure computation over
// bytes (node:crypto hashing, like trace-chain.ts); the store decides what to do with the answer.
import { createHash } from 'node:crypto';

/** XDS `hash`: SHA-1 of the content, lower-case hex. */
export function sha1Hex(content: Uint8Array): string {
  return createHash('sha1').update(content).digest('hex');
}

export type ContentMismatch = 'hash' | 'size';

/** DOC-03: hash and size, when the sender gave them, must match the bytes. */
export function contentMismatches(meta: { hash?: string; size?: number }, content: Uint8Array): ContentMismatch[] {
  const out: ContentMismatch[] = [];
  if (meta.hash !== undefined && meta.hash.toLowerCase() !== sha1Hex(content)) out.push('hash');
  if (meta.size !== undefined && meta.size !== content.byteLength) out.push('size');
  return out;
}

/**
 * DOC-04: a uniqueId already stored. Same content: the re-send is idempotent; different content:
 * refused (XDSNonIdenticalHash), since a uniqueId names one content forever.
 */
export function resubmissionOutcome(storedHash: string | null, incomingHash: string): 'new' | 'identical' | 'conflict' {
  if (storedHash === null) return 'new';
  return storedHash.toLowerCase() === incomingHash.toLowerCase() ? 'identical' : 'conflict';
}
