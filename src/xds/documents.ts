// Binds the `xdsb:Document` elements of an ITI-41 request to their bytes: either an
// `xop:Include` pointing at an MTOM part, or inline base64 text (non-optimised form).
import { CarnetError } from '../domain/errors.js';
import { NS, attr, childElements, firstChild, textOf } from '../xml/index.js';
import type { Element } from '../xml/index.js';
import { normaliseContentId } from './mtom.js';

export interface ExtractedDocuments {
  /** ExtrinsicObject id -> content */
  documents: Map<string, Buffer>;
  problems: CarnetError[];
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

export function extractDocuments(request: Element, attachments: Map<string, Buffer>): ExtractedDocuments {
  const documents = new Map<string, Buffer>();
  const problems: CarnetError[] = [];
  for (const doc of childElements(request, NS.xdsb, 'Document')) {
    const id = attr(doc, 'id');
    if (!id) {
      problems.push(new CarnetError('missing_document_metadata', 'xdsb:Document without an id attribute'));
      continue;
    }
    if (documents.has(id)) {
      problems.push(new CarnetError('invalid_metadata', `two xdsb:Document elements share the id ${id}`, { location: id }));
      continue;
    }
    const include = firstChild(doc, NS.xop, 'Include');
    if (include) {
      const href = attr(include, 'href') ?? '';
      const part = attachments.get(normaliseContentId(href));
      if (!part) {
        problems.push(
          new CarnetError('missing_document', `the MTOM part ${href} referenced by document ${id} is not in the message`, {
            location: id,
          }),
        );
        continue;
      }
      documents.set(id, part);
      continue;
    }
    const text = textOf(doc);
    if (!BASE64.test(text)) {
      problems.push(new CarnetError('invalid_metadata', `document ${id} is neither an xop:Include nor base64 text`, { location: id }));
      continue;
    }
    documents.set(id, Buffer.from(text.replace(/\s+/g, ''), 'base64'));
  }
  return { documents, problems };
}
