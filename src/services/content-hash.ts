// What is decided once of a document's bytes when it is deposited: SHA-1 for XDS `hash`, SHA-256
// as the content store's key (and ITI-68's entity tag), and whether they are UTF-8 (the charset
// ITI-68 names for text without one), kept with the content so that no read decides them again.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';

export interface ContentDigest {
  sha1: string;
  sha256: string;
  size: number;
  utf8: boolean;
}

export function digest(bytes: Uint8Array): ContentDigest {
  return {
    sha1: createHash('sha1').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.byteLength,
    utf8: isUtf8(bytes),
  };
}
