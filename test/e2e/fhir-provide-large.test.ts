// Issue 11: an ITI-65 JSON body is read on a worker thread (its documents' base64 decoded there
// and moved to the event loop without a copy). Through the real door: a large document comes
// back byte for byte, and every JSON refusal still answers as the shared parser answered.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { openTestDb, storeKinds } from '../support/stores.js';
import { adultRecord, makeWorld, patientCaller, proActor } from '../support/world.js';

const doctor = proActor('doctor');

for (const kind of storeKinds()) {
  describe(`ITI-65 read on the worker [${kind}]`, () => {
    let db: Db;
    let server: RunningApp;
    let patientKey: string;

    const post = async (body: Buffer | string, type = 'application/fhir+json') =>
      fetch(`${server.baseUrl}/fhir`, { method: 'POST', headers: { authorization: `Bearer ${await server.tokenFor(doctor)}`, 'content-type': type }, body: body as unknown as RequestInit['body'] });

    beforeAll(async () => {
      db = await openTestDb(kind);
      server = await startTestApp(db);
      const w = await makeWorld(db);
      patientKey = (await adultRecord(w)).patientKey;
      await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });

    it('a 3 MB document deposited in JSON is retrieved byte for byte (ITI-68)', async () => {
      const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3 * 1024 * 1024, 0x5a), Buffer.from([0xff, 0x00, 0xe9])]);
      const res = await post(JSON.stringify(provideBundle({ patient: `Patient/${patientKey}`, docs: [{ content: pdf, mimeType: 'application/pdf' }, { content: 'Hb 14 g/dL' }] })));
      const answer = (await res.json()) as Bundle;
      expect(res.status).toBe(200);
      const location = answer.entry?.find((e) => e.response?.location?.startsWith('DocumentReference/'))?.response?.location;
      const id = location!.split('/')[1];
      const raw = await fetch(`${server.baseUrl}/fhir/Binary/${id}`, { headers: { authorization: `Bearer ${await server.tokenFor(doctor)}` } });
      expect(raw.status).toBe(200);
      expect(Buffer.from(await raw.arrayBuffer()).equals(pdf)).toBe(true);
    }, 120_000);

    it('refusals read as before: not JSON, not UTF-8, too deep, not a Bundle, no body', async () => {
      const cases: Array<[Buffer | string, number, string]> = [
        ['{"resourceType": "Bundle",', 400, 'the body is not valid JSON'],
        [Buffer.concat([Buffer.from('{"resourceType":"Bundle","id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), 400, 'the body is not valid UTF-8'],
        ['['.repeat(100) + ']'.repeat(100), 413, 'CARNET_JSON_MAX_DEPTH'],
        ['{"resourceType":"Patient"}', 400, 'expects a Bundle, not Patient'],
        ['', 400, 'not a FHIR resource'],
        // shapes JSON allows and FHIR does not: refused, never a 500 from the worker or the reading
        ['{"resourceType":"Bundle","type":"transaction","entry":{}}', 400, ''],
        ['{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"DocumentReference","content":"x"}},{"resource":{"resourceType":"Binary","data":7}}]}', 400, ''],
      ];
      for (const [body, status, text] of cases) {
        const res = await post(body);
        const outcome = (await res.json()) as OperationOutcome;
        expect({ status: res.status, text: outcome.issue?.[0]?.diagnostics ?? outcome.issue?.[0]?.details?.text }).toEqual({ status, text: expect.stringContaining(text) });
      }
    });
  });
}
