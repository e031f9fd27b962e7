// ITI-43 request: `xdsb:RetrieveDocumentSetRequest` -> the list of documents asked for.
import { CarnetError } from '../domain/errors.js';
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

export function readRetrieveDocumentSetRequest(el: Element): ReadRetrieveResult {
  const problems: CarnetError[] = [];
  const requests: DocumentRequest[] = [];
  if (el.namespaceURI !== NS.xdsb || el.localName !== 'RetrieveDocumentSetRequest') {
    problems.push(new CarnetError('invalid_metadata', 'expected xdsb:RetrieveDocumentSetRequest', { reason: 'XDSRepositoryError' }));
    return { requests, problems };
  }
  const items = childElements(el, NS.xdsb, 'DocumentRequest');
  if (!items.length) problems.push(new CarnetError('invalid_metadata', 'RetrieveDocumentSetRequest without DocumentRequest', { reason: 'XDSRepositoryError' }));
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
    const r: DocumentRequest = { repositoryUniqueId, documentUniqueId };
    const home = get('HomeCommunityId');
    if (home) r.homeCommunityId = home;
    requests.push(r);
  });
  return { requests, problems };
}
