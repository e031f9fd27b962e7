// A FHIR search naming tens of thousands of values (a `POST _search` form of up to the body limit,
// or a URL of comma-separated alternatives) is refused with 413 too-costly naming the limit,
// CARNET_SEARCH_MAX_VALUES, before anything is searched. Before, 100,000 type codes were run as a
// query: the event loop was held ~4 s (the embedded store) and every other request waited.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { Db } from '../../src/store/db.js';
import type { RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { cheapest, patientTraceRows, startWithOneRecord } from './one-record.js';

const LIMIT = 5000;
/** CPU the server may spend on one refused search (the process's, so the least of three sends). */
const CPU_BUDGET_MS = 300;
const FORM = 'application/x-www-form-urlencoded';

const codes = (n: number, prefix = 'c') => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(',');

describeEachStore('hostile FHIR searches: the values of one search are bounded', (db: () => Db) => {
  let server: RunningApp;
  let token: string;
  let patient: string;

  beforeAll(async () => {
    const one = await startWithOneRecord(db());
    server = one.server;
    token = await server.tokenFor(one.doctor);
    patient = `patient=Patient/${one.patientKey}`;
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  async function send(path: string, form?: string): Promise<{ status: number; json: Bundle | OperationOutcome }> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/fhir+json' };
    if (form !== undefined) headers['content-type'] = FORM;
    const res = await fetch(`${server.baseUrl}${path}`, { method: form === undefined ? 'GET' : 'POST', headers, body: form });
    return { status: res.status, json: (await res.json()) as Bundle | OperationOutcome };
  }

  it(`answers a search of ${LIMIT} values (the limit) as any other`, async () => {
    // the patient is one value, the type codes the others
    const a = await send('/fhir/DocumentReference/_search', `${patient}&type=${codes(LIMIT - 1)}`);
    expect({ status: a.status, type: a.json.resourceType, total: (a.json as Bundle).total }).toEqual({ status: 200, type: 'Bundle', total: 0 });
  });

  const hostile: Array<[string, string, string | undefined]> = [
    [`_search, ${LIMIT + 1} values`, '/fhir/DocumentReference/_search', `type=${codes(LIMIT)}`],
    ['_search, 100,000 type codes', '/fhir/DocumentReference/_search', `type=${codes(100_000)}`],
    ['_search, 100,000 security labels', '/fhir/DocumentReference/_search', `security-label=${codes(100_000)}`],
    ['_search, 80,000 type parameters', '/fhir/DocumentReference/_search', Array.from({ length: 80_000 }, (_, i) => `type=c${i}`).join('&')],
    ['_search, 100,000 parameters it does not know', '/fhir/DocumentReference/_search', Array.from({ length: 100_000 }, (_, i) => `x${i}=1`).join('&')],
    ['List _search, 100,000 codes', '/fhir/List/_search', `code=${codes(100_000)}`],
    ['GET, 6,000 type codes in the URL', `/fhir/DocumentReference?PATIENT&type=${Array.from({ length: 6000 }, () => 'c').join(',')}`, undefined],
  ];
  it.each(hostile)('refuses %s with 413 too-costly naming the limit, cheaply, tracing nothing', async (_name, path, form) => {
    const traceBefore = await patientTraceRows(db());
    const best = await cheapest(() => send(path.replace('PATIENT', patient), form === undefined ? undefined : `${patient}&${form}`), CPU_BUDGET_MS);
    const outcome = best.answer.json as OperationOutcome;
    expect({ status: best.answer.status, code: outcome.issue?.[0]?.code, namesLimit: /CARNET_SEARCH_MAX_VALUES/.test(outcome.issue?.[0]?.diagnostics ?? '') }).toEqual({
      status: 413,
      code: 'too-costly',
      namesLimit: true,
    });
    expect({ cpuMs: Math.round(best.cpuMs), within: best.cpuMs <= CPU_BUDGET_MS }).toMatchObject({ within: true });
    expect(await patientTraceRows(db())).toBe(traceBefore);
  });
});
