// A JSON body of less than a megabyte made of one object of tens of thousands of keys held the
// event loop some 300-450 ms (four at once, over a second), where an ordinary body of the same
// size costs a few tens of milliseconds: JavaScript's own reader turns an object that wide into a
// slow dictionary, and the duplicate-key check kept a set of every key. It needed no account
// (`POST /auth/login`). An object holding more keys than CARNET_JSON_MAX_KEYS is now refused with
// 413 too-costly, while the body is scanned, before any object is built.
import { expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { describeEachStore } from '../support/stores.js';
import { longestTurn, patientTraceRows, useOneRecordOverFhir } from './one-record.js';

const LIMIT = 1000;
/** the longest turn of the event loop (CPU, best of three) while a refused wide body is served */
const MAX_TURN_CPU_MS = 100;

const object = (n: number, key: (i: number) => string = (i) => `k${i}`) => `{${Array.from({ length: n }, (_, i) => `"${key(i)}":1`).join(',')}}`;

describeEachStore('hostile JSON: objects of too many keys are refused while the body is scanned', (db: () => Db) => {
  const fhir = useOneRecordOverFhir(db);

  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${fhir.server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, json: (await res.json()) as any };
  };

  it(`takes an object of ${LIMIT} keys (the limit) as any other`, async () => {
    const a = await post('/auth/login', `[${object(LIMIT)}]`);
    expect({ status: a.status, error: a.json.error }).toEqual({ status: 400, error: 'invalid_request' });
    expect(a.json.message).not.toMatch(/CARNET_JSON_MAX_KEYS/);
  });

  const wide: Array<[string, string, string]> = [
    ['/auth/login, 80,000 keys in one object', '/auth/login', object(80_000)],
    ['/auth/login, 60,000 keys written with escapes', '/auth/login', object(60_000, (i) => `\\u0061${i}`)],
    ['/auth/login, a nested object of 1,001 keys', '/auth/login', `{"login":"a","password":"b","x":${object(LIMIT + 1)}}`],
  ];
  it.each(wide)('refuses %s with 413 naming CARNET_JSON_MAX_KEYS, without holding the event loop', async (_name, path, body) => {
    const best = await longestTurn(() => post(path, body), MAX_TURN_CPU_MS);
    // /auth names the limit as its error code
    expect({ status: best.answer.status, error: best.answer.json.error }).toEqual({ status: 413, error: 'CARNET_JSON_MAX_KEYS' });
    expect({ turnMs: Math.round(best.turnMs), within: best.turnMs < MAX_TURN_CPU_MS }).toMatchObject({ within: true });
  });

  it('refuses a FHIR body of 80,000 keys with an OperationOutcome, tracing nothing', async () => {
    const before = await patientTraceRows(db());
    const a = await post('/fhir/Patient/$validate', `{"resourceType":"Patient",${object(80_000).slice(1)}`, { authorization: `Bearer ${fhir.token}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' });
    expect({ status: a.status, type: a.json.resourceType, code: a.json.issue?.[0]?.code, names: /CARNET_JSON_MAX_KEYS/.test(a.json.issue?.[0]?.diagnostics ?? '') }).toEqual({
      status: 413,
      type: 'OperationOutcome',
      code: 'too-costly',
      names: true,
    });
    expect(await patientTraceRows(db())).toBe(before);
  });
});
