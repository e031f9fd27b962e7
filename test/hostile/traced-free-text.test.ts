// TRACE-01: a refused access is traced with what it asked, in a trace nothing may ever delete, so
// the free text a request carries is bounded before the decision.
//
// DMP-05: the reason given to close a record is kept in the record and in its trace. The reason had no bound but the body's (1 MB): a professional
// whose close the rules refuse (not at the patient's request, ACC-07) wrote a row of 900 KB into
// the patient's trace with every attempt, a trace nothing may ever delete. A reason longer than
// the metadata value limit (4,096 characters) is now refused (400) before anything is decided or
// traced.
//
// PAT-04: the professional or structure a Consent names (`Practitioner/<id>`, or an identifier's
// value) becomes the trace row's target, a refused Consent's included; an id of 900,000 characters
// made a row of 900 KB. An id longer than 64 characters (IdNat_PS and IdNat_Struct hold a dozen
// or so) is now refused (400) as naming nobody.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { describeEachStore } from '../support/stores.js';
import { grantConsent } from '../support/fhir-record.js';
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

  it.each([
    ['a reference', (id: string) => grantConsent(one.patientKey, 'Practitioner', id, 'permit')],
    [
      'an identifier',
      (id: string) => {
        const c = grantConsent(one.patientKey, 'Practitioner', id, 'permit');
        c.provision!.actor![0]!.reference = { identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: id } };
        return c;
      },
    ],
  ] as const)('PAT-04: a refused Consent naming a professional by %s of 900,000 characters is answered 400, and leaves the trace as it was', async (_how, consent) => {
    const doctor = await one.server.tokenFor(one.doctor);
    const before = await patientTraceRows(db());
    const res = await fetch(`${one.server.baseUrl}/fhir/Consent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${doctor}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body: JSON.stringify(consent('8'.repeat(900_000))),
    });
    const outcome = (await res.json()) as any;
    expect({ status: res.status, code: outcome.issue?.[0]?.code }).toEqual({ status: 400, code: 'invalid' });
    expect(await patientTraceRows(db())).toBe(before);
    expect(await largestTraceRow()).toBeLessThan(10_000);
  });

  it('DMP-05: the patient closes the record with a reason of 4,096 characters (the limit)', async () => {
    const patient = await one.server.tokenFor(patientCaller(one.patientKey).actor);
    const a = await close(patient, 'r'.repeat(4096));
    expect(a.status).toBeLessThan(300);
  });
});
