// An ITI-57 Update Document Set as the XDS door hands it to the record: the operations of one
// request, which are applied together or not at all.
import type { AvailabilityStatus, DocumentEntryMetadata, FolderMetadata, SubmissionSetMetadata } from './model.js';
import type { SubmittedAssociation } from './submission.js';

/** A new metadata version of a document or folder already registered. */
export interface NewVersion<M> {
  /** the request's id for the new version: its entryUUID when it is a `urn:uuid:` */
  id: string;
  logicalId: string;
  previousVersion: number;
  /** AssociationPropagation (default yes) */
  propagate: boolean;
  metadata: M;
}

/** UpdateAvailabilityStatus on a registered object or on a new version of this request. */
export interface StatusChange {
  id: string;
  targetId: string;
  from: AvailabilityStatus;
  to: AvailabilityStatus;
}

export interface UpdateRequest {
  submissionSet: SubmissionSetMetadata & { id: string };
  documents: Array<NewVersion<DocumentEntryMetadata>>;
  folders: Array<NewVersion<FolderMetadata>>;
  statusChanges: StatusChange[];
  /** associations submitted through SubmitAssociation: between registered objects or new versions */
  associations: SubmittedAssociation[];
}
