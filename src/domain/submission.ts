// A submission as both doors hand it to the record: an XDS ProvideAndRegister (ITI-41) and an
// MHD Provide Document Bundle (ITI-65) translate into this one shape.
import type {
  AssociationMetadata,
  DocumentEntryMetadata,
  FolderMetadata,
  SubmissionSetMetadata,
} from './model.js';

/**
 * Objects of a submission refer to each other by `id`: a symbolic id (`Document01`, a bundle
 * fullUrl) or a `urn:uuid:` the sender chose. Associations may also target objects already in
 * the registry by their entryUUID. The record assigns UUIDs to symbolic ids.
 */
export interface SubmittedDocument {
  id: string;
  metadata: DocumentEntryMetadata;
  /** the bytes; null when the sender gave none (an error unless the entry is on-demand) */
  content: Uint8Array | null;
}

export interface SubmittedFolder {
  id: string;
  metadata: FolderMetadata;
}

export interface SubmittedAssociation extends AssociationMetadata {
  id: string;
}

export interface SubmissionRequest {
  submissionSet: SubmissionSetMetadata & { id: string };
  documents: SubmittedDocument[];
  folders: SubmittedFolder[];
  associations: SubmittedAssociation[];
  /** content parts that no metadata claims (XDSMissingDocumentMetadata) */
  orphanContentIds?: string[];
}

/** A document sent again with identical content, and the registered entry it already is (DOC-04). */
export interface Resubmission {
  /** the id the sender gave it */
  id: string;
  uniqueId: string;
  /** the registered entry: the current version of the document */
  entryUuid: string;
  version: number;
}

/** What the record answers: the UUIDs it gave to each symbolic id. */
export interface SubmissionResult {
  submissionSetUuid: string;
  /** the record the submission went into */
  patientKey?: string;
  /** symbolic or sender id -> entryUUID as stored */
  assignedIds: Record<string, string>;
  /** documents that were already stored with identical content (DOC-04 idempotence): nothing new was registered for them */
  resubmitted: Resubmission[];
  warnings: string[];
}
