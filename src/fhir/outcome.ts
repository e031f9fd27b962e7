// OperationOutcome builders and the translation of the record's errors to HTTP statuses and
// FHIR issue codes (the FHIR door's half of errors.ts).
import type { Coding, OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { CarnetError, CarnetErrors, isCarnetError } from '../domain/errors.js';
import type { ErrorCode } from '../domain/errors.js';
import { CS } from './mappings/carnet-fhir.js';

export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueType = OperationOutcomeIssue['code'];

/** System of the `details` coding that carries Carnet's own error code and the rule's reason. */
export const CARNET_ERROR_SYSTEM = CS.ERROR_CODE;
export const CARNET_REASON_SYSTEM = CS.REASON;

export interface IssueInput {
  severity?: IssueSeverity;
  code: IssueType;
  diagnostics?: string;
  /** FHIRPath expression(s) locating the problem */
  expression?: string | string[];
  details?: OperationOutcomeIssue['details'];
}

export function issue(input: IssueInput): OperationOutcomeIssue {
  const out: OperationOutcomeIssue = { severity: input.severity ?? 'error', code: input.code };
  if (input.details) out.details = input.details;
  if (input.diagnostics) out.diagnostics = input.diagnostics;
  const expressions = input.expression === undefined ? [] : Array.isArray(input.expression) ? input.expression : [input.expression];
  const kept = expressions.filter((e) => e !== '');
  if (kept.length > 0) out.expression = kept;
  return out;
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues.length > 0 ? issues : [{ severity: 'information', code: 'informational' }] };
}

/** An OperationOutcome with a single error issue. */
export function errorOutcome(code: IssueType, diagnostics: string, expression?: string): OperationOutcome {
  return operationOutcome([issue({ code, diagnostics, expression })]);
}

/** An informational "all ok" outcome (e.g. a DELETE answer). */
export function okOutcome(diagnostics = 'All OK'): OperationOutcome {
  return operationOutcome([issue({ severity: 'information', code: 'informational', diagnostics })]);
}

/** A warning outcome (e.g. the searchset warning entry of ITI-67). */
export function warningOutcome(diagnostics: string, expression?: string): OperationOutcome {
  return operationOutcome([issue({ severity: 'warning', code: 'informational', diagnostics, expression })]);
}

interface ErrorMapping {
  status: number;
  code: IssueType;
  /** the matching XDS errorCode, given in details for the reader's benefit */
  xds?: string;
}

const ERROR_MAP: Record<ErrorCode, ErrorMapping> = {
  invalid_metadata: { status: 400, code: 'invalid', xds: 'XDSRegistryMetadataError' },
  invalid_content_metadata: { status: 400, code: 'invalid', xds: 'XDSRepositoryMetadataError' },
  missing_document_metadata: { status: 400, code: 'required', xds: 'XDSMissingDocumentMetadata' },
  missing_document: { status: 400, code: 'required', xds: 'XDSMissingDocument' },
  // ITI-65 with a patient the record does not know: a 4xx on the request (Asbestos expects 400).
  unknown_patient: { status: 400, code: 'not-found', xds: 'XDSUnknownPatientId' },
  patient_mismatch: { status: 400, code: 'invalid', xds: 'XDSPatientIdDoesNotMatch' },
  non_identical_hash: { status: 409, code: 'duplicate', xds: 'XDSNonIdenticalHash' },
  duplicate_unique_id: { status: 409, code: 'duplicate', xds: 'XDSDuplicateUniqueIdInRegistry' },
  version_conflict: { status: 409, code: 'conflict', xds: 'XDSMetadataVersionError' },
  update_operation: { status: 422, code: 'business-rule', xds: 'XDSMetadataUpdateOperationError' },
  not_found: { status: 404, code: 'not-found' },
  forbidden: { status: 403, code: 'forbidden' },
  record_closed: { status: 403, code: 'forbidden' },
  business_rule: { status: 422, code: 'business-rule' },
  conflict: { status: 409, code: 'conflict' },
  // R4 http.html#concurrency: an If-Match that does not name the current version
  precondition_failed: { status: 412, code: 'conflict' },
  unavailable: { status: 503, code: 'transient' },
  unauthenticated: { status: 401, code: 'login' },
  rate_limited: { status: 429, code: 'throttled' },
  too_many_results: { status: 400, code: 'too-costly', xds: 'XDSTooManyResults' },
  too_long: { status: 413, code: 'too-long' },
  too_costly: { status: 413, code: 'too-costly' },
};

/** Every error code of the record, as the FHIR door names them in `details`. */
export const ERROR_CODES = Object.keys(ERROR_MAP) as ErrorCode[];

/** HTTP status and issue code for an error code. */
export function mappingFor(code: ErrorCode): { status: number; code: IssueType; xds?: string } {
  return ERROR_MAP[code];
}

function issueForError(e: CarnetError): OperationOutcomeIssue {
  const m = ERROR_MAP[e.code];
  const coding: Coding[] = [{ system: CARNET_ERROR_SYSTEM, code: e.code }];
  // ACC-08: "not found" reads the same whether nothing has the id or the caller may not see it;
  // why it is hidden stays on the error and in the trace.
  if (e.reason && e.code !== 'not_found') coding.push({ system: CARNET_REASON_SYSTEM, code: e.reason });
  return issue({
    code: m.code,
    diagnostics: e.message,
    expression: e.location,
    details: { coding, ...(m.xds ? { text: m.xds } : {}) },
  });
}

/** The HTTP answer for an error of the record: status plus an OperationOutcome with every problem. */
export function outcomeForError(e: CarnetError): { status: number; outcome: OperationOutcome } {
  const problems = e instanceof CarnetErrors && e.problems.length > 0 ? e.problems : [e];
  return { status: ERROR_MAP[e.code].status, outcome: operationOutcome(problems.map(issueForError)) };
}

/** Same for anything thrown: non-Carnet errors become 500 `exception` without internal details. */
export function outcomeForUnknown(e: unknown): { status: number; outcome: OperationOutcome } {
  if (isCarnetError(e)) return outcomeForError(e);
  return { status: 500, outcome: errorOutcome('exception', 'Internal server error') };
}
