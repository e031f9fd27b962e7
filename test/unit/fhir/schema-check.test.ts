// The e2e servers' schema check (test/support/schema-check.ts) judges with the official R4 JSON
// Schema: 4.0.1 is a version it knows, and it refuses what R4 refuses.
import { describe, expect, it } from '@jest/globals';
import { schemaErrors } from '../../support/schema-check.js';

describe('issue 12 proof: the R4 JSON Schema check', () => {
  it('accepts a CapabilityStatement of FHIR 4.0.1 and a searchset of valid resources', () => {
    expect(schemaErrors({ resourceType: 'CapabilityStatement', status: 'active', date: '2024-01-01', kind: 'instance', fhirVersion: '4.0.1', format: ['json'] })).toEqual([]);
    expect(schemaErrors({ resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ resource: { resourceType: 'Patient', id: 'p1', gender: 'female' } }] })).toEqual([]);
  });

  it('refuses an unknown element, a bad code and an unknown resource type, nested resources included', () => {
    expect(schemaErrors({ resourceType: 'Patient', name: [{ famly: 'X' }] })).not.toEqual([]);
    expect(schemaErrors({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Patient', gender: 'x' } }] })).toEqual([
      '/entry/0/resource/gender must be equal to one of the allowed values',
    ]);
    expect(schemaErrors({ resourceType: 'Nothing' })).not.toEqual([]);
  });
});
