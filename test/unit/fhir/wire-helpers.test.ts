import { describe, expect, it } from '@jest/globals';
import { CarnetError, CarnetErrors } from '../../../src/domain/errors.js';
import type { ErrorCode } from '../../../src/domain/errors.js';
import { dtmToFhirDateTime, dtmToInstant, fhirDateTimeToDtm, fhirSystemToXds, identifierSystemToOid, xdsSystemToFhir } from '../../../src/fhir/codes.js';
import { acceptsFhir, requestFormat, responseFormat, serialize } from '../../../src/fhir/format.js';
import { outcomeForError, outcomeForUnknown } from '../../../src/fhir/outcome.js';

describe('code systems', () => {
  it.each([
    ['http://loinc.org', '2.16.840.1.113883.6.1'],
    ['http://snomed.info/sct', '2.16.840.1.113883.6.96'],
    ['http://terminology.hl7.org/CodeSystem/v3-Confidentiality', '2.16.840.1.113883.5.25'],
    ['https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument', '1.2.250.1.213.1.1.4.13'],
    ['https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument', '1.2.250.1.213.1.1.4.1'],
    ['https://mos.esante.gouv.fr/NOS/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite', '1.2.250.1.71.4.2.4'],
    ['http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode', '1.3.6.1.4.1.19376.1.2.3'],
    ['urn:oid:1.2.250.1.213.1.1.5.618', '1.2.250.1.213.1.1.5.618'],
  ])('%s <-> %s', (fhir, xds) => {
    expect(fhirSystemToXds(fhir)).toBe(xds);
    expect(xdsSystemToFhir(xds)).toBe(fhir);
  });

  it('keeps URNs and unknown URLs, maps identifier systems by prefix only', () => {
    expect(xdsSystemToFhir('urn:ihe:iti:xds:2013:accession')).toBe('urn:ihe:iti:xds:2013:accession');
    expect(fhirSystemToXds('http://example.org/cs')).toBe('http://example.org/cs');
    expect(fhirSystemToXds('http://hl7.org/fhir/v3/Confidentiality')).toBe('2.16.840.1.113883.5.25');
    expect(identifierSystemToOid('urn:oid:1.2.250.1.213.1.4.8')).toBe('1.2.250.1.213.1.4.8');
    expect(identifierSystemToOid('urn:oid:1.2.250.1.71.4.2.1')).toBe('1.2.250.1.71.4.2.1');
  });

  it('converts DTM and FHIR dates', () => {
    expect(dtmToFhirDateTime('2024')).toBe('2024');
    expect(dtmToFhirDateTime('202403')).toBe('2024-03');
    expect(dtmToFhirDateTime('20240301')).toBe('2024-03-01');
    expect(dtmToFhirDateTime('2024030110')).toBe('2024-03-01T10:00:00Z');
    expect(dtmToFhirDateTime('20240301101530')).toBe('2024-03-01T10:15:30Z');
    expect(() => dtmToFhirDateTime('2024031')).toThrow(RangeError);
    expect(dtmToInstant('20240301')).toBe('2024-03-01T00:00:00Z');
    expect(fhirDateTimeToDtm('2015-02-07T13:28:17.239+02:00')).toBe('20150207112817');
    expect(fhirDateTimeToDtm('2021-08-23T22:13:00-05:00')).toBe('20210824031300');
    expect(fhirDateTimeToDtm('2024-03')).toBe('202403');
    expect(fhirDateTimeToDtm('yesterday')).toBeUndefined();
  });
});

describe('content negotiation', () => {
  it('prefers _format, then Accept, then the request body, then JSON', () => {
    expect(responseFormat({ format: 'xml', accept: 'application/fhir+json' })).toBe('xml');
    expect(responseFormat({ format: 'application/fhir+json' })).toBe('json');
    expect(responseFormat({ format: 'text/xml' })).toBe('xml');
    expect(responseFormat({ accept: 'application/fhir+xml;q=0.9, application/fhir+json;q=0.8' })).toBe('xml');
    expect(responseFormat({ accept: 'text/html, application/xml;q=0.5' })).toBe('xml');
    expect(responseFormat({ accept: '*/*', contentType: 'application/fhir+xml; charset=utf-8' })).toBe('xml');
    expect(responseFormat({})).toBe('json');
    expect(requestFormat('application/json')).toBe('json');
    expect(requestFormat('text/plain')).toBeUndefined();
    expect(acceptsFhir('image/png')).toBe(false);
    expect(acceptsFhir('*/*')).toBe(true);
  });

  it('serialises in both formats', () => {
    const outcome = { resourceType: 'OperationOutcome' as const, issue: [{ severity: 'error' as const, code: 'invalid' as const }] };
    expect(serialize(outcome, 'json')).toEqual({ contentType: 'application/fhir+json; charset=utf-8', body: JSON.stringify(outcome) });
    expect(serialize(outcome, 'xml').body).toContain('<OperationOutcome xmlns="http://hl7.org/fhir"><issue><severity value="error"/><code value="invalid"/></issue></OperationOutcome>');
  });
});

describe('OperationOutcome for errors', () => {
  it.each([
    ['invalid_metadata', 400, 'invalid'],
    ['business_rule', 422, 'business-rule'],
    ['forbidden', 403, 'forbidden'],
    ['not_found', 404, 'not-found'],
    ['unknown_patient', 400, 'not-found'],
    ['conflict', 409, 'conflict'],
    ['unavailable', 503, 'transient'],
    ['unauthenticated', 401, 'login'],
    ['rate_limited', 429, 'throttled'],
    ['too_many_results', 400, 'too-costly'],
  ] as [ErrorCode, number, string][])('%s -> %i %s', (code, status, issueCode) => {
    const { status: s, outcome } = outcomeForError(new CarnetError(code, 'message', { location: 'DocumentReference.type', reason: 'why' }));
    expect(s).toBe(status);
    expect(outcome.issue[0]).toMatchObject({ severity: 'error', code: issueCode, diagnostics: 'message', expression: ['DocumentReference.type'] });
    // ACC-08: a not-found answer never says why (a hidden id reads as an unknown one)
    expect(outcome.issue[0]?.details?.coding).toEqual([
      { system: 'https://carnet.example/fhir/CodeSystem/carnet-error-code', code },
      ...(code === 'not_found' ? [] : [{ system: 'https://carnet.example/fhir/CodeSystem/carnet-reason', code: 'why' }]),
    ]);
  });

  it('lists every problem of CarnetErrors and hides internal errors', () => {
    const e = new CarnetErrors([new CarnetError('invalid_metadata', 'a', { location: 'X.a' }), new CarnetError('missing_document', 'b', { location: 'X.b' })]);
    const { status, outcome } = outcomeForError(e);
    expect(status).toBe(400);
    expect(outcome.issue.map((i) => i.expression?.[0])).toEqual(['X.a', 'X.b']);
    expect(outcomeForUnknown(new Error('secret'))).toEqual({ status: 500, outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: 'Internal server error' }] } });
  });
});
