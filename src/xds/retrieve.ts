// ITI-43 request: `xdsb:RetrieveDocumentSetRequest` -> the list of documents asked for.
import { CarnetError } from '../domain/errors.js';
import { DEFAULT_RETRIEVE_MAX_DOCUMENTS, RETRIEVE_MAX_DOCUMENTS_VARIABLE } from '../domain/input-limits.js';
import { NS, childElements, firstChild, textOf } from '../xml/index.js';
import type { Element } from '../xml/index.js';

export interface DocumentRequest {
  homeCommunityId?: string;
  repositoryUniqueId: string;
  documentUniqueId: string;
}

export interface ReadRetrieveResult {
  requests: DocumentRequest[];
  problems: CarnetError[];
}

/**
 * The documents asked for. More than `maxDocuments` requests, or a document asked for twice, are
 * refused as a whole: each request is a read of the store and an access traced, and its bytes are
 * in the answer, so that repeating one document made a small request an answer of any size.
 */
export function readRetrieveDocumentSetRequest(el: Element, maxDocuments = DEFAULT_RETRIEVE_MAX_DOCUMENTS): ReadRetrieveResult {
  const problems: CarnetError[] = [];
  const requests: DocumentRequest[] = [];
  if (el.namespaceURI !== NS.xdsb || el.localName !== 'RetrieveDocumentSetRequest') {
    problems.push(new CarnetError('invalid_metadata', 'expected xdsb:RetrieveDocumentSetRequest', { reason: 'XDSRepositoryError' }));
    return { requests, problems };
  }
  const items = childElements(el, NS.xdsb, 'DocumentRequest');
  if (!items.length) problems.push(new CarnetError('invalid_metadata', 'RetrieveDocumentSetRequest without DocumentRequest', { reason: 'XDSRepositoryError' }));
  if (items.length > maxDocuments) {
    problems.push(
      new CarnetError('invalid_metadata', `the request asks for ${items.length} documents, more than ${maxDocuments} (${RETRIEVE_MAX_DOCUMENTS_VARIABLE})`, { reason: 'XDSRepositoryError' }),
    );
    return { requests, problems };
  }
  /** the first request of each document, by repository and document uniqueId */
  const asked = new Map<string, number>();
  items.forEach((dr, i) => {
    const get = (local: string) => {
      const v = textOf(firstChild(dr, NS.xdsb, local)).trim();
      return v || undefined;
    };
    const repositoryUniqueId = get('RepositoryUniqueId');
    const documentUniqueId = get('DocumentUniqueId');
    if (!repositoryUniqueId || !documentUniqueId) {
      problems.push(
        new CarnetError('invalid_metadata', `DocumentRequest ${i + 1} needs RepositoryUniqueId and DocumentUniqueId`, {
          location: documentUniqueId ?? `DocumentRequest[${i + 1}]`,
          reason: 'XDSRepositoryError',
        }),
      );
      return;
    }
    const key = `${repositoryUniqueId}\u0000${documentUniqueId}`;
    const first = asked.get(key);
    if (first !== undefined) {
      problems.push(
        new CarnetError('invalid_metadata', `DocumentRequest ${i + 1} asks again for the document of DocumentRequest ${first}`, { location: documentUniqueId, reason: 'XDSRepositoryError' }),
      );
      return;
    }
    asked.set(key, i + 1);
    const r: DocumentRequest = { repositoryUniqueId, documentUniqueId };
    const home = get('HomeCommunityId');
    if (home) r.homeCommunityId = home;
    requests.push(r);
  });
  return { requests, problems };
}
