// ITI-43 Retrieve Document Set: each DocumentRequest is one read through the record's rules;
// the answer carries the documents found (MTOM attachments, or inline for a plain SOAP request)
// and an error for each one not found.
import { isCarnetError } from '../../domain/errors.js';
import type { Caller, Services } from '../../services/index.js';
import type { RegistryErrorEntry } from '../error-codes.js';
import { writeRetrieveDocumentSetResponse, type RetrievedDocument } from '../ebrim/write.js';
import { newContentId } from '../mtom.js';
import type { StreamedAttachment } from '../mtom-stream.js';
import { readRetrieveDocumentSetRequest } from '../retrieve.js';
import type { Element } from '../../xml/index.js';
import { errorsFor, passDatabaseOutage, problemsError } from './errors.js';
import type { FactsOf } from '../../http/request-facts.js';

export interface RetrieveAnswer {
  bodyXml: string;
  /** read from the store as the answer is written; each document's access was traced already */
  attachments: StreamedAttachment[];
}

export interface RetrieveLimits {
  /** DocumentRequests of one request (CARNET_RETRIEVE_MAX_DOCUMENTS) */
  maxDocuments: number;
  /** bytes of documents in one answer without MTOM (CARNET_DOCUMENT_BODY_LIMIT) */
  maxInlineBytes: number;
}

/**
 * `mtom`: the documents as attachments (an MTOM request), else inline in base64 (a plain one,
 * which needs every document whole to write its envelope: at most `maxInlineBytes` of them, the
 * largest submission the server takes; a document past that is refused, to be asked with MTOM).
 */
export async function handleRetrieve(
  body: Element,
  caller: Caller,
  services: Services,
  repositoryUniqueId: string,
  mtom: boolean,
  facts: FactsOf,
  limits: RetrieveLimits,
): Promise<RetrieveAnswer> {
  const read = readRetrieveDocumentSetRequest(body, limits.maxDocuments);
  if (read.problems.length) {
    return { bodyXml: writeRetrieveDocumentSetResponse([], errorsFor(problemsError(read.problems), 'ITI-43', facts)), attachments: [] };
  }
  const found: RetrievedDocument[] = [];
  const attachments: StreamedAttachment[] = [];
  const errors: RegistryErrorEntry[] = [];
  let inlineRoom = limits.maxInlineBytes;
  for (const r of read.requests) {
    if (r.repositoryUniqueId !== repositoryUniqueId) {
      errors.push({
        errorCode: 'XDSUnknownRepositoryId',
        codeContext: `repository ${r.repositoryUniqueId} is not served here (this repository is ${repositoryUniqueId})`,
        location: r.documentUniqueId,
        severity: 'Error',
      });
      continue;
    }
    try {
      const { entry, content } = await services.documents.retrieve(caller, { uniqueId: r.documentUniqueId }, mtom ? {} : { maxBytes: inlineRoom });
      const doc: RetrievedDocument = { repositoryUniqueId, documentUniqueId: r.documentUniqueId, mimeType: entry.mimeType };
      if (mtom) {
        doc.contentId = newContentId();
        attachments.push({ contentId: doc.contentId, contentType: entry.mimeType, size: content.size, slices: () => content.slices() });
      } else {
        doc.content = await content.whole();
        inlineRoom -= content.size;
      }
      if (r.homeCommunityId) doc.homeCommunityId = r.homeCommunityId;
      found.push(doc);
    } catch (e) {
      if (!isCarnetError(e)) throw e;
      passDatabaseOutage(e);
      if (e.code === 'too_long' && !mtom) {
        errors.push({
          errorCode: 'XDSRepositoryError',
          codeContext: `${e.message}: an answer without MTOM carries at most ${limits.maxInlineBytes} bytes of documents (CARNET_DOCUMENT_BODY_LIMIT); ask for it with MTOM`,
          location: r.documentUniqueId,
          severity: 'Error',
        });
        continue;
      }
      errors.push(...errorsFor(e, 'ITI-43', facts).map((x) => ({ ...x, location: x.location ?? r.documentUniqueId })));
    }
  }
  return { bodyXml: writeRetrieveDocumentSetResponse(found, errors), attachments };
}
