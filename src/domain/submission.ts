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

/**
 * DOC-05, ACC-08: the most registered objects (distinct entryUUIDs outside the submission) one
 * submission's associations may name. Whether the caller knows each one is decided in the
 * deposit's locked transaction, a few statements for every record they belong to, and every
 * record other than the submission's own is an error anyway (another patient's, or not in the
 * registry): without a bound, a request of a few megabytes would hold the record's lock for tens
 * of thousands of statements. The bound is on the request's text, never on what its ids are, so
 * that meeting it tells nothing of them. A legitimate submission names a few: the documents it
 * replaces or appends to, the folders it adds to and their documents.
 */
export const MAX_REGISTERED_REFERENCES = 500;

const UUID_ID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How many distinct registered objects the submission's associations name (UUID ends that are none of its own objects). */
export function registeredReferenceCount(req: SubmissionRequest): number {
  const key = (id: string) => (UUID_ID.test(id) ? id.toLowerCase() : id);
  const own = new Set([req.submissionSet.id, ...req.documents.map((d) => d.id), ...req.folders.map((f) => f.id), ...req.associations.map((a) => a.id)].map(key));
  const named = new Set<string>();
  for (const a of req.associations) for (const end of [a.sourceId, a.targetId]) if (UUID_ID.test(end) && !own.has(key(end))) named.add(key(end));
  return named.size;
}
