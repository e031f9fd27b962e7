// DMP-05, TRACE-01: the reason given to close a record is kept in the record and in its trace,
// and a refused close is traced too. The reason had no bound but the body's (1 MB): a professional
// whose close the rules refuse (not at the patient's request, ACC-07) wrote a row of 900 KB into
// the patient's trace with every attempt, a trace nothing may ever delete. A reason longer than
// the metadata value limit (4,096 characters) is now refused (400) before anything is decided or
// traced.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { describeEachStore } from '../support/stores.js';
import { patientCaller } from '../support/world.js';
import { patientTraceRows, startWithOneRecord, type OneRecord } from './one-record.js';

const closeBody = (reason: string) => JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: reason }] });

describeEachStore('hostile $close: the reason is bounded before anything is traced', (db: () => Db) => {
  let one: OneRecord;

  beforeAll(async () => {
    one = await startWithOneRecord(db());
  }, 120_000);

  afterAll(async () => {
    await one?.server.close();
  });

  const close = async (token: string, reason: string) => {
    const res = await fetch(`${one.server.baseUrl}/fhir/Patient/${one.patientKey}/$close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body: closeBody(reason),
    });
    return { status: res.status, text: await res.text() };
  };
  const largestTraceRow = async () =>
    (await db().query<{ n: number }>('SELECT coalesce(max(length(details::text)), 0)::int AS n FROM access_trace WHERE chain_key = $1', [one.patientKey])).rows[0]!.n;

  it('DMP-05: a refused close with a reason of 900,000 characters is answered 400 naming the limit, and leaves the trace as it was', async () => {
    const doctor = await one.server.tokenFor(one.doctor);
    const before = await patientTraceRows(db());
    const a = await close(doctor, 'x'.repeat(900_000));
    const outcome = JSON.parse(a.text);
    expect({ status: a.status, code: outcome.issue?.[0]?.code, says: /4096/.test(outcome.issue?.[0]?.diagnostics ?? '') }).toEqual({ status: 400, code: 'invalid', says: true });
    expect(await patientTraceRows(db())).toBe(before);
    expect(await largestTraceRow()).toBeLessThan(10_000);
  });

  it('DMP-05: the patient closes the record with a reason of 4,096 characters (the limit)', async () => {
    const patient = await one.server.tokenFor(patientCaller(one.patientKey).actor);
    const a = await close(patient, 'r'.repeat(4096));
    expect(a.status).toBeLessThan(300);
  });
});
