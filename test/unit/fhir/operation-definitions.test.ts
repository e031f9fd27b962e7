// The OperationDefinitions of profiles/fhir/OperationDefinition are valid R4 resources, each under
// Carnet's base with the URL the routes link from the CapabilityStatement.
import { describe, expect, it } from '@jest/globals';
import { validateResource } from '@medplum/core';
import type { OperationDefinition } from '@medplum/fhirtypes';
import { buildRegistry } from '../../../src/fhir/conformance/registry.js';
import { ensureFhirDefinitions } from '../../../src/fhir/definitions.js';
import { operationUrl } from '../../../src/fhir/mappings/carnet-fhir.js';

describe('published OperationDefinitions', () => {
  const defs = buildRegistry().all('OperationDefinition') as OperationDefinition[];

  it('one per custom operation, named by operationUrl(id)', () => {
    expect(defs.map((d) => d.id).sort()).toEqual(['carnet-validate', 'dmp-close', 'dmp-contacts', 'dmp-copy-request', 'dmp-download', 'dmp-home', 'dmp-preferences', 'dmp-reactivate']);
    for (const d of defs) expect(d.url).toBe(operationUrl(d.id!));
  });

  it('are valid R4 OperationDefinitions', () => {
    ensureFhirDefinitions();
    for (const d of defs) expect({ id: d.id, issues: validateResource(d).filter((i) => i.severity === 'error') }).toEqual({ id: d.id, issues: [] });
  });
});
