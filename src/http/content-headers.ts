// How a response carrying document bytes is served — ITI-68 (`GET /fhir/Binary/{id}`), ITI-43
// (the MTOM answer) and the record download — decided here and nowhere else. A document is
// whatever its depositor sent: an HTML page or an SVG with a script is as easy to deposit as a
// PDF. Served from the origin that also serves the patient's pages, it must never run there. So
// every such response:
//   - forbids sniffing (`X-Content-Type-Options: nosniff`) and runs in a sandbox with nothing
//     allowed (`Content-Security-Policy: sandbox; default-src 'none'`);
//   - is an attachment, under a safe file name, unless its type is on a short list of passive
//     types a browser only displays (PDF, plain text, PNG, JPEG, GIF);
//   - names a charset when it is text, so that no browser guesses one.
import { isUtf8 } from 'node:buffer';
import { extensionOf, parseMediaType } from '../domain/media-types.js';

export const CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'";

/** Types a browser displays without running anything; every other type is downloaded. */
export const PASSIVE_TYPES: ReadonlySet<string> = new Set(['application/pdf', 'text/plain', 'image/png', 'image/jpeg', 'image/gif']);

/** Headers of every response that carries document bytes, in whatever form. */
export const CONTENT_SAFETY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'content-security-policy': CONTENT_SECURITY_POLICY,
});

export interface DocumentResponse {
  /** the document's media type as stored (an unreadable one is served as application/octet-stream) */
  mimeType: string;
  /** the file name without extension (e.g. the document id); reduced to safe characters */
  baseName: string;
  /** the bytes, when at hand: a text type without charset gets UTF-8 if they are UTF-8 */
  content?: Uint8Array;
  /** whether the bytes are UTF-8, for bytes not at hand (streamed): the fact stored with the content */
  utf8?: boolean;
}

/** Whether the headers of a document of this type depend on its bytes (text without a charset). */
export function charsetFollowsBytes(mimeType: string): boolean {
  const parsed = parseMediaType(mimeType);
  return parsed?.type === 'text' && !parsed.params.has('charset');
}

/** Letters, digits, dot, dash and underscore only, never empty, at most 100 characters. */
export function safeFileName(baseName: string, extension: string): string {
  const base = baseName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 90) || 'document';
  return `${base}.${extension.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'bin'}`;
}

/**
 * The headers of a response whose body is one document (or, for ITI-43 and the download, a
 * package of documents). `content-type` is the stored type when it reads as a media type, with
 * a charset added to text without one: the document's own when it is valid UTF-8, else
 * ISO-8859-1, which reads any byte and never runs anything.
 */
export function documentResponseHeaders(d: DocumentResponse): Record<string, string> {
  const parsed = parseMediaType(d.mimeType);
  let contentType = parsed ? d.mimeType.trim() : 'application/octet-stream';
  if (parsed?.type === 'text' && !parsed.params.has('charset')) {
    const utf8 = d.content !== undefined ? isUtf8(d.content) : (d.utf8 ?? true);
    contentType += `; charset=${utf8 ? 'utf-8' : 'iso-8859-1'}`;
  }
  const essence = parsed?.essence ?? 'application/octet-stream';
  const fileName = safeFileName(d.baseName, extensionOf(essence));
  return {
    'content-type': contentType,
    ...CONTENT_SAFETY_HEADERS,
    'content-disposition': `${PASSIVE_TYPES.has(essence) ? 'inline' : 'attachment'}; filename="${fileName}"`,
  };
}
