// The smallest OperationOutcome, for answers the HTTP layer gives before any door is involved
// (unknown route, wrong method, unreadable body, internal error).
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export function simpleOutcome(
  code: OperationOutcomeIssue['code'],
  diagnostics: string,
  severity: OperationOutcomeIssue['severity'] = 'error',
): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}
