// A `patient` search value is Patient/<id> with the id's escapes decoded: an escape that is not
// UTF-8 (`Patient/%E0%A4%A`) names no patient. It threw the runtime's URIError from the search's
// reading and answered 500 internal error; it is bad input, answered 400 like any other value
// that is not Patient/<id>.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { proActor } from '../support/world.js';

const doctor = proActor('doctor');

describeEachStore('a patient reference whose escapes are not UTF-8', (db) => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startTestApp(db());
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it.each(['DocumentReference', 'List'])('GET /fhir/%s?patient=Patient/%%E0%%A4%%A answers 400 invalid, not 500', async (type) => {
    const res = await fetch(`${server.baseUrl}/fhir/${type}?patient=Patient/%E0%A4%A`, { headers: { authorization: `Bearer ${await server.tokenFor(doctor)}` } });
    const outcome = (await res.json()) as OperationOutcome;
    expect(res.status).toBe(400);
    expect(outcome.issue?.[0]?.code).toBe('invalid');
  });
});
