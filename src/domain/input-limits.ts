// A request refused because it passes one of the configured input limits (XML or JSON size,
// depth, counts). The message names the limit and the variable that sets it; `reason` is that
// variable, so that a client or an operator can tell which limit was met.
import { CarnetError } from './errors.js';

export class InputLimitError extends CarnetError {
  /** the configuration variable of the limit, e.g. CARNET_XML_MAX_DEPTH */
  readonly limit: string;

  constructor(code: 'too_long' | 'too_costly', message: string, limit: string) {
    super(code, message, { reason: limit });
    this.name = 'InputLimitError';
    this.limit = limit;
  }
}

export function isInputLimitError(e: unknown): e is InputLimitError {
  return e instanceof InputLimitError;
}

/**
 * The most values one search may give (CARNET_SEARCH_MAX_VALUES), all its parameters together: a
 * FHIR search's parameters and each comma-separated alternative of their values, an ITI-18
 * stored query's values. As many ids as a query may answer objects (CARNET_MAX_QUERY_RESULTS'
 * default), far more codes or statuses than any search needs.
 */
export const DEFAULT_SEARCH_MAX_VALUES = 5000;
export const SEARCH_MAX_VALUES_VARIABLE = 'CARNET_SEARCH_MAX_VALUES';

/**
 * The most documents one ITI-43 Retrieve Document Set may ask for (CARNET_RETRIEVE_MAX_DOCUMENTS):
 * each is a read of the store and an access traced, and its bytes are in the answer (whole, in
 * memory, for a plain SOAP one).
 */
export const DEFAULT_RETRIEVE_MAX_DOCUMENTS = 100;
export const RETRIEVE_MAX_DOCUMENTS_VARIABLE = 'CARNET_RETRIEVE_MAX_DOCUMENTS';

/**
 * The most documents one submission may deposit (CARNET_SUBMISSION_MAX_DOCUMENTS): ITI-41, ITI-42
 * and ITI-65 alike. A submission is one transaction under the record's lock, its inserts growing
 * with its documents; on the embedded store (PGlite), which runs in the server's own thread, 200
 * documents held the event loop about 0.2 s and 380 up to 1.4 s on a loaded machine, while the
 * request limits (20,000 XML elements, 500 Bundle entries) let through some 450 and 249. A
 * deposit from a care system carries a few documents; 100 is far above that.
 */
export const DEFAULT_SUBMISSION_MAX_DOCUMENTS = 100;
export const SUBMISSION_MAX_DOCUMENTS_VARIABLE = 'CARNET_SUBMISSION_MAX_DOCUMENTS';

/**
 * Throws the refusal of a request holding more than `max` documents (or, for an ITI-57, new
 * versions), `what` naming them: checked before anything else of the request.
 */
export function checkSubmissionDocuments(count: number, max: number = DEFAULT_SUBMISSION_MAX_DOCUMENTS, what = 'documents'): void {
  if (count > max) {
    throw new InputLimitError('too_costly', `the submission holds ${count} ${what}, more than ${max} (${SUBMISSION_MAX_DOCUMENTS_VARIABLE})`, SUBMISSION_MAX_DOCUMENTS_VARIABLE);
  }
}
