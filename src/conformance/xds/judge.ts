// How a step's answer is judged, as the toolkit does (data/xds/README.md "Pass/fail"):
// ExpectedStatus against RegistryResponse/@status (or a SOAP Fault), ExpectedErrorMessage as a
// substring of an Error-severity errorCode or codeContext, ExpectedErrorCode as an exact errorCode.
import { NS, attr, descendants } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import type { XdsResponse } from './soap-client.js';
import type { Step } from './types.js';

export interface RegistryErrorInfo {
  errorCode: string;
  codeContext: string;
  severity: string;
  location?: string;
}

export interface RegistryOutcome {
  /** local name of the status URN: Success | Failure | PartialSuccess | ... */
  status?: string;
  errors: RegistryErrorInfo[];
}

function localStatus(urn: string | undefined): string | undefined {
  return urn === undefined ? undefined : urn.slice(urn.lastIndexOf(':') + 1);
}

/** Status and errors of a RegistryResponse, AdhocQueryResponse or RetrieveDocumentSetResponse. */
export function readOutcome(body: Element): RegistryOutcome {
  let holder: Element | undefined = attr(body, 'status') !== undefined ? body : undefined;
  holder ??= descendants(body, NS.rs, 'RegistryResponse')[0];
  const errors = descendants(body, NS.rs, 'RegistryError').map((e) => ({
    errorCode: attr(e, 'errorCode') ?? '',
    codeContext: attr(e, 'codeContext') ?? '',
    severity: attr(e, 'severity') ?? '',
    location: attr(e, 'location'),
  }));
  return { status: localStatus(holder ? attr(holder, 'status') : undefined), errors };
}

function isError(e: RegistryErrorInfo): boolean {
  // A missing severity is read as an error: that is the RegistryError default.
  return !e.severity || e.severity.endsWith(':Error') || e.severity === 'Error';
}

export function describeErrors(errors: RegistryErrorInfo[]): string {
  if (!errors.length) return 'no RegistryError';
  return errors
    .slice(0, 4)
    .map((e) => `${e.errorCode || '(no code)'}${e.codeContext ? ` "${e.codeContext.slice(0, 160)}"` : ''}`)
    .join('; ') + (errors.length > 4 ? `; +${errors.length - 4} more` : '');
}

/** Undefined when the answer meets the step's expected status and errors, else the reason. */
export function judgeResponse(step: Pick<Step, 'expectedStatus' | 'expectedErrorMessages' | 'expectedErrorCodes'>, res: XdsResponse): string | undefined {
  if (step.expectedStatus === 'Fault') {
    if (res.fault) return undefined;
    if (res.unreadable) return `expected a SOAP Fault; ${res.unreadable}`;
    const seen = res.body ? readOutcome(res.body).status : undefined;
    return `expected a SOAP Fault, got status ${seen ?? '(none)'}`;
  }
  if (res.unreadable) return res.unreadable;
  if (res.fault) {
    const code = [res.fault.code, res.fault.subcode].filter(Boolean).join('/');
    return `expected ${step.expectedStatus}, got a SOAP Fault (${code}): ${res.fault.reason}`;
  }
  const outcome = readOutcome(res.body!);
  if (outcome.status !== step.expectedStatus) {
    return `expected ${step.expectedStatus}, got ${outcome.status ?? 'no status'} (${describeErrors(outcome.errors)})`;
  }
  const errors = outcome.errors.filter(isError);
  for (const m of step.expectedErrorMessages) {
    if (!errors.some((e) => e.errorCode.includes(m) || e.codeContext.includes(m))) {
      return `expected an error mentioning ${m}, got ${describeErrors(outcome.errors)}`;
    }
  }
  for (const c of step.expectedErrorCodes) {
    if (!outcome.errors.some((e) => e.errorCode === c)) return `expected errorCode ${c}, got ${describeErrors(outcome.errors)}`;
  }
  return undefined;
}
