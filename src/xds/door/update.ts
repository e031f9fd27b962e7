// ITI-57 Update Document Set: the request read into its operations (new DocumentEntry and Folder
// versions with PreviousVersion on their HasMember, UpdateAvailabilityStatus, associations added
// through SubmitAssociation), which the record applies in one transaction. The door checks the
// shape of each operation (XDSMetadataUpdateOperationError) and decides nothing else.
import { CarnetError } from '../../domain/errors.js';
import type { AvailabilityStatus } from '../../domain/model.js';
import type { SubmittedAssociation } from '../../domain/submission.js';
import type { NewVersion, StatusChange, UpdateRequest } from '../../domain/update-request.js';
import type { Caller, Services } from '../../services/index.js';
import { statusFromUrn } from '../ebrim/constants.js';
import { readSubmitObjectsRequest } from '../ebrim/read.js';
import { writeRegistryResponse } from '../ebrim/write.js';
import { NS } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { XdsWireError } from '../wire-error.js';
import { errorsFor, passDatabaseOutage, problemsError } from './errors.js';
import type { FactsOf } from '../../http/request-facts.js';

const STATUSES: AvailabilityStatus[] = ['Approved', 'Deprecated', 'Archived', 'Deleted'];

function operationError(message: string, location?: string): CarnetError {
  return new CarnetError('update_operation', message, { location, reason: 'XDSMetadataUpdateOperationError' });
}

function statusOf(urn: string | undefined): AvailabilityStatus | undefined {
  const s = urn ? statusFromUrn(urn) : undefined;
  return s && STATUSES.includes(s) ? s : undefined;
}

/** UpdateAvailabilityStatus: OriginalStatus and NewStatus, two different statuses, and nothing of a new version. */
function statusChange(a: SubmittedAssociation): StatusChange {
  if (a.previousVersion !== undefined || a.associationPropagation !== undefined || a.submissionSetStatus !== undefined) {
    throw operationError(`UpdateAvailabilityStatus ${a.id} carries a slot of a new version (PreviousVersion, AssociationPropagation, SubmissionSetStatus)`, a.id);
  }
  const from = statusOf(a.originalStatus);
  const to = statusOf(a.newStatus);
  if (!from) throw operationError(`UpdateAvailabilityStatus ${a.id}: OriginalStatus is missing or unknown`, a.id);
  if (!to) throw operationError(`UpdateAvailabilityStatus ${a.id}: NewStatus is missing or unknown`, a.id);
  if (from === to) throw operationError(`UpdateAvailabilityStatus ${a.id}: NewStatus is OriginalStatus`, a.id);
  return { id: a.id, targetId: a.targetId, from, to };
}

/**
 * The submission set's HasMember to a new version: SubmissionSetStatus Original and a
 * PreviousVersion. ITI TF-3 4.2.2.1 requires the status on a HasMember to a DocumentEntry; a
 * Folder's may leave it out (the toolkit's folder updates do), but never say Reference.
 */
function versionLink(a: SubmittedAssociation | undefined, objectId: string, kind: 'DocumentEntry' | 'Folder'): { previousVersion: number; propagate: boolean } {
  if (!a) throw operationError(`${objectId} is not a member of the submission set`, objectId);
  if (a.originalStatus !== undefined || a.newStatus !== undefined) throw operationError(`the HasMember of ${objectId} carries OriginalStatus/NewStatus`, a.id);
  if (a.submissionSetStatus === undefined && kind === 'DocumentEntry') throw operationError(`the HasMember of ${objectId} has no SubmissionSetStatus (ITI-57 requires Original)`, a.id);
  if (a.submissionSetStatus !== undefined && a.submissionSetStatus !== 'Original') throw operationError(`the HasMember of ${objectId} must be Original`, a.id);
  if (a.previousVersion === undefined) throw operationError(`the HasMember of ${objectId} has no PreviousVersion`, a.id);
  const previous = Number(a.previousVersion);
  if (!/^\d+$/.test(a.previousVersion) || previous < 1) throw operationError(`PreviousVersion ${a.previousVersion} is not a version number`, a.id);
  return { previousVersion: previous, propagate: a.associationPropagation !== false };
}

export function readUpdate(body: Element): UpdateRequest {
  const read = readSubmitObjectsRequest(body);
  if (read.problems.length || !read.submission) throw problemsError(read.problems);
  const sub = read.submission;
  const ssId = sub.submissionSet.id;
  const fromSs = sub.associations.filter((a) => a.sourceId === ssId);
  const memberOf = (id: string) => fromSs.find((a) => a.type === 'HasMember' && a.targetId === id);
  const version = <M extends { logicalId?: string }>(id: string, metadata: M, kind: 'DocumentEntry' | 'Folder'): NewVersion<M> => ({
    id,
    logicalId: metadata.logicalId ?? '',
    metadata,
    ...versionLink(memberOf(id), id, kind),
  });
  const documents = sub.documents.map((d) => version(d.id, d.metadata, 'DocumentEntry'));
  const folders = sub.folders.map((f) => version(f.id, f.metadata, 'Folder'));
  const lids = [...documents, ...folders].map((v) => v.logicalId.toLowerCase()).filter(Boolean);
  const twice = lids.find((l, i) => lids.indexOf(l) !== i);
  if (twice) throw new CarnetError('invalid_metadata', `two new versions of ${twice} in one request`, { location: twice, reason: 'XDSMetadataUpdateError' });

  const statusChanges: StatusChange[] = [];
  const submitted = new Set<string>();
  const versionIds = new Set([...documents, ...folders].map((v) => v.id));
  for (const a of sub.associations) {
    if (a.type === 'UpdateAvailabilityStatus') {
      if (a.sourceId !== ssId) throw operationError(`UpdateAvailabilityStatus ${a.id} must start from the submission set`, a.id);
      statusChanges.push(statusChange(a));
    } else if (a.type === 'SubmitAssociation') {
      if (a.sourceId !== ssId) throw operationError(`SubmitAssociation ${a.id} must start from the submission set`, a.id);
      submitted.add(a.targetId);
    }
  }
  const associations: SubmittedAssociation[] = [];
  for (const a of sub.associations) {
    if (a.type === 'UpdateAvailabilityStatus' || a.type === 'SubmitAssociation') continue;
    if (a.type === 'HasMember' && a.sourceId === ssId && versionIds.has(a.targetId)) continue;
    if (submitted.has(a.id)) {
      associations.push(a);
      continue;
    }
    throw operationError(`association ${a.id} (${a.type}) is neither a new version's HasMember nor submitted by SubmitAssociation`, a.id);
  }
  for (const id of submitted) {
    if (!associations.some((a) => a.id === id)) throw operationError(`SubmitAssociation names ${id}, which is not an association of the request`, id);
  }
  if (!documents.length && !folders.length && !statusChanges.length && !associations.length) throw operationError('the request holds no update');
  return { submissionSet: sub.submissionSet, documents, folders, statusChanges, associations };
}

export async function handleUpdate(body: Element, caller: Caller, services: Services, facts: FactsOf): Promise<string> {
  if (body.namespaceURI !== NS.lcm || body.localName !== 'SubmitObjectsRequest') {
    throw new XdsWireError('the body of ITI-57 must be SubmitObjectsRequest');
  }
  try {
    await services.metadata.applyUpdate(caller, readUpdate(body));
    return writeRegistryResponse();
  } catch (e) {
    passDatabaseOutage(e);
    return writeRegistryResponse(errorsFor(e, 'ITI-57', facts));
  }
}
