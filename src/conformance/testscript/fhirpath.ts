// FHIRPath through @medplum/core, once the R4 definitions are indexed (src/fhir/definitions.ts).
import { evalFhirPathTyped, toTypedValue } from '@medplum/core';
import type { TypedValue } from '@medplum/core';
import { ensureResourceTypesIn } from '../../fhir/definitions.js';

/**
 * Evaluates `expression` against `input` (a resource or any JSON value) and returns plain values.
 * `%resource`, `%rootResource` and `%context` point at the input; `extra` adds named variables
 * (passed without the leading `%`).
 */
export function evaluate(expression: string, input: unknown, extra: Record<string, unknown> = {}): unknown[] {
  ensureResourceTypesIn(input);
  if (input === undefined || input === null) return [];
  const root = toTypedValue(input);
  const variables: Record<string, TypedValue> = { '%resource': root, '%rootResource': root, '%context': root };
  for (const [name, value] of Object.entries(extra)) {
    if (value !== undefined) variables['%' + name] = toTypedValue(value);
  }
  return evalFhirPathTyped(expression, [root], variables).map((v) => v.value);
}

/** True when the result is exactly one `true` (the FHIRPath reading of a boolean condition). */
export function isTrue(values: unknown[]): boolean {
  return values.length === 1 && values[0] === true;
}
