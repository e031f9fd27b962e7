// CarnetError -> XDS RegistryError (ITI TF-3 Table 4.2.4.1-2). A rule may name the exact XDS code
// in `reason` (e.g. XDSStoredQueryMissingParam, XDSDocumentUniqueIdError); otherwise the code maps.
import { CarnetError, CarnetErrors } from '../domain/errors.js';
import type { ErrorCode } from '../domain/errors.js';

/** XDS error codes this door emits or recognises in `reason`. */
export const XDS_ERROR_CODES = [
  'XDSRegistryError',
  'XDSRepositoryError',
  'XDSRegistryMetadataError',
  'XDSRepositoryMetadataError',
  'XDSMissingDocument',
  'XDSMissingDocumentMetadata',
  'XDSUnknownPatientId',
  'XDSPatientIdDoesNotMatch',
  'XDSDuplicateUniqueIdInRegistry',
  'XDSRegistryDuplicateUniqueIdInMessage',
  'XDSRepositoryDuplicateUniqueIdInMessage',
  'XDSNonIdenticalHash',
  'XDSUnknownRepositoryId',
  'XDSDocumentUniqueIdError',
  'XDSRegistryBusy',
  'XDSRepositoryBusy',
  'XDSRegistryOutOfResources',
  'XDSRepositoryOutOfResources',
  'XDSRegistryNotAvailable',
  'XDSRepositoryWrongRepositoryUniqueId',
  'XDSTooManyResults',
  'XDSExtraMetadataNotSaved',
  'XDSUnknownStoredQuery',
  'XDSStoredQueryMissingParam',
  'XDSStoredQueryParamNumber',
  'XDSResultNotSinglePatient',
  'XDSUnknownCommunity',
  'XDSMissingHomeCommunityId',
  'XDSUnavailableCommunity',
  'XDSInvalidRequestException',
  'XDSMetadataUpdateError',
  'XDSMetadataUpdateOperationError',
  'XDSMetadataVersionError',
  'XDSPatientIDReconciliationError',
  'XDSObjectTypeError',
  'XDSMetadataIdentifierError',
  'XDSMetadataAnnotationError',
  'UnresolvedReferenceException',
  'ReferencesExistException',
  'XDSUnreferencedObjectException',
  'XDSRemoveDocumentsError',
] as const;

export type XdsErrorCode = (typeof XDS_ERROR_CODES)[number];

const KNOWN = new Set<string>(XDS_ERROR_CODES);

export function isXdsErrorCode(value: string | undefined): value is XdsErrorCode {
  return value !== undefined && KNOWN.has(value);
}

const BY_CODE: Partial<Record<ErrorCode, XdsErrorCode>> = {
  invalid_metadata: 'XDSRegistryMetadataError',
  invalid_content_metadata: 'XDSRepositoryMetadataError',
  missing_document: 'XDSMissingDocument',
  missing_document_metadata: 'XDSMissingDocumentMetadata',
  unknown_patient: 'XDSUnknownPatientId',
  patient_mismatch: 'XDSPatientIdDoesNotMatch',
  non_identical_hash: 'XDSNonIdenticalHash',
  duplicate_unique_id: 'XDSDuplicateUniqueIdInRegistry',
  version_conflict: 'XDSMetadataVersionError',
  update_operation: 'XDSMetadataUpdateOperationError',
  too_many_results: 'XDSTooManyResults',
  unavailable: 'XDSRegistryNotAvailable',
  rate_limited: 'XDSRegistryBusy',
};

export function xdsErrorCode(error: CarnetError): XdsErrorCode {
  if (isXdsErrorCode(error.reason)) return error.reason;
  return BY_CODE[error.code] ?? 'XDSRegistryError';
}

export type ErrorSeverity = 'Error' | 'Warning';

export interface RegistryErrorEntry {
  errorCode: string;
  codeContext: string;
  location?: string;
  severity: ErrorSeverity;
}

function entry(e: CarnetError, severity: ErrorSeverity): RegistryErrorEntry {
  const errorCode = xdsErrorCode(e);
  // codeContext carries the message; a rule reason that is not an XDS code is kept visible too,
  // except why something is not found (ACC-08: a hidden object answers as an unknown one)
  const why = e.reason && e.code !== 'not_found' && !isXdsErrorCode(e.reason) ? ` (${e.reason})` : '';
  const out: RegistryErrorEntry = { errorCode, codeContext: `${e.message}${why}`, severity };
  if (e.location) out.location = e.location;
  return out;
}

/**
 * RegistryError entries for anything thrown: a CarnetErrors gives one per problem; an unknown
 * error gives a bare XDSRegistryError without its message or stack (they stay in the logs).
 */
export function registryErrorsFor(error: unknown, severity: ErrorSeverity = 'Error'): RegistryErrorEntry[] {
  if (error instanceof CarnetErrors && error.problems.length) return error.problems.map((p) => entry(p, severity));
  if (error instanceof CarnetError) return [entry(error, severity)];
  return [{ errorCode: 'XDSRegistryError', codeContext: 'internal error', severity }];
}
