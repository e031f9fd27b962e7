// ebRIM 3.0 -> neutral metadata. Reads a RegistryObjectList (from a SubmitObjectsRequest or an
// AdhocQueryResponse) into DocumentEntry / SubmissionSet / Folder / Association objects.
// Structural problems are collected, each located by object id, instead of stopping at the first;
// business rules (required codes, patient consistency...) belong to the domain.
// This file walks the list and binds loose Classifications and ExternalIdentifiers to their
// objects; each kind of object is read by its own file (read-document-entry, read-packages,
// read-association) from the shared pieces of read-fields.
import { CarnetError } from '../../domain/errors.js';
import type { SubmissionRequest, SubmittedAssociation, SubmittedDocument, SubmittedFolder } from '../../domain/submission.js';
import { NS, attr, childElements, firstChild } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { extractDocuments } from '../documents.js';
import { readAssociation } from './read-association.js';
import { readDocumentEntry, type ReadDocumentEntry } from './read-document-entry.js';
import { problem, type Problems } from './read-fields.js';
import { packageKind, readFolder, readSubmissionSet, type ReadFolder, type ReadSubmissionSet } from './read-packages.js';

export type { ReadDocumentEntry, ReadFolder, ReadSubmissionSet };

/** Everything found in one RegistryObjectList. */
export interface RegistryObjects {
  documentEntries: ReadDocumentEntry[];
  submissionSets: ReadSubmissionSet[];
  folders: ReadFolder[];
  associations: SubmittedAssociation[];
  objectRefs: string[];
  problems: CarnetError[];
}

export interface ReadSubmitResult {
  /** null when the request holds no (or several) SubmissionSet; see problems */
  submission: SubmissionRequest | null;
  objectRefs: string[];
  problems: CarnetError[];
}

/** Reads every object of a `rim:RegistryObjectList` (or any element holding them). */
export function readRegistryObjectList(list: Element): RegistryObjects {
  const problems: Problems = [];
  const out: RegistryObjects = { documentEntries: [], submissionSets: [], folders: [], associations: [], objectRefs: [], problems };
  const children = childElements(list, NS.rim);

  // Classifications and ExternalIdentifiers given at top level point at their object by id.
  const looseClassifications = new Map<string, Element[]>();
  const looseExternalIds = new Map<string, Element[]>();
  for (const el of children) {
    if (el.localName === 'Classification') {
      const target = attr(el, 'classifiedObject');
      if (!target) problem(problems, attr(el, 'id') ?? 'Classification', 'a Classification has no classifiedObject');
      else (looseClassifications.get(target) ?? looseClassifications.set(target, []).get(target)!).push(el);
    } else if (el.localName === 'ExternalIdentifier') {
      const target = attr(el, 'registryObject');
      if (!target) problem(problems, attr(el, 'id') ?? 'ExternalIdentifier', 'an ExternalIdentifier has no registryObject');
      else (looseExternalIds.get(target) ?? looseExternalIds.set(target, []).get(target)!).push(el);
    }
  }

  const seen = new Set<string>();
  const known = new Set<string>();
  for (const el of children) {
    const id = attr(el, 'id') ?? '';
    if (['ExtrinsicObject', 'RegistryPackage', 'Association'].includes(el.localName ?? '') && id) {
      if (seen.has(id)) problem(problems, id, `two objects share the id ${id}`);
      seen.add(id);
      known.add(id);
    }
    const cls = looseClassifications.get(id) ?? [];
    const eis = looseExternalIds.get(id) ?? [];
    switch (el.localName) {
      case 'ExtrinsicObject':
        out.documentEntries.push(readDocumentEntry(el, cls, eis, problems));
        break;
      case 'RegistryPackage': {
        const kind = packageKind(el, cls);
        if (kind.submissionSet && kind.folder) problem(problems, id, `RegistryPackage ${id} is classified as both SubmissionSet and Folder`);
        else if (kind.submissionSet) out.submissionSets.push(readSubmissionSet(el, cls, eis, kind.limited, problems));
        else if (kind.folder) out.folders.push(readFolder(el, cls, eis, kind.limited, problems));
        else problem(problems, id || 'RegistryPackage', `RegistryPackage ${id} is classified neither as SubmissionSet nor as Folder`);
        break;
      }
      case 'Association':
        out.associations.push(readAssociation(el, cls, problems));
        break;
      case 'ObjectRef':
        if (id) out.objectRefs.push(id);
        else problem(problems, 'ObjectRef', 'an ObjectRef has no id');
        break;
      default:
        break;
    }
  }
  for (const target of looseClassifications.keys()) {
    if (!known.has(target) && !out.objectRefs.includes(target)) {
      problem(problems, target, `a Classification refers to ${target}, which is not in the request`);
    }
  }
  return out;
}

/** Finds the RegistryObjectList of a SubmitObjectsRequest (or of a ProvideAndRegister wrapper). */
function registryObjectList(request: Element): Element | undefined {
  let sor: Element | undefined = request;
  if (request.namespaceURI === NS.xdsb) sor = firstChild(request, NS.lcm, 'SubmitObjectsRequest');
  if (!sor) return undefined;
  return firstChild(sor, NS.rim, 'RegistryObjectList');
}

/**
 * ITI-42 / ITI-57: `lcm:SubmitObjectsRequest` -> SubmissionRequest. Documents get `content: null`;
 * use readProvideAndRegister for ITI-41.
 */
export function readSubmitObjectsRequest(request: Element): ReadSubmitResult {
  const list = registryObjectList(request);
  if (!list) {
    return {
      submission: null,
      objectRefs: [],
      problems: [new CarnetError('invalid_metadata', 'SubmitObjectsRequest without a RegistryObjectList', { location: 'SubmitObjectsRequest' })],
    };
  }
  const objs = readRegistryObjectList(list);
  const problems = objs.problems;
  if (objs.submissionSets.length !== 1) {
    problems.push(
      new CarnetError('invalid_metadata', `a submission must hold exactly one SubmissionSet (found ${objs.submissionSets.length})`, {
        location: objs.submissionSets[1]?.id ?? 'SubmitObjectsRequest',
      }),
    );
  }
  const ss = objs.submissionSets[0];
  const documents: SubmittedDocument[] = objs.documentEntries.map((d) => ({ id: d.id, metadata: d.metadata, content: null }));
  const folders: SubmittedFolder[] = objs.folders.map((f) => ({ id: f.id, metadata: f.metadata }));
  const submission: SubmissionRequest | null =
    objs.submissionSets.length === 1 && ss
      ? { submissionSet: { ...ss.metadata, id: ss.id }, documents, folders, associations: objs.associations }
      : null;
  return { submission, objectRefs: objs.objectRefs, problems };
}

/**
 * ITI-41: `xdsb:ProvideAndRegisterDocumentSetRequest` -> SubmissionRequest with each document's
 * bytes bound by id. Documents lacking an ExtrinsicObject are listed in orphanContentIds;
 * entries without a document keep `content: null` (the record decides: XDSMissingDocument
 * unless on-demand).
 */
export function readProvideAndRegister(request: Element, attachments: Map<string, Buffer>): ReadSubmitResult {
  const result = readSubmitObjectsRequest(request);
  const { documents, problems } = extractDocuments(request, attachments);
  result.problems.push(...problems);
  if (result.submission) {
    const ids = new Set(result.submission.documents.map((d) => d.id));
    for (const d of result.submission.documents) d.content = documents.get(d.id) ?? null;
    const orphans = [...documents.keys()].filter((id) => !ids.has(id));
    if (orphans.length) result.submission.orphanContentIds = orphans;
  }
  return result;
}
