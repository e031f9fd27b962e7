// Errors the record raises. Each has a code that the doors translate: FHIR picks an HTTP status
// and an OperationOutcome issue code, XDS picks a RegistryError errorCode. The message is meant
// for the caller and never reveals a document the caller may not see (ACC-08).

export type ErrorCode =
  /** input does not follow the metadata rules (XDSRegistryMetadataError, FHIR 400/422) */
  | 'invalid_metadata'
  /** repository-side metadata wrong: size/hash mismatch (XDSRepositoryMetadataError) */
  | 'invalid_content_metadata'
  /** a document without metadata (XDSMissingDocumentMetadata) */
  | 'missing_document_metadata'
  /** metadata without its document (XDSMissingDocument) */
  | 'missing_document'
  /** no DMP for this patient identifier (XDSUnknownPatientId, FHIR 404/400) */
  | 'unknown_patient'
  /** objects of one submission name different patients (XDSPatientIdDoesNotMatch) */
  | 'patient_mismatch'
  /** uniqueId already registered with other content (XDSNonIdenticalHash) */
  | 'non_identical_hash'
  /** uniqueId already used by another object (XDSDuplicateUniqueIdInRegistry) */
  | 'duplicate_unique_id'
  /** metadata update against a version that is not the latest (XDSMetadataVersionError) */
  | 'version_conflict'
  /** metadata update not allowed in this form (XDSMetadataUpdateOperationError) */
  | 'update_operation'
  /** the object referred to does not exist, or is not visible to the caller */
  | 'not_found'
  /** the rules refuse the action (FHIR 403, XDS XDSRegistryError with the reason) */
  | 'forbidden'
  /** the record is closed: no deposit, no professional access */
  | 'record_closed'
  /** a business rule refuses the change (FHIR 422) */
  | 'business_rule'
  /** a state conflict, e.g. a DMP that already exists (FHIR 409) */
  | 'conflict'
  /** a change made against another version than the current one (If-Match, FHIR 412) */
  | 'precondition_failed'
  /** a function is in a maintenance window (DMP-06, HTTP 503) */
  | 'unavailable'
  /** the caller's identity is missing or not acceptable (HTTP 401, SOAP wsse fault) */
  | 'unauthenticated'
  /** too many attempts (HTTP 429) */
  | 'rate_limited'
  /** a query would return more than the explicit limit (XDSTooManyResults) */
  | 'too_many_results'
  /** the input is larger than a configured limit: bytes, a text's length (HTTP 413) */
  | 'too_long'
  /** the input's shape costs more than a configured limit: depth, elements, entries (HTTP 413) */
  | 'too_costly';

export class CarnetError extends Error {
  readonly code: ErrorCode;
  /** where in the input the problem is: a FHIRPath expression or an XDS object id */
  readonly location?: string;
  /** the rule's reason code when the rules refused (e.g. "not_authorised") */
  readonly reason?: string;

  /** DMP-06: when a suspended function comes back, in seconds (HTTP Retry-After) */
  readonly retryAfter?: number;

  /**
   * `cause`: the error it stands for (a database's own), for the operator's log only: never part
   * of an answer (not enumerable, as the standard's own `cause`).
   */
  constructor(code: ErrorCode, message: string, options: { location?: string; reason?: string; retryAfter?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CarnetError';
    this.code = code;
    this.location = options.location;
    this.reason = options.reason;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}

/** Several problems found in one input; the first one's code is the error's code. */
export class CarnetErrors extends CarnetError {
  readonly problems: CarnetError[];

  constructor(problems: CarnetError[]) {
    const first = problems[0];
    super(first?.code ?? 'invalid_metadata', problems.map((p) => p.message).join('; '), {
      location: first?.location,
      reason: first?.reason,
    });
    this.problems = problems;
  }
}

export function isCarnetError(e: unknown): e is CarnetError {
  return e instanceof CarnetError;
}

/** The database is down, restarting, too slow or changing shape: a passing condition the caller should retry. */
export function isDatabaseOutage(e: unknown): e is CarnetError {
  return e instanceof CarnetError && e.code === 'unavailable' && (e.reason === 'database_unavailable' || e.reason === 'database_timeout' || e.reason === 'database_changed');
}

/** Seconds for an HTTP Retry-After header, for errors that pass by themselves (an outage, a maintenance window). */
export function retryAfterSeconds(e: CarnetError): number | undefined {
  return e.retryAfter ?? (isDatabaseOutage(e) ? 5 : undefined);
}
