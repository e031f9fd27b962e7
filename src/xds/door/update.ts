// ITI-57 Update Document Set, as the DMP uses it: a new DocumentEntry version (PreviousVersion
// on its HasMember), and UpdateAvailabilityStatus (Approved/Deprecated, and the DMP's Archived
// and Deleted). A change of the confidentiality codes is the DMP's masking and goes through the
// same rules as on the FHIR door.
import { CarnetError } from '../../domain/errors.js';
import type { AvailabilityStatus } from '../../domain/model.js';
import type { Caller, Services } from '../../services/index.js';
import { statusFromUrn } from '../ebrim/constants.js';
import { readSubmitObjectsRequest } from '../ebrim/read.js';
import { writeRegistryResponse } from '../ebrim/write.js';
import { NS } from '../xml.js';
import type { Element } from '../xml.js';
import { XdsWireError } from '../wire-error.js';
import { errorsFor, problemsError } from './errors.js';

function operationError(message: string, location?: string): CarnetError {
  return new CarnetError('update_operation', message, { location, reason: 'XDSMetadataUpdateOperationError' });
}

async function changeStatus(services: Services, caller: Caller, target: string, from: AvailabilityStatus | undefined, to: AvailabilityStatus | undefined): Promise<void> {
  if (!to) throw operationError('UpdateAvailabilityStatus: NewStatus is missing or unknown', target);
  if (!from) throw operationError('UpdateAvailabilityStatus: OriginalStatus is missing or unknown', target);
  const current = await services.documents.read(caller, { entryUuid: target });
  if (!current.latest) throw new CarnetError('version_conflict', 'this is not the latest version of the document', { location: target });
  if (current.availabilityStatus !== from) {
    throw new CarnetError('invalid_metadata', `the document is ${current.availabilityStatus}, not ${from}`, { location: target, reason: 'XDSMetadataUpdateError' });
  }
  const ref = { entryUuid: target };
  if (to === 'Deleted') await services.metadata.delete(caller, ref);
  else if (to === 'Archived') await services.metadata.setArchived(caller, ref, true);
  else if (to === 'Approved' && from === 'Archived') await services.metadata.setArchived(caller, ref, false);
  else if (to === 'Deprecated' || (to === 'Approved' && from === 'Deprecated')) await services.metadata.setDeprecated(caller, ref, to === 'Deprecated');
  else throw operationError(`a status change from ${from} to ${to} is not supported`, target);
}

export async function handleUpdate(body: Element, caller: Caller, services: Services): Promise<string> {
  if (body.namespaceURI !== NS.lcm || body.localName !== 'SubmitObjectsRequest') {
    throw new XdsWireError('the body of ITI-57 must be SubmitObjectsRequest');
  }
  const read = readSubmitObjectsRequest(body);
  try {
    if (read.problems.length || !read.submission) throw problemsError(read.problems);
    const sub = read.submission;
    const ssId = sub.submissionSet.id;
    if (sub.folders.length) throw operationError('folder updates are not supported by this registry', sub.folders[0]!.id);
    const versions = sub.documents.map((d) => {
      const link = sub.associations.find((a) => a.type === 'HasMember' && a.sourceId === ssId && a.targetId === d.id);
      if (!link) throw operationError(`DocumentEntry ${d.id} is not a member of the submission set`, d.id);
      if (link.previousVersion === undefined) throw operationError(`the HasMember of ${d.id} has no PreviousVersion`, link.id);
      const previous = Number(link.previousVersion);
      if (!Number.isInteger(previous) || previous < 1) throw operationError(`PreviousVersion ${link.previousVersion} is not a version number`, link.id);
      const logicalId = d.metadata.logicalId;
      if (!logicalId || !/^urn:uuid:/i.test(logicalId)) {
        throw new CarnetError('version_conflict', `DocumentEntry ${d.id} has no logical id of an existing document`, { location: d.id });
      }
      return { logicalId: logicalId.toLowerCase(), previousVersion: previous, metadata: d.metadata };
    });
    const documentIds = new Set(sub.documents.map((d) => d.id));
    const statusChanges = sub.associations.filter((a) => a.type === 'UpdateAvailabilityStatus');
    for (const a of sub.associations) {
      if (a.type === 'UpdateAvailabilityStatus') continue;
      if (a.type === 'HasMember' && a.sourceId === ssId && documentIds.has(a.targetId)) continue;
      if (a.type === 'HasMember' && a.sourceId === ssId && statusChanges.some((s) => s.id === a.targetId)) continue;
      throw operationError(`association ${a.id} (${a.type}) is not an update this registry makes`, a.id);
    }
    if (!versions.length && !statusChanges.length) throw operationError('the request holds no update');
    for (const v of versions) await services.metadata.updateEntry(caller, v);
    for (const a of statusChanges) {
      await changeStatus(services, caller, a.targetId.toLowerCase(), a.originalStatus ? statusFromUrn(a.originalStatus) : undefined, a.newStatus ? statusFromUrn(a.newStatus) : undefined);
    }
    return writeRegistryResponse();
  } catch (e) {
    return writeRegistryResponse(errorsFor(e, 'ITI-57'));
  }
}
