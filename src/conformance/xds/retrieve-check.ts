// ITI-43 answers: the documents returned (MTOM attachment or inline base64) and their check
// against what the run submitted under the same uniqueId: same bytes, same mimeType.
import { normaliseContentId } from '../../xds/mtom.js';
import { NS, attr, descendants, firstChild, textOf } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import type { SentDocument } from './session.js';

export interface RetrievedDoc {
  repositoryUniqueId: string;
  documentUniqueId: string;
  mimeType: string;
  bytes?: Buffer;
}

export function retrievedDocuments(body: Element, attachments: Map<string, Buffer>): RetrievedDoc[] {
  return descendants(body, NS.xdsb, 'DocumentResponse').map((dr) => {
    const docEl = firstChild(dr, NS.xdsb, 'Document');
    let bytes: Buffer | undefined;
    if (docEl) {
      const include = firstChild(docEl, NS.xop, 'Include');
      if (include) bytes = attachments.get(normaliseContentId(attr(include, 'href') ?? ''));
      else bytes = Buffer.from(textOf(docEl).replace(/\s+/g, ''), 'base64');
    }
    return {
      repositoryUniqueId: textOf(firstChild(dr, NS.xdsb, 'RepositoryUniqueId')).trim(),
      documentUniqueId: textOf(firstChild(dr, NS.xdsb, 'DocumentUniqueId')).trim(),
      mimeType: textOf(firstChild(dr, NS.xdsb, 'mimeType')).trim(),
      bytes,
    };
  });
}

/**
 * Undefined when every expected uniqueId came back equal to what was sent; `expected` maps each
 * uniqueId to the document sent (or read from the testkit when this run did not send it).
 */
export function checkRetrieved(docs: RetrievedDoc[], expected: Map<string, SentDocument | undefined>): string | undefined {
  const problems: string[] = [];
  for (const [uid, sent] of expected) {
    const got = docs.find((d) => d.documentUniqueId === uid);
    if (!got) {
      problems.push(`document ${uid} not returned`);
      continue;
    }
    if (!got.bytes) problems.push(`document ${uid} returned without content`);
    else if (sent && !got.bytes.equals(sent.bytes)) problems.push(`document ${uid}: ${got.bytes.length} bytes differ from the ${sent.bytes.length} sent`);
    if (sent && sent.mimeType && got.mimeType !== sent.mimeType) problems.push(`document ${uid}: mimeType ${got.mimeType || '(none)'}, sent ${sent.mimeType}`);
  }
  return problems.length ? problems.join('; ') : undefined;
}
