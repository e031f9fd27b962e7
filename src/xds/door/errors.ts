// The door's last word on error codes: a few service reasons that have their own XDS code in a
// given transaction, then the general mapping of error-codes.ts.
import { CarnetError, CarnetErrors, isDatabaseOutage } from '../../domain/errors.js';
import { registryErrorsFor, type RegistryErrorEntry } from '../error-codes.js';
import type { XdsTransaction } from '../soap.js';
import { noteError, noteUnexpected, type FactsOf } from '../../http/request-facts.js';

const BY_REASON: Record<string, string> = {
  duplicate_in_message: 'XDSRegistryDuplicateUniqueIdInMessage',
  not_single_patient: 'XDSResultNotSinglePatient',
};

function recode(e: CarnetError, tx: XdsTransaction): CarnetError {
  let reason = e.reason ? BY_REASON[e.reason] : undefined;
  if (reason === 'XDSRegistryDuplicateUniqueIdInMessage' && tx === 'ITI-41') reason = 'XDSRepositoryDuplicateUniqueIdInMessage';
  // A malformed hash or size can never match the document the repository holds (12369).
  if (e.reason === 'content_metadata') reason = tx === 'ITI-41' ? 'XDSRepositoryMetadataError' : 'XDSRegistryMetadataError';
  // A hidden document looks absent (ACC-08): its refusal reason is never shown.
  if (e.code === 'not_found') reason = tx === 'ITI-43' ? 'XDSDocumentUniqueIdError' : tx === 'ITI-57' ? 'XDSMetadataUpdateError' : 'XDSRegistryError';
  return reason ? new CarnetError(e.code, e.message, { location: e.location, reason }) : e;
}

/** `facts`: the request's record, where the error is noted for its log line (http/request-facts.ts). */
export function errorsFor(error: unknown, tx: XdsTransaction, facts: FactsOf): RegistryErrorEntry[] {
  // The rule's own reason goes to the log line before recode() hides it from the answer.
  noteError(facts, error instanceof CarnetErrors && error.problems.length ? error.problems[0] : error, { code: 'internal' });
  if (error instanceof CarnetErrors && error.problems.length) return registryErrorsFor(new CarnetErrors(error.problems.map((p) => recode(p, tx))));
  if (error instanceof CarnetError) return registryErrorsFor(recode(error, tx));
  // Answered "internal error": the operator finds what it was in the log, under the request id.
  noteUnexpected(facts, error);
  return registryErrorsFor(error);
}

/** Problems collected while reading, as one throwable. */
export function problemsError(problems: CarnetError[]): CarnetError {
  return problems.length === 1 ? problems[0]! : new CarnetErrors(problems);
}

/**
 * A database outage is not the request's failure: it leaves the transaction's handler and is
 * answered by the door with a 503 Fault and Retry-After, so that the sender retries.
 */
export function passDatabaseOutage(error: unknown): void {
  if (isDatabaseOutage(error)) throw error;
}
