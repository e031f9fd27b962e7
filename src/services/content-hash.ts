// Digests of a document's bytes: SHA-1 for XDS `hash`, SHA-256 as the content store's key.
import { createHash } from 'node:crypto';

export interface ContentDigest {
  sha1: string;
  sha256: string;
  size: number;
}

export function digest(bytes: Uint8Array): ContentDigest {
  return {
    sha1: createHash('sha1').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.byteLength,
  };
}
