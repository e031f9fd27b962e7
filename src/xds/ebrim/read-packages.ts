// ebRIM RegistryPackage -> SubmissionSet or Folder metadata. Both are packages told apart by their
// classification node and read alike (name, status, home, other slots), hence one file for the two.
import type { Author, Coded, FolderMetadata, SubmissionSetMetadata } from '../../domain/model.js';
import { NS, attr, childElements } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { FD_SCHEME, NODE, SS_SCHEME } from './constants.js';
import { extraSlots, localized, problem, readAuthor, readCoded, readExternalIds, readPatientId, readSlots, readStatus, readVersion, single, takeSingleCode, type Problems } from './read-fields.js';

export interface ReadSubmissionSet {
  id: string;
  metadata: SubmissionSetMetadata;
}
export interface ReadFolder {
  id: string;
  metadata: FolderMetadata;
}

export function packageKind(pkg: Element, classifications: Element[]): { submissionSet: boolean; folder: boolean; limited: boolean } {
  let submissionSet = false;
  let folder = false;
  let limited = false;
  for (const cl of [...childElements(pkg, NS.rim, 'Classification'), ...classifications]) {
    const node = attr(cl, 'classificationNode');
    if (node === NODE.submissionSet) submissionSet = true;
    else if (node === NODE.folder) folder = true;
    else if (node === NODE.limitedSubmissionSet || node === NODE.limitedFolder) limited = true;
  }
  return { submissionSet, folder, limited };
}

export function readSubmissionSet(pkg: Element, classifications: Element[], externalIds: Element[], limited: boolean, problems: Problems): ReadSubmissionSet {
  const id = attr(pkg, 'id') ?? '';
  const loc = id || 'SubmissionSet';
  const slots = readSlots(pkg, problems, loc);
  const authors: Author[] = [];
  const contentTypes: Coded[] = [];
  for (const cl of [...childElements(pkg, NS.rim, 'Classification'), ...classifications]) {
    const scheme = attr(cl, 'classificationScheme');
    if (scheme === SS_SCHEME.author) authors.push(readAuthor(cl, problems, loc));
    else if (scheme === SS_SCHEME.contentTypeCode) {
      const c = readCoded(cl, problems, loc, 'contentTypeCode');
      if (c) contentTypes.push(c);
    }
  }
  const ei = readExternalIds(pkg, externalIds, problems, loc);
  const uniqueId = ei.byScheme.get(SS_SCHEME.uniqueId);
  if (!uniqueId) problem(problems, loc, `XDSSubmissionSet.uniqueId is missing on ${loc}`);
  const sourceId = ei.byScheme.get(SS_SCHEME.sourceId);
  if (!sourceId) problem(problems, loc, `XDSSubmissionSet.sourceId is missing on ${loc}`);
  const md: SubmissionSetMetadata = {
    uniqueId: uniqueId ?? '',
    sourceId: sourceId ?? '',
    patientId: readPatientId(ei.byScheme.get(SS_SCHEME.patientId), problems, loc, 'XDSSubmissionSet.patientId'),
    authors,
    intendedRecipients: slots.get('intendedRecipient')?.values ?? [],
  };
  if (id.startsWith('urn:uuid:')) md.entryUuid = id;
  const submissionTime = single(slots, 'submissionTime', problems, loc);
  if (submissionTime !== undefined) {
    if (!/^[0-9]{4,14}$/.test(submissionTime)) problem(problems, loc, `submissionTime of ${loc} is not an HL7 DTM: ${submissionTime}`);
    md.submissionTime = submissionTime;
  }
  const ct = takeSingleCode(contentTypes, problems, loc, 'contentTypeCode');
  if (ct) md.contentTypeCode = ct;
  Object.assign(md, packageCommons(pkg, slots, ['submissionTime', 'intendedRecipient'], limited, problems, loc));
  return { id, metadata: md };
}

/** What submission sets and folders read alike: name, description, status, limited metadata, home, other slots. */
function packageCommons(
  pkg: Element,
  slots: Parameters<typeof extraSlots>[0],
  knownSlots: string[],
  limited: boolean,
  problems: Problems,
  loc: string,
): Partial<SubmissionSetMetadata & FolderMetadata> {
  const out: Partial<SubmissionSetMetadata & FolderMetadata> = {};
  const title = localized(pkg, 'Name');
  if (title !== undefined) out.title = title;
  const comments = localized(pkg, 'Description');
  if (comments !== undefined) out.comments = comments;
  const status = readStatus(pkg, problems, loc);
  if (status) out.availabilityStatus = status;
  if (limited) out.limitedMetadata = true;
  const home = attr(pkg, 'home');
  if (home) out.homeCommunityId = home;
  const extra = extraSlots(slots, new Set(knownSlots));
  if (extra) out.extraSlots = extra;
  return out;
}

export function readFolder(pkg: Element, classifications: Element[], externalIds: Element[], limited: boolean, problems: Problems): ReadFolder {
  const id = attr(pkg, 'id') ?? '';
  const loc = id || 'Folder';
  const slots = readSlots(pkg, problems, loc);
  const codeList: Coded[] = [];
  for (const cl of [...childElements(pkg, NS.rim, 'Classification'), ...classifications]) {
    if (attr(cl, 'classificationScheme') === FD_SCHEME.codeList) {
      const c = readCoded(cl, problems, loc, 'codeList');
      if (c) codeList.push(c);
    }
  }
  const ei = readExternalIds(pkg, externalIds, problems, loc);
  const uniqueId = ei.byScheme.get(FD_SCHEME.uniqueId);
  if (!uniqueId) problem(problems, loc, `XDSFolder.uniqueId is missing on ${loc}`);
  const md: FolderMetadata = {
    uniqueId: uniqueId ?? '',
    patientId: readPatientId(ei.byScheme.get(FD_SCHEME.patientId), problems, loc, 'XDSFolder.patientId'),
    codeList,
  };
  if (id.startsWith('urn:uuid:')) md.entryUuid = id;
  const lid = attr(pkg, 'lid');
  if (lid) md.logicalId = lid;
  const version = readVersion(pkg, problems, loc);
  if (version !== undefined) md.version = version;
  const lastUpdateTime = single(slots, 'lastUpdateTime', problems, loc);
  if (lastUpdateTime !== undefined) md.lastUpdateTime = lastUpdateTime;
  Object.assign(md, packageCommons(pkg, slots, ['lastUpdateTime'], limited, problems, loc));
  return { id, metadata: md };
}
