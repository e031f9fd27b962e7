// A POST _search form is read as the URL's query is: a value whose percent-encoding does not
// decode to UTF-8 (`%FF`, a lone surrogate `%ED%A0%80`), or a body that is not UTF-8 itself, is
// refused with 400, not read as U+FFFD. The URL's query was refused so already, while the same
// value in a form ran a search for a name nobody sent (the refusal of the one and the answer of
// the other told apart two readings of one request).
import { expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { describeEachStore } from '../support/stores.js';
import { patientTraceRows, useOneRecordOverFhir } from './one-record.js';

const FORM = 'application/x-www-form-urlencoded';

describeEachStore('hostile FHIR searches: a form body is UTF-8 as the URL is', (db: () => Db) => {
  const fhir = useOneRecordOverFhir(db);
  const patient = () => `patient=Patient/${fhir.one.patientKey}`;

  const search = async (path: string, form: string | Uint8Array) => {
    const res = await fetch(`${fhir.server.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fhir.token}`, accept: 'application/fhir+json', 'content-type': FORM },
      body: typeof form === 'string' ? form : new Uint8Array(form),
    });
    return { status: res.status, json: (await res.json()) as any };
  };

  it('answers a form of well-encoded accents as any other', async () => {
    const a = await search('/fhir/DocumentReference/_search', `${patient()}&author.family=${encodeURIComponent('Hélène')}`);
    expect({ status: a.status, type: a.json.resourceType }).toEqual({ status: 200, type: 'Bundle' });
  });

  const refused: Array<[string, string, string | Buffer]> = [
    ['%FF in a DocumentReference search', '/fhir/DocumentReference/_search', 'author.family=%FF'],
    ['a lone surrogate (%ED%A0%80)', '/fhir/DocumentReference/_search', 'author.family=%ED%A0%80'],
    ['an overlong slash (%C0%AF)', '/fhir/DocumentReference/_search', 'author.family=%C0%AF'],
    ['%FF in a List search', '/fhir/List/_search', 'source.family=%FF'],
    ['a body byte that is no UTF-8', '/fhir/DocumentReference/_search', Buffer.from([0x61, 0x75, 0x74, 0x68, 0x6f, 0x72, 0x2e, 0x66, 0x61, 0x6d, 0x69, 0x6c, 0x79, 0x3d, 0xff])],
  ];
  it.each(refused)('refuses %s with 400 invalid, tracing nothing', async (_name, path, form) => {
    const before = await patientTraceRows(db());
    const body = typeof form === 'string' ? `${patient()}&${form}` : Buffer.concat([Buffer.from(`${patient()}&`), form]);
    const a = await search(path, body);
    expect({ status: a.status, type: a.json.resourceType, code: a.json.issue?.[0]?.code, says: /UTF-8/.test(a.json.issue?.[0]?.diagnostics ?? '') }).toEqual({
      status: 400,
      type: 'OperationOutcome',
      code: 'invalid',
      says: true,
    });
    expect(await patientTraceRows(db())).toBe(before);
  });
});
